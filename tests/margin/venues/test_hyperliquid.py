"""Hyperliquid margin tiers (fixtures/hyperliquid.json): profile, engine, CLI and circuit."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from circuits.margin.model import InstrumentSpec, MarketSnapshot
from circuits.margin.reference import margin_report
from circuits.margin.sizes import TINY
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.units import U
from tests.margin.helpers import state
from tests.margin.venues.helpers import (
    assert_circuit_boundary,
    cli_report,
    example,
    to_qq,
)
from zkmargin.riskdesk.venues import hyperliquid as hl
from zkmargin.riskdesk.venues.common import ppm_up, qq, quote_collateral, venue_snapshot

DEC = 6
SCALE = 10**5  # 0.00001 BTC a size quantum (Hyperliquid's BTC szDecimals is 5)


def _snapshot(table: hl.MarginTable, mark: str) -> tuple[InstrumentSpec, MarketSnapshot]:
    perp = hl.perp("BTC", table, mark_price=qq(mark, DEC), size_scale=SCALE,
                   n_scenarios=TINY.n_scenarios)  # fmt: skip
    return perp, venue_snapshot([perp], [quote_collateral("USDC")])


def test_maintenance_rate_at_20x_is_the_published_2_5_percent() -> None:
    ex = example("hyperliquid", "mmr-at-20x")
    table = hl.MarginTable(((0, ex["inputs"]["max_leverage"]),))
    maintenance, initial = hl.schedules(table, DEC)
    assert maintenance[0].rate_ppm == ppm_up(ex["results"]["maintenance_margin_rate"]) == 25_000
    assert initial[0].rate_ppm == 2 * maintenance[0].rate_ppm


def test_btc_mainnet_position_reproduces_the_bracket_formula_to_the_qq(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_keys: Path
) -> None:
    ex = example("hyperliquid", "btc-mainnet-200m")
    inputs, results = ex["inputs"], ex["results"]
    _, snapshot = _snapshot(hl.BTC_MAINNET, inputs["mark_price"])
    account = state([(to_qq(inputs["size"], 5), -to_qq(results["notional"], DEC), 0)], [0])
    assert snapshot.instruments[0].maintenance_tiers[1].deduction == to_qq(
        results["maintenance_deduction_tier_1"], DEC
    )
    report = margin_report(account, snapshot)
    venue = hl.maintenance_margin(Fraction(results["notional"]), hl.BTC_MAINNET)
    assert report.maintenance == to_qq(results["maintenance_margin"], DEC) == venue * 10**DEC
    assert report.initial == to_qq(results["initial_margin_at_max_leverage"], DEC)
    cli = cli_report(tmp_path, capsys, account, snapshot)
    assert cli["requirement_maintenance"] == report.maintenance
    assert cli["requirement_initial"] == report.initial
    for kind in (REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL):
        keys = tiny_keys if kind == REQUIREMENT_MAINTENANCE else None  # one Groth16 proof
        assert assert_circuit_boundary(account, snapshot, kind, 0, keys) == "tiny"


def test_btc_testnet_five_tiers_are_conservative_by_the_measured_qq(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = example("hyperliquid", "btc-testnet-400k")
    inputs, results, model = ex["inputs"], ex["results"], ex["model"]
    _, snapshot = _snapshot(hl.BTC_TESTNET, inputs["mark_price"])
    account = state([(to_qq(inputs["size"], 5), -to_qq(results["notional"], DEC), 0)], [0])
    assert snapshot.tier_slots == 5
    assert snapshot.instruments[0].maintenance_tiers[4].deduction == to_qq(
        results["maintenance_deduction_tier_4"], DEC
    )
    venue = Fraction(results["maintenance_margin"]) * 10**DEC
    assert venue == hl.maintenance_margin(Fraction(results["notional"]), hl.BTC_TESTNET) * 10**DEC
    venue_qq = -(-venue.numerator // venue.denominator)
    report = margin_report(account, snapshot)
    assert report.maintenance - venue_qq == model["excess_qq"]
    assert cli_report(tmp_path, capsys, account, snapshot)["maintenance"] == report.maintenance
    # Below the 3x tier every rate is whole ppm: exact there.
    inside = state([(to_qq("2.5", 5), -to_qq("250000", DEC), 0)], [0])
    exact = hl.maintenance_margin(Fraction(250_000), hl.BTC_TESTNET) * 10**DEC
    assert margin_report(inside, snapshot).maintenance == exact
    assert assert_circuit_boundary(account, snapshot, REQUIREMENT_MAINTENANCE, 0) == "custom"


def test_schedule_is_never_below_the_venue_formula_across_tiers() -> None:
    _, snapshot = _snapshot(hl.BTC_TESTNET, "1")
    tiers = snapshot.instruments[0].maintenance_tiers
    for usd in (0, 1, 9_999, 10_000, 10_001, 77_777, 100_000, 299_999, 300_000, 10**7):
        notional = usd * 10**DEC
        engine = max(0, *(-(-(notional * t.rate_ppm - U * t.deduction) // U) for t in tiers))
        venue = hl.maintenance_margin(Fraction(usd), hl.BTC_TESTNET) * 10**DEC
        assert venue <= engine < venue + 1 + notional * Fraction(1, 3 * 10**6)
