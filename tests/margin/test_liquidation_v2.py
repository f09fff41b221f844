"""Liquidation marks of version-2 snapshots: hand-derived cases per feature, the size-rate
band walk against a scan, random v2 snapshots against the engine, and the refusals."""

from __future__ import annotations

import dataclasses
import json
from math import isqrt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import circuits.margin.liquidation as liquidation
from circuits.margin.commitment import commit
from circuits.margin.extensions import feature_mask, feature_names
from circuits.margin.liquidation import (
    FixedParts,
    LiquidationError,
    LiquidationPrices,
    MarkModel,
    SizeRateBand,
    instrument_liquidation,
    liquidation_report,
    maintenance_compliant,
    mark_liquidation,
    mark_model,
    with_mark,
)
from circuits.margin.loading import dump_json
from circuits.margin.model import AccountState, CollateralSpec, InstrumentSpec, MarketSnapshot
from circuits.margin.option_charges import OptionFormula, OptionRates
from circuits.margin.reference import margin_report
from circuits.margin.size_rate_model import (
    KindSizeRates,
    OpenInterest,
    OpenInterestScaling,
    SizeRate,
    SizeWeights,
)
from circuits.margin.statement import REQUIREMENT_MAINTENANCE
from circuits.margin.units import U64_MAX, U
from tests.margin.circuit_fixtures import opening_for
from tests.margin.helpers import coll, inst, snap, state
from tests.margin.size_rate_fixtures import sized_account, sized_snapshot
from tests.margin.strategies import margin_tiers
from tests.margin.test_liquidation import _small_accounts
from tests.margin.test_shape_cli import zkm

NO_TIERS = ((0, 0),)


def _v2(instruments: list[InstrumentSpec], collateral: list[CollateralSpec] | None = None,
        **extra: object) -> MarketSnapshot:  # fmt: skip
    return snap(instruments, collateral or [coll()], version=2, **extra)


def _sized(base: InstrumentSpec, maintenance: SizeRate, initial: SizeRate | None = None) -> (
    InstrumentSpec
):  # fmt: skip
    rates = KindSizeRates(maintenance=maintenance, initial=initial or maintenance)
    return base.model_copy(update={"size_rates": rates})


def _prices(account: AccountState, market: MarketSnapshot) -> list[LiquidationPrices]:
    report = liquidation_report(account, market)
    assert report.compliant
    return report.instruments


def _is_breach(account: AccountState, market: MarketSnapshot, slot: int, mark: int) -> bool:
    return not maintenance_compliant(account, with_mark(market, slot, mark))


# --- hand-derived cases, one per feature --------------------------------------------------


