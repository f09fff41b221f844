"""dYdX v4 liquidity tiers (fixtures/dydx.json): version 1 exact on whole positions and one
QQ short where dYdX's nested ceiling differs, never more; version 2 with the ``dydx_v4``
rounding profile exact everywhere (the nested ceiling and the toward-zero short notional)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from circuits.margin.extensions import feature_mask, feature_names
from circuits.margin.model import MarketSnapshot
from circuits.margin.reference import margin_report, tier_requirement
from circuits.margin.sizes import TINY
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from tests.margin.helpers import state
from tests.margin.venues.helpers import assert_circuit_boundary, cli_report, example, to_qq
from zkmargin.riskdesk.venues import dydx
from zkmargin.riskdesk.venues.common import qq, quote_collateral, venue_snapshot

DEC = 6
SCALE = 10**8  # dYdX BTC steps are multiples of 10^-8 BTC (atomic resolution −10 > 2^30)


def _snapshot(mark: str) -> MarketSnapshot:
    perp = dydx.perp("BTC-USD", dydx.LARGE_CAP, mark_price=qq(mark, DEC), size_scale=SCALE,
                     n_scenarios=TINY.n_scenarios)  # fmt: skip
    return venue_snapshot([perp], [quote_collateral("USDC")])


def test_liquidity_tier_fractions_from_the_published_ppm() -> None:
    assert dydx.fractions_ppm(dydx.LARGE_CAP) == (12_000, 20_000)
    assert dydx.fractions_ppm(dydx.MID_CAP) == (50_000, 100_000)
    assert dydx.fractions_ppm(dydx.LONG_TAIL) == (100_000, 200_000)


@pytest.mark.parametrize("side", [1, -1])
def test_large_cap_position_matches_the_chain_formula_to_the_qq(
    side: int, tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_keys: Path
) -> None:
    ex = example("dydx", "large-cap-1.5-btc")
    inputs, results = ex["inputs"], ex["results"]
    snapshot = _snapshot(inputs["price"])
    notional = to_qq(results["notional"], DEC)
    account = state([(side * to_qq(inputs["size"], 8), -side * notional, 0)], [0])
    report = margin_report(account, snapshot)
    imr, mmr = dydx.venue_requirements(notional, dydx.LARGE_CAP)
    assert (report.initial, report.maintenance) == (imr, mmr)
    assert imr == to_qq(results["initial_margin"], DEC)
    assert mmr == to_qq(results["maintenance_margin"], DEC)
    cli = cli_report(tmp_path, capsys, account, snapshot)
    assert (cli["initial"], cli["maintenance"], cli["equity"]) == (imr, mmr, 0)
    if side == 1:
        for kind in (REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL):
            keys = tiny_keys if kind == REQUIREMENT_MAINTENANCE else None  # one Groth16 proof
            assert assert_circuit_boundary(account, snapshot, kind, 0, keys) == "tiny"


def test_version_1_single_ceiling_is_one_qq_below_the_nested_at_51_qq() -> None:
    ex = example("dydx", "nested-ceiling-51-qq")
    notional = ex["inputs"]["notional_qq"]
    snapshot = _snapshot("1")
    inst = snapshot.instruments[0]
    imr, mmr = dydx.venue_requirements(notional, dydx.LARGE_CAP)
    assert (imr, mmr) == (
        ex["results"]["initial_margin_qq"],
        ex["results"]["maintenance_margin_qq"],
    )
    assert tier_requirement(notional, inst.initial_tiers) == imr
    v1_deficit = mmr - tier_requirement(notional, inst.maintenance_tiers)
    assert v1_deficit == ex["model"]["version_1_deficit_qq"]


def _nested_snapshot(mark_qq: int) -> MarketSnapshot:
    perp = dydx.nested_perp("BTC-USD", dydx.LARGE_CAP, mark_price=mark_qq, size_scale=SCALE,
                            n_scenarios=1)  # fmt: skip
    return dydx.snapshot([perp], [quote_collateral("USDC")])


@pytest.mark.parametrize("side", [1, -1])
def test_nested_ceiling_51_qq_is_exact_with_the_dydx_v4_profile(
    side: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = example("dydx", "nested-ceiling-51-qq")
    notional = ex["inputs"]["notional_qq"]
    snapshot = _nested_snapshot(notional)  # one whole BTC at 51 QQ: |N| = 51
    assert (snapshot.version, snapshot.rounding) == (2, "dydx_v4")
    account = state([(side * SCALE, -side * notional, 0)], [0])
    expected = (ex["results"]["initial_margin_qq"], ex["results"]["maintenance_margin_qq"])
    assert dydx.venue_requirements(notional, dydx.LARGE_CAP) == expected
    report = margin_report(account, snapshot)
    assert (report.initial, report.maintenance) == expected
    assert ex["model"]["deficit_qq"] == 0
    cli = cli_report(tmp_path, capsys, account, snapshot)
    assert (cli["initial"], cli["maintenance"], cli["equity"]) == (*expected, 0)
    if side == 1:
        size = assert_circuit_boundary(account, snapshot, REQUIREMENT_MAINTENANCE, 0)
        assert size == "custom"


def test_dydx_v4_profile_equals_the_chain_on_every_small_notional() -> None:
    # The version-1 path is up to one QQ short (below); the nested profile never differs.
    for notional in range(0, 5_000):
        _, mmr = dydx.venue_requirements(notional, dydx.LARGE_CAP)
        for side in (1, -1):
            report = margin_report(state([(side * SCALE, 0, 0)], [0]), _nested_snapshot(notional))
            assert report.maintenance == mmr


def test_single_ceiling_deficit_never_exceeds_one_qq() -> None:
    inst = _snapshot("1").instruments[0]
    deficits = set()
    for notional in range(0, 20_000):
        _, mmr = dydx.venue_requirements(notional, dydx.LARGE_CAP)
        deficits.add(mmr - tier_requirement(notional, inst.maintenance_tiers))
    assert deficits == {0, 1}
    for notional in range(0, 200_000, 50):  # IMR exact ⇒ one ceiling = two: every whole cent
        _, mmr = dydx.venue_requirements(notional, dydx.LARGE_CAP)
        assert mmr == tier_requirement(notional, inst.maintenance_tiers)


def test_open_interest_imf_baked_in_is_never_below_the_chain() -> None:
    tier = dydx.LiquidityTier("OI", 20_000, 600_000, 500_000 * 10**DEC, 1_000_000 * 10**DEC)
    for open_notional in (0, 500_000 * 10**DEC, 612_345_678_901, 999_999 * 10**DEC, 2 * 10**12):
        _, initial_ppm = dydx.fractions_ppm(tier, open_notional)
        for notional in (1, 51, 96_185_175_000, 10**13 + 7):
            imr, _ = dydx.venue_requirements(notional, tier, open_notional)
            engine = -(-notional * initial_ppm // 10**6)
            assert imr <= engine <= imr + notional // 10**6 + 1
    assert dydx.effective_imf(tier, 750_000 * 10**DEC) == Fraction(51, 100)


OI_TIER = dydx.LiquidityTier("OI", 20_000, 600_000, 500_000 * 10**DEC, 1_000_000 * 10**DEC)


def test_open_interest_imf_is_computed_in_circuit_from_the_hashed_open_interest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # OI 750 000 USDC: effective IMF = 0.02 + 0.5·0.98 = 0.51 (a whole ppm: exact).
    ex = example("dydx", "open-interest-imf")
    assert "effective_IMF" in ex["inputs"]["formula"]
    open_notional = 750_000 * 10**DEC
    assert dydx.effective_imf(OI_TIER, open_notional) == Fraction(51, 100)
    perp = dydx.nested_perp("BTC-USD", OI_TIER, mark_price=qq("64123.45", DEC),
                            size_scale=SCALE, n_scenarios=1,
                            open_notional=open_notional)  # fmt: skip
    snapshot = dydx.snapshot([perp], [quote_collateral("USDC")])
    assert feature_names(feature_mask(snapshot)) == "open-interest,rounding-profile"
    size = to_qq("1.5", 8)
    notional = to_qq("96185.175", DEC)
    account = state([(size, -notional, 0)], [0])
    report = margin_report(account, snapshot)
    assert (report.initial, report.maintenance) == dydx.venue_requirements(
        notional, OI_TIER, open_notional
    )
    cli = cli_report(tmp_path, capsys, account, snapshot)
    assert (cli["initial"], cli["maintenance"]) == (report.initial, report.maintenance)
    assert assert_circuit_boundary(account, snapshot, REQUIREMENT_INITIAL, 0) == "custom"


def test_open_interest_imf_in_circuit_is_never_below_the_chain_and_within_a_ppm() -> None:
    for open_notional in (0, 500_000 * 10**DEC, 612_345_678_901, 999_999 * 10**DEC, 2 * 10**12):
        perp = dydx.nested_perp("BTC-USD", OI_TIER, mark_price=1, size_scale=1, n_scenarios=1,
                                open_notional=open_notional)  # fmt: skip
        snapshot = dydx.snapshot([perp], [quote_collateral("USDC")])
        for notional in (1, 51, 96_185_175_000, 10**13 + 7):
            imr, mmr = dydx.venue_requirements(notional, OI_TIER, open_notional)
            report = margin_report(state([(notional, 0, 0)], [0]), snapshot)
            assert report.maintenance == mmr
            assert imr <= report.initial <= imr + notional // 10**6 + 1
