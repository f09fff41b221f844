"""Liquidation marks (``circuits.margin.liquidation``): hand-derived cases and brute force."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circuits.margin.liquidation import (
    LiquidationError,
    LiquidationPrices,
    liquidation_report,
    maintenance_compliant,
    marks_with_notional_in,
    with_mark,
)
from circuits.margin.model import AccountState, MarketSnapshot
from circuits.margin.units import U64_MAX, U
from tests.margin.helpers import coll, inst, snap, state
from tests.margin.strategies import margin_tiers

FLAT_5PCT = ((50_000, 0),)


def _prices(account: AccountState, market: MarketSnapshot) -> list[LiquidationPrices]:
    report = liquidation_report(account, market)
    assert report.compliant
    return report.instruments


def test_single_long_with_flat_mmf_matches_the_closed_form() -> None:
    # 10 units bought at 1000 with 2000 cash: equity = 10m − 8000, MM = ⌈m/2⌉.
    # 10m − 8000 < ⌈m/2⌉ ⇔ 19m < 16000 (integers): the largest breach mark is ⌊15999/19⌋.
    market = snap([inst(mark=1000, mm=FLAT_5PCT)], [coll()])
    account = state([(10, -10_000, 0)], [2_000])
    (prices,) = _prices(account, market)
    assert (prices.down, prices.up) == (15_999 // 19, None) == (842, None)
    assert not maintenance_compliant(account, with_mark(market, 0, 842))
    assert maintenance_compliant(account, with_mark(market, 0, 843))


def test_single_short_breaches_upward_only() -> None:
    # Sold 10 at 1000 with 2000 cash: equity = 12000 − 10m, MM = ⌈m/2⌉; 21m > 24000 ⇔ m ≥ 1143.
    market = snap([inst(mark=1000, mm=FLAT_5PCT)], [coll()])
    account = state([(-10, 10_000, 0)], [2_000])
    (prices,) = _prices(account, market)
    assert (prices.down, prices.up) == (None, 1143)


def test_tiered_schedule_breach_in_the_upper_tier_uses_its_rate() -> None:
    # 1000 quanta at scale 10 = 100 units: N = 100m. Tiers 1 % and 5 % − 400 (breakpoint
    # N = 10000, m = 100). Equity = 100m − 19000. In the upper tier 100m − 19000 < 5m − 400
    # ⇔ 95m < 18600 ⇔ m ≤ 195; the first tier alone would say 99m < 19000 ⇔ m ≤ 191.
    tiers = ((10_000, 0), (50_000, 400))
    market = snap([inst(scale=10, mark=200, mm=tiers)], [coll()])
    account = state([(1_000, -20_000, 0)], [1_000])
    (prices,) = _prices(account, market)
    assert (prices.down, prices.up) == (195, None)


def test_tiered_schedule_breach_below_the_breakpoint() -> None:
    # Same schedule, equity = 100m − 9700: compliant at m = 200 (upper tier, MM 600); below
    # m = 100 the first tier binds: 100m − 9700 < m ⇔ 99m < 9700 ⇔ m ≤ 97.
    tiers = ((10_000, 0), (50_000, 400))
    market = snap([inst(scale=10, mark=200, mm=tiers)], [coll()])
    account = state([(1_000, -20_000, 0)], [10_300])
    (prices,) = _prices(account, market)
    assert (prices.down, prices.up) == (97, None)


def test_scenario_requirement_does_not_move_with_the_mark() -> None:
    # Risk array 60 per long quantum: Req3 = 600 at every mark. 10m − 8000 < max(⌈m/2⌉, 600)
    # first holds at m ≤ 859 (where ⌈m/2⌉ ≤ 430 < 600).
    market = snap([inst(mark=1000, mm=FLAT_5PCT, risk=[60])], [coll()])
    account = state([(10, -10_000, 0)], [2_000])
    (prices,) = _prices(account, market)
    assert (prices.down, prices.up) == (859, None)


def test_fully_backed_long_has_no_liquidation_within_bounds() -> None:
    # No debt: equity = 10m ≥ ⌈m/2⌉ at every mark in [0, 2^64).
    market = snap([inst(mark=1000, mm=FLAT_5PCT)], [coll()])
    account = state([(10, 0, 0)], [0])
    (prices,) = _prices(account, market)
    assert (prices.down, prices.up) == (None, None)
    for mark in (0, 1, U64_MAX):
        assert maintenance_compliant(account, with_mark(market, 0, mark))


def test_multiple_instruments_each_with_the_others_held_fixed() -> None:
    # equity = 3000 + (10a − 10000) + (10000 − 5b); MM = ⌈a/2⌉ + ⌈b/2⌉ (5 % and 10 %).
    # a moves (b = 2000): 10a − 8000 < ⌈a/2⌉ ⇔ a ≤ 842. b moves (a = 1000):
    # 12500 < 5b + ⌈b/2⌉ ⇔ 11b > 25000 ⇔ b ≥ 2273.
    market = snap([inst(mark=1000, mm=FLAT_5PCT), inst(mark=2000, mm=((100_000, 0),))], [coll()])
    account = state([(10, -10_000, 0), (-5, 10_000, 0)], [3_000])
    a, b = _prices(account, market)
    assert (a.slot, a.down, a.up) == (0, 842, None)
    assert (b.slot, b.down, b.up) == (1, None, 2273)


def test_account_already_in_breach_reports_no_marks_and_negative_distance() -> None:
    market = snap([inst(mark=800, mm=FLAT_5PCT)], [coll()])
    account = state([(10, -10_000, 0)], [2_000])  # equity 0 < MM 400
    report = liquidation_report(account, market)
    assert not report.compliant and report.instruments == []
    assert (report.distance, report.distance_ppm) == (-400, None)


def test_distance_to_maintenance_in_qq_and_ppm_of_equity() -> None:
    market = snap([inst(mark=1000, mm=FLAT_5PCT)], [coll()])
    report = liquidation_report(state([(10, -10_000, 0)], [2_000]), market)
    # equity 2000, MM 500: 1500 QQ, i.e. 75 % of equity can be lost before the breach.
    assert report.summary() == {"maintenance_distance": 1500, "maintenance_distance_ppm": 750_000}


def test_marks_with_notional_in_solves_both_ends_exactly() -> None:
    # ⌊7m/3⌋ ∈ [10, 20] ⇔ m ∈ [5, 8] (⌊28/3⌋ = 9, ⌊63/3⌋ = 21); for a short ⌊−7m/3⌋ rounds
    # toward −∞, so ⌊−28/3⌋ = −10 is already inside [−20, −10]: m ∈ [4, 8].
    assert marks_with_notional_in(7, 3, (10, 20)) == (5, 8)
    assert marks_with_notional_in(-7, 3, (-20, -10)) == (4, 8)
    for size, notionals in ((7, (10, 20)), (-7, (-20, -10)), (5, (-3, 2)), (-2, (0, 0))):
        lo, hi = marks_with_notional_in(size, 3, notionals)
        for m in range(0, 40):
            assert (lo <= m <= hi) == (notionals[0] <= size * m // 3 <= notionals[1])


WINDOW = 400


def _scan(account: AccountState, market: MarketSnapshot, slot: int, direction: int) -> int | None:
    """Return the nearest breach mark within WINDOW quanta in ``direction`` by brute force."""
    mark = market.instruments[slot].mark_price
    for step in range(1, WINDOW + 1):
        m = mark + direction * step
        if not 0 <= m <= U64_MAX:
            return None
        if not maintenance_compliant(account, with_mark(market, slot, m)):
            return m
    return None


@st.composite
def _small_accounts(draw: st.DrawFn) -> tuple[AccountState, MarketSnapshot]:
    n = draw(st.integers(1, 2))
    instruments = [
        inst(
            scale=draw(st.sampled_from([1, 3, 10])),
            mark=draw(st.integers(0, 3_000)),
            mm=[(t.rate_ppm, t.deduction) for t in draw(margin_tiers(3))],
            risk=[draw(st.integers(-100, 100)) for _ in range(2)],
            som=draw(st.integers(0, 50)),
        )
        for _ in range(n)
    ]
    market = snap(instruments, [coll()], tier_slots=3)
    positions = [
        (draw(st.integers(-60, 60)), draw(st.integers(-200_000, 200_000)), 0) for _ in range(n)
    ]
    return state(positions, [draw(st.integers(0, 200_000))]), market


@settings(max_examples=100, deadline=None)
@given(_small_accounts())
def test_reported_marks_are_the_nearest_breaches(case: tuple[AccountState, MarketSnapshot]) -> None:
    account, market = case
    report = liquidation_report(account, market)
    if not report.compliant:
        assert report.instruments == []
        return
    for prices in report.instruments:
        for direction, found in ((-1, prices.down), (1, prices.up)):
            if found is None:
                # no breach anywhere in that direction: the scan and the far end agree
                assert _scan(account, market, prices.slot, direction) is None
                end = 0 if direction < 0 else U64_MAX
                assert maintenance_compliant(account, with_mark(market, prices.slot, end))
                continue
            assert not maintenance_compliant(account, with_mark(market, prices.slot, found))
            nearer = found - direction
            assert maintenance_compliant(account, with_mark(market, prices.slot, nearer))
            scanned = _scan(account, market, prices.slot, direction)
            if abs(found - prices.mark) <= WINDOW:
                assert scanned == found
            else:
                assert scanned is None


def test_rates_at_100_percent_are_handled() -> None:
    # MMF 100 %: a long is in breach iff equity < N, i.e. whenever it owes anything.
    market = snap([inst(mark=1000, mm=((U, 0),))], [coll()])
    (prices,) = _prices(state([(10, -10_000, 0)], [10_000]), market)
    assert (prices.down, prices.up) == (None, None)
    # A short at 100 %: equity 20000 − 10m < 10m ⇔ m ≥ 1001.
    (prices,) = _prices(state([(-10, 10_000, 0)], [10_000]), market)
    assert (prices.down, prices.up) == (None, 1001)


def test_a_derivation_the_engine_disagrees_with_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    # A breach set one quantum too wide (as if the model had changed under the derivation)
    # must not be reported: the engine check refuses it.
    import circuits.margin.liquidation as liquidation

    honest = liquidation.breach_notionals
    monkeypatch.setattr(
        liquidation, "breach_notionals", lambda parts, inst: [
            (lo, hi + 10) for lo, hi in honest(parts, inst)
        ],
    )  # fmt: skip
    market = snap([inst(mark=1000, mm=FLAT_5PCT)], [coll()])
    with pytest.raises(LiquidationError, match="disagrees with the reference engine"):
        liquidation_report(state([(10, -10_000, 0)], [2_000]), market)


def test_version_1_snapshots_still_get_marks() -> None:
    market = snap([inst(mark=1000, mm=FLAT_5PCT)], [coll()])
    account = state([(10, -10_000, 0)], [2_000])
    assert _prices(account, market)[0].down == 15_999 // 19