def test_size_weights_only_lower_the_constant_equity() -> None:
    # 10 000 C with Drift-style weights (φ_a = 10 %): s = ⌈√10 001⌉ = 101, the weight is
    # ⌊10^12/(10^6 + 100 000·101)⌋ = ⌊10^12/11 100 000⌋ = 90 090 ppm, so the deposit is worth
    # ⌊10 000·90 090/10^6⌋ = 900. Long 10 bought at 1000, MMF 5 %: equity = 10m − 9100;
    # 10m − 9100 < ⌈m/2⌉ ⇔ 19m < 18 200 ⇔ m ≤ 957.
    assert 10**12 // (U + 100_000 * 101) == 90_090 and isqrt(10_001) + 1 == 101
    weights = SizeWeights(asset_factor_ppm=100_000)
    market = _v2([inst(mark=1000, mm=((50_000, 0),))],
                 [coll().model_copy(update={"size_weights": weights})])  # fmt: skip
    account = state([(10, -10_000, 0)], [10_000])
    assert margin_report(account, market).collateral == 900
    (prices,) = _prices(account, market)
    assert (prices.down, prices.up) == ((18_200 - 1) // 19, None) == (957, None)


def test_per_kind_scenarios_leave_the_maintenance_scenario_floor_alone() -> None:
    # Maintenance risk 60 per long quantum (R3 = 600) as in the version-1 case (mark 859);
    # a huge initial risk array changes only the initial requirement.
    base = inst(mark=1000, mm=((50_000, 0),), risk=[60])
    market = _v2([base.model_copy(update={"initial_risk_array": [10_000]})])
    account = state([(10, -10_000, 0)], [2_000])
    assert margin_report(account, market).initial_scenario == 100_000
    (prices,) = _prices(account, market)
    assert (prices.down, prices.up) == (859, None)


def test_size_rate_with_slope_at_scale_10() -> None:
    # 100 quanta at scale 10 = 10 units: ρ = min(cap·10, 20 000·10 + 3 000·100) = 500 000,
    # a 5 % rate; SR = ⌈100·m·500 000/(10^6·100)⌉ = ⌈m/2⌉ and N = 10m. Tiers are 0.
    # 10m − 8000 < ⌈m/2⌉ ⇔ 19m < 16 000 ⇔ m ≤ 842.
    rate = SizeRate(base_ppm=20_000, slope_ppm=3_000, cap_ppm=90_000)
    market = _v2([_sized(inst(scale=10, mark=1000, mm=NO_TIERS), rate)])
    (prices,) = _prices(state([(100, -10_000, 0)], [2_000]), market)
    assert (prices.down, prices.up) == (15_999 // 19, None) == (842, None)


def test_size_rate_piece_that_is_not_monotone_in_the_mark() -> None:
    # 2 quanta at scale 3, a flat 50 % size rate (ρ = 1 500 000): N = ⌊2m/3⌋, SR = ⌈m/3⌉,
    # equity = N − 100. Breach ⇔ ⌊2m/3⌋ − 100 < m/3 (an integer below a ceiling). By residue:
    # m = 3k: 2k − 100 < k ⇔ k < 100; m = 3k + 1: 2k − 100 < k + 1/3 ⇔ k ≤ 100;
    # m = 3k + 2: 2k + 1 − 100 < k + 2/3 ⇔ k ≤ 99. So 299 and 301 breach, 300, 302, 303, …
    # do not: at mark 300 the account breaches one quantum either way; at 302 only below.
    rate = SizeRate(base_ppm=500_000, cap_ppm=500_000)
    account = state([(2, -100, 0)], [0])
    expected = {300: (299, 301), 302: (301, None), 400: (301, None)}
    for mark, marks in expected.items():
        market = _v2([_sized(inst(scale=3, mark=mark, mm=NO_TIERS), rate)])
        (prices,) = _prices(account, market)
        assert (prices.down, prices.up) == marks, mark
    market = _v2([_sized(inst(scale=3, mark=300, mm=NO_TIERS), rate)])
    assert [m for m in range(290, 320) if _is_breach(account, market, 0, m)] == [
        *range(290, 300), 301,
    ]  # fmt: skip


def test_size_rate_above_100_percent_breaches_a_long_upwards() -> None:
    # Long 1 quantum at scale 1, ρ = 1 500 000 (150 %): SR = ⌈1.5m⌉, equity = m + 100.
    # Breach ⇔ m + 100 < 1.5m ⇔ m > 200 (up), and m + 100 < 0 never (down).
    rate = SizeRate(base_ppm=1_500_000, cap_ppm=1_500_000)
    market = _v2([_sized(inst(mark=150, mm=NO_TIERS), rate)])
    (prices,) = _prices(state([(1, 0, 0)], [100]), market)
    assert (prices.down, prices.up) == (None, 201)


def test_maintenance_open_interest_scaling_moves_the_mark() -> None:
    # OI 500 between caps 0 and 1000: the maintenance rate is 20 000 + ⌈80 000·500/1000⌉ =
    # 60 000 ppm; SR = ⌈10m·6 %⌉ = ⌈3m/5⌉. 10m − 8000 < 3m/5 ⇔ 47m < 40 000 ⇔ m ≤ 851.
    # The initial scaling (up to 100 %) does not enter the maintenance marks.
    oi = OpenInterest(
        value=500,
        maintenance=OpenInterestScaling(base_ppm=20_000, top_ppm=100_000, upper_cap=1000),
        initial=OpenInterestScaling(base_ppm=20_000, top_ppm=U, upper_cap=1000),
    )
    market = _v2([inst(mark=1000, mm=NO_TIERS).model_copy(update={"open_interest": oi})])
    (prices,) = _prices(state([(10, -10_000, 0)], [2_000]), market)
    assert (prices.down, prices.up) == (39_999 // 47, None) == (851, None)


def _dydx_perp(mark: int) -> InstrumentSpec:
    base = inst(scale=3, mark=mark, mm=NO_TIERS, im=((100_000, 0),))
    return base.model_copy(update={"maintenance_fraction_ppm": 500_000})


def test_dydx_truncation_and_nested_ceiling_for_a_short() -> None:
    # Short 10 quanta at scale 3; dYdX: |N| = a = ⌊10m/3⌋ (toward zero), MM = ⌈⌈a/10⌉/2⌉
    # (IMF 10 %, fraction 50 %), equity = 11 000 − a. At a = 10 476: 524 < ⌈1048/2⌉ = 524
    # fails; at a = 10 477: 523 < 524 holds. a ≥ 10 477 ⇔ 10m/3 ≥ 10 477 ⇔ m ≥ 3144
    # (⌊31 430/3⌋ = 10 476). Per-term rounding would take ⌈10m/3⌉ and breach at 3143.
    account = state([(-10, 10_000, 0)], [1_000])
    market = _v2([_dydx_perp(3000)], rounding="dydx_v4")
    (prices,) = _prices(account, market)
    assert (prices.down, prices.up) == (None, 3144)
    assert not _is_breach(account, market, 0, 3143)


def test_dydx_long_nested_term() -> None:
    # Long 10 quanta at scale 3: a = ⌊10m/3⌋, equity = a − 9000, MM = ⌈⌈a/10⌉/2⌉. At
    # a = 9474: 474 < ⌈948/2⌉ = 474 fails; a = 9473: 473 < 474 holds. a ≤ 9473 ⇔
    # 10m < 3·9474 ⇔ m ≤ 2842 (⌊28 420/3⌋ = 9473, ⌊28 430/3⌋ = 9476).
    market = _v2([_dydx_perp(3000)], rounding="dydx_v4")
    (prices,) = _prices(state([(10, -9_000, 0)], [0]), market)
    assert (prices.down, prices.up) == (2842, None)


def _put(mark: int, mark_floor_ppm: int) -> InstrumentSpec:
    rates = OptionRates(underlying_ppm=75_000, mark_floor_ppm=mark_floor_ppm, mark_ppm=U)
    formula = OptionFormula(right="put", strike=900, underlying_price=1000, maintenance=rates,
                            initial=rates)  # fmt: skip
    base = inst(mark=mark, mm=NO_TIERS, kind="option")
    return base.model_copy(update={"option_formula": formula})


def test_option_formula_mark_floor_for_a_short_put() -> None:
    # Short 2 puts, S = 1000: O = ⌈2·(max(75 000 000, 75 000·m) + 10^6·m)/10^6⌉
    # = 2m + max(150, ⌈0.15m⌉); equity = 10 000 − 2m. Where 0.15m > 150 (m > 1000):
    # 10 000 − 2m < 2m + ⌈0.15m⌉ ⇔ 10 000 < 4.15m ⇔ m ≥ 2410 (4.15·2409 = 9997.35).
    # Without the δ floor: 10 000 − 2m < 2m + 150 ⇔ m ≥ 2463.
    account = state([(-2, 10_000, 0)], [0])
    (prices,) = _prices(account, _v2([_put(1000, 75_000)]))
    assert (prices.down, prices.up) == (None, 2410)
    (prices,) = _prices(account, _v2([_put(1000, 0)]))
    assert (prices.down, prices.up) == (None, 9_850 // 4 + 1) == (None, 2463)


def test_a_long_option_is_not_charged_by_the_formula() -> None:
    # Long 2 puts bought at 1000 each with 1500 cash: equity = 2m − 500, no requirement
    # (tiers 0, longs uncharged): breach ⇔ 2m < 500 ⇔ m ≤ 249.
    (prices,) = _prices(state([(2, -2_000, 0)], [1_500]), _v2([_put(1000, 75_000)]))
    assert (prices.down, prices.up) == (249, None)


def test_the_example_sized_snapshot_gets_verified_marks() -> None:
    # The tiny example with size-rates, open-interest and size-weights (previously refused).
    market, account = sized_snapshot(), opening_for(sized_account()).state
    report = liquidation_report(account, market)
    assert report.compliant and report.instruments
    for prices in report.instruments:
        for direction, found in ((-1, prices.down), (1, prices.up)):
            if found is not None:
                assert _is_breach(account, market, prices.slot, found)
                assert not _is_breach(account, market, prices.slot, found - direction)


# --- the size-rate band walk -------------------------------------------------------------


def _band_breach(band: SizeRateBand, m: int) -> bool:
    # d + ⌊q·m/s⌋ < ⌈q·m·ρ/(U·s²)⌉, straight from the definition.
    return band.d + band.q * m // band.s < -(-band.q * m * band.rho // (U * band.s**2))


@settings(max_examples=300, deadline=None)
@given(
    q=st.integers(1, 40),
    s=st.sampled_from([1, 2, 3, 4, 6, 7, 10, 12, 30]),
    rate_ppm=st.one_of(st.integers(0, 3 * U), st.integers(U - 40, U + 40)),
    d=st.integers(-300, 300),
    start=st.integers(0, 2_000),
)
def test_band_walk_equals_a_scan(q: int, s: int, rate_ppm: int, d: int, start: int) -> None:
    rho = rate_ppm * s + (rate_ppm % 7)  # not always a multiple of the scale
    if rho == 0:
        return
    band = SizeRateBand(q, s, rho, d)
    up = next((m for m in range(start, start + 1_500) if _band_breach(band, m)), None)
    found = band.nearest_up(start, start + 1_499)
    assert found == up
    down = next((m for m in range(start, -1, -1) if _band_breach(band, m)), None)
    assert band.nearest_down(start, 0) == down


def test_band_bound_is_tight_where_the_residue_peaks() -> None:
    # q = 1, s = 3 (g = 1, so r = m mod 3 reaches 2 = s − g), d = −3, c = 1 137 931
    # (ρ = 3·U − c): L(29) = 29·c − 9·U·3 = 5 999 999 = U·s·(s − g) − 1, one below the bound,
    # and r(29) = 2: U·s·r = 6 000 000 > L, a breach the walk must not skip. Wherever the
    # bound says "none", the definition agrees.
    band = SizeRateBand(1, 3, 3 * U - 1_137_931, -3)
    assert band.level(29) == -1 and _band_breach(band, 29)
    assert band.nearest_down(29, 29) == band.nearest_up(29, 29) == 29
    assert not any(_band_breach(band, m) for m in range(0, 400) if band.level(m) >= 0)


def test_band_walk_refuses_past_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # q = 5, s = 7, ρ = 7·U − 2 (a hair under 100 %), d = 0: from 3 500 002 down, the nearest
    # breach 3 499 997 lies several notional blocks away (checked by a scan); with a limit of
    # 3 blocks the walk refuses instead of skipping.
    band = SizeRateBand(5, 7, 7 * U - 2, 0)
    scanned = next(m for m in range(3_500_002, 0, -1) if _band_breach(band, m))
    assert band.nearest_down(3_500_002, 0) == scanned == 3_499_997
    monkeypatch.setattr(liquidation, "MAX_BAND_BLOCKS", 3)
    with pytest.raises(LiquidationError, match="close to 100 %"):
        band.nearest_down(3_500_002, 0)


# --- random small version-2 snapshots against the engine ---------------------------------

WINDOW = 300


def _scan(account: AccountState, market: MarketSnapshot, slot: int, direction: int) -> int | None:
    mark = market.instruments[slot].mark_price
    for step in range(1, WINDOW + 1):
        m = mark + direction * step
        if not 0 <= m <= U64_MAX:
            return None
        if _is_breach(account, market, slot, m):
            return m
    return None


@st.composite
def _v2_accounts(draw: st.DrawFn) -> tuple[AccountState, MarketSnapshot]:
    n = draw(st.integers(1, 2))
    dydx = draw(st.booleans())
    instruments = []
    for _ in range(n):
        option = draw(st.booleans())
        one = inst(
            scale=draw(st.sampled_from([1, 2, 3, 7, 10])),
            mark=draw(st.integers(0, 3_000)),
            mm=[(t.rate_ppm, t.deduction) for t in draw(margin_tiers(2))],
            im=((draw(st.integers(0, U)), 0),),
            risk=[draw(st.integers(-100, 100))],
            som=draw(st.integers(0, 50)),
            kind="option" if option else "perp",
        )
        update: dict[str, object] = {}
        if draw(st.booleans()):
            rate = SizeRate(base_ppm=draw(st.integers(0, 2 * U)), slope_ppm=draw(
                st.integers(0, 200_000)), cap_ppm=draw(st.integers(0, 3 * U)),
                premium_base_ppm=draw(st.integers(0, U)),
                factor_ppm=draw(st.integers(0, 300_000)))  # fmt: skip
            update["size_rates"] = KindSizeRates(maintenance=rate)
        if draw(st.booleans()):
            update["open_interest"] = OpenInterest(
                value=draw(st.integers(0, 2_000)),
                maintenance=OpenInterestScaling(base_ppm=draw(st.integers(0, U)),
                                                top_ppm=U, upper_cap=1_000),
            )  # fmt: skip
        if dydx and draw(st.booleans()):
            update["maintenance_fraction_ppm"] = draw(st.integers(0, U))
        if draw(st.booleans()):
            update["initial_risk_array"] = [draw(st.integers(-500, 500))]
        if option:
            rates = OptionRates(**{
                name: draw(st.integers(0, 2 * U))
                for name in ("underlying_ppm", "otm_ppm", "floor_ppm", "mark_floor_ppm",
                             "mark_ppm")
            })  # fmt: skip
            update["option_formula"] = OptionFormula(
                right=draw(st.sampled_from(["call", "put"])), strike=draw(st.integers(0, 3_000)),
                underlying_price=draw(st.integers(0, 3_000)), maintenance=rates, initial=rates,
            )  # fmt: skip
        instruments.append(one.model_copy(update=update))
    collateral = coll()
    if draw(st.booleans()):
        collateral = collateral.model_copy(
            update={"size_weights": SizeWeights(asset_factor_ppm=draw(st.integers(0, 50_000)))}
        )
    uses_feature = collateral.size_weights is not None or any(
        i.size_rates or i.open_interest or i.initial_risk_array or i.option_formula
        for i in instruments
    )
    rounding = "dydx_v4" if dydx or not uses_feature else "per_term"
    market = _v2(instruments, [collateral], rounding=rounding)
    positions = [(draw(st.integers(-40, 40)), 0, 0) for _ in range(n)]
    account = state(positions, [draw(st.integers(0, 100_000))])
    # Put the account a drawn distance from maintenance (the cost basis moves only equity),
    # so that breaches lie within the scanned window often.
    report = margin_report(account, market)
    distance = report.equity - report.requirement(REQUIREMENT_MAINTENANCE)
    positions[0] = (positions[0][0], draw(st.integers(-20, 400)) - distance, 0)
    return state(positions, account.balances), market


@settings(max_examples=150, deadline=None)
@given(_v2_accounts())
def test_v2_marks_are_the_nearest_breaches(case: tuple[AccountState, MarketSnapshot]) -> None:
    account, market = case
    assert feature_mask(market)
    report = liquidation_report(account, market)
    if not report.compliant:
        assert report.instruments == []
        return
    for prices in report.instruments:
        for direction, found in ((-1, prices.down), (1, prices.up)):
            scanned = _scan(account, market, prices.slot, direction)
            if found is None:
                assert scanned is None
                end = 0 if direction < 0 else U64_MAX
                assert maintenance_compliant(account, with_mark(market, prices.slot, end))
                continue
            # every mark strictly between the current one and the reported one is compliant
            assert _is_breach(account, market, prices.slot, found)
            assert scanned == (found if abs(found - prices.mark) <= WINDOW else None)


@settings(max_examples=100, deadline=None)
@given(_small_accounts())
def test_v2_search_equals_the_v1_closed_form(case: tuple[AccountState, MarketSnapshot]) -> None:
    # On version-1 snapshots both derivations apply: the mark-space search (binary searches
    # and the band walk) must give the closed form's marks.
    account, market = case
    if not maintenance_compliant(account, market):
        return
    report = margin_report(account, market)
    for slot, position in enumerate(account.positions):
        if position.size == 0:
            continue
        inst_ = market.instruments[slot]
        parts = FixedParts(report.equity - report.notionals[slot],
                           report.maintenance - report.maintenance_per_instrument[slot],
                           report.scenario)  # fmt: skip
        closed = instrument_liquidation(account, market, report, slot)
        model = mark_model(inst_, position.size, market.rounding)
        assert mark_liquidation(parts, model, inst_.mark_price) == (closed.down, closed.up)


# --- refusals ------------------------------------------------------------------------------


def test_a_feature_outside_the_supported_set_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # A feature registered later (simulated by shrinking the supported set) is named, not
    # guessed at; the distance to maintenance is still reported.
    market, account = sized_snapshot(), opening_for(sized_account()).state
    monkeypatch.setattr(liquidation, "SUPPORTED_FEATURES", 1 << 1)
    with pytest.raises(LiquidationError, match="not modelled for snapshot features") as info:
        liquidation_report(account, market)
    assert "size-rates,open-interest" in str(info.value)
    assert "size-weights" not in str(info.value)
    assert feature_names(feature_mask(market)) == "size-rates,size-weights,open-interest"
    distance_only = liquidation_report(account, market, with_prices=False)
    assert distance_only.distance == distance_only.equity - distance_only.requirement


def test_a_derivation_that_disagrees_at_the_current_mark_raises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    honest = liquidation.mark_model

    def off_by_one_rate(inst_: InstrumentSpec, size: int, rounding: str) -> MarkModel:
        model = honest(inst_, size, rounding)
        return dataclasses.replace(model, size_rate=(model.size_rate or 0) + U)

    monkeypatch.setattr(liquidation, "mark_model", off_by_one_rate)
    rate = SizeRate(base_ppm=50_000, cap_ppm=50_000)
    market = _v2([_sized(inst(mark=1000, mm=NO_TIERS), rate)])
    with pytest.raises(LiquidationError, match="disagrees with the reference engine at the"):
        liquidation_report(state([(10, -10_000, 0)], [2_000]), market)


def test_a_wrong_search_result_is_caught_by_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    honest = liquidation.mark_liquidation
    monkeypatch.setattr(
        liquidation, "mark_liquidation",
        lambda parts, model, mark: tuple(
            None if m is None else m + 1 for m in honest(parts, model, mark)
        ),
    )  # fmt: skip
    rate = SizeRate(base_ppm=50_000, cap_ppm=50_000)
    market = _v2([_sized(inst(mark=1000, mm=NO_TIERS), rate)])
    with pytest.raises(LiquidationError, match="disagrees with the reference engine"):
        liquidation_report(state([(10, -10_000, 0)], [2_000]), market)


def near_100_percent_case() -> tuple[AccountState, MarketSnapshot]:
    """A long whose maintenance size rate is 1/(U·s) under 100 % at a scale near 2^30:
    ``ρ = U·s − 1`` with ``s = 511·2^21 + 1``, ``q = 2^21`` (coprime), base ``U − 1``, slope
    511. Its breach marks alternate over more than 2^20 notional blocks below the mark."""
    q, s = 1 << 21, 511 * (1 << 21) + 1
    rate = SizeRate(base_ppm=U - 1, slope_ppm=511, cap_ppm=U)
    mark = U * s * (s - 2) // q + 3
    base = inst(scale=s, mark=mark, mm=NO_TIERS).model_copy(update={"symbol": "NEAR-PERP"})
    return state([(q, 0, 0)], [0]), _v2([_sized(base, rate)])


def test_a_band_too_wide_to_walk_is_refused() -> None:
    account, market = near_100_percent_case()
    assert liquidation.mark_model(market.instruments[0], 1 << 21, "per_term").size_rate == (
        U * market.instruments[0].size_scale - 1
    )
    report = liquidation_report(account, market, with_prices=False)
    assert report.compliant
    with pytest.raises(LiquidationError, match="close to 100 %"):
        liquidation_report(account, market)


# --- the CLI -------------------------------------------------------------------------------


def _write(tmp_path: Path, account: AccountState, market: MarketSnapshot) -> None:
    (tmp_path / "opening.json").write_text(dump_json(commit(account)))
    (tmp_path / "snapshot.json").write_text(dump_json(market))


def test_cli_prints_v2_liquidation_marks(tmp_path: Path) -> None:
    # The non-monotone size-rate case above, at mark 300: 299 below and 301 above.
    rate = SizeRate(base_ppm=500_000, cap_ppm=500_000)
    base = inst(scale=3, mark=300, mm=NO_TIERS).model_copy(update={"symbol": "ETH-PERP"})
    _write(tmp_path, state([(2, -100, 0)], [0]), _v2([_sized(base, rate)]))
    done = zkm("margin", "report", "opening.json", "snapshot.json", "--liquidation",
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ETH-PERP: mark 300; down: 299; up: 301" in done.stdout
    as_json = zkm("margin", "report", "opening.json", "snapshot.json", "--liquidation",
                  "--json", cwd=tmp_path)  # fmt: skip
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["liquidation"] == [
        {"slot": 0, "symbol": "ETH-PERP", "mark": 300, "down": 299, "up": 301}
    ]


def test_cli_refuses_what_is_still_unsupported_with_one_line(tmp_path: Path) -> None:
    account, market = near_100_percent_case()
    _write(tmp_path, account, market)
    done = zkm("margin", "report", "opening.json", "snapshot.json", "--liquidation",
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "close to 100 %" in lines[0], done.stderr
    assert "NEAR-PERP" not in done.stderr and str(1 << 21) not in done.stderr
    plain = zkm("margin", "report", "opening.json", "snapshot.json", "--json", cwd=tmp_path)
    assert plain.returncode == 0 and "maintenance_distance" in json.loads(plain.stdout)
