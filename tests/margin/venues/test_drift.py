"""Drift spot-asset weights (fixtures/drift.json): the published 2000-SOL example, one
snapshot per requirement kind, and the balance above which the sqrt discount binds."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from circuits.margin.model import MarginTier, MarketSnapshot
from circuits.margin.reference import margin_report
from circuits.margin.sizes import TINY
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.units import U
from tests.margin.helpers import state
from tests.margin.venues.helpers import assert_circuit_boundary, cli_report, example, to_qq
from zkmargin.riskdesk.venues import drift
from zkmargin.riskdesk.venues.common import instrument, qq, quote_collateral, venue_snapshot

DEC = 6
SOL_DECIMALS = 9


def _snapshot(kind: int, price: str) -> MarketSnapshot:
    sol = drift.collateral(drift.SOL, kind, price=qq(price, DEC), scale=10**SOL_DECIMALS)
    empty = instrument("SOL-PERP", size_scale=1, mark_price=0, maintenance=[MarginTier(rate_ppm=0)],
                       initial=[MarginTier(rate_ppm=0)], n_scenarios=TINY.n_scenarios)  # fmt: skip
    return venue_snapshot([empty], [quote_collateral("USDC"), sol])


def test_2000_sol_keeps_the_published_80_percent_initial_weight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_keys: Path
) -> None:
    ex = example("drift", "sol-2000-initial-weight")
    inputs, results = ex["inputs"], ex["results"]
    discount = Decimal("1.1") / (1 + Decimal("0.003") * Decimal(inputs["balance"]).sqrt())
    assert discount.quantize(Decimal("0.00001"), rounding=ROUND_DOWN) == Decimal(
        results["discount"]
    )
    weight = drift.size_discounted_weight("0.80", "0.003", int(inputs["balance"]))
    assert weight == Decimal(results["initial_asset_weight"])
    snapshot = _snapshot(REQUIREMENT_INITIAL, inputs["price"])
    assert snapshot.collateral[1].haircut_tiers[0].weight_ppm == int(weight * U)
    account = state([(0, 0, 0)], [0, to_qq(inputs["balance"], SOL_DECIMALS)])
    report = margin_report(account, snapshot)
    published = to_qq(results["initial_collateral_value"], DEC)
    assert report.collateral == published
    assert cli_report(tmp_path, capsys, account, snapshot)["collateral"] == published
    assert assert_circuit_boundary(account, snapshot, REQUIREMENT_INITIAL, 0, tiny_keys) == "tiny"


def test_maintenance_snapshot_uses_the_maintenance_weights() -> None:
    snapshot = _snapshot(REQUIREMENT_MAINTENANCE, "150")
    sol = snapshot.collateral[1]
    assert (sol.haircut_tiers[0].weight_ppm, sol.liability_weight_ppm) == (900_000, 1_100_000)
    initial = _snapshot(REQUIREMENT_INITIAL, "150").collateral[1]
    assert (initial.haircut_tiers[0].weight_ppm, initial.liability_weight_ppm) == (
        800_000,
        1_200_000,
    )
    borrow = margin_report(state([(0, 0, 0)], [0, -to_qq("10", SOL_DECIMALS)]), snapshot)
    assert borrow.collateral == -to_qq("1650", DEC)  # 10 SOL x 150 x 110 %


def test_discount_binds_exactly_above_15625_sol() -> None:
    ex = example("drift", "sol-above-15625")
    bound = drift.discount_free_balance(drift.SOL, REQUIREMENT_INITIAL)
    assert bound == 15_625
    assert drift.size_discounted_weight("0.80", "0.003", bound) == Decimal("0.80")
    beyond = drift.size_discounted_weight("0.80", "0.003", int(ex["inputs"]["balance"]))
    assert beyond < Decimal("0.80")  # a flat 80 % would overvalue it: awaits item 2
    assert Fraction(str(beyond)) < Fraction(4, 5)


def test_chain_integer_formulas_agree_with_the_documented_example() -> None:
    ex = example("drift", "sol-above-15625")
    sol_1e9 = 10**9
    assert drift.chain_size_discount_weight(2000 * sol_1e9, 3000, 8000) == 8000
    assert 1_100_000 * 10_000 // (10**6 + 134_164) == 9698  # the ~.96987 on chain
    chain = drift.chain_size_discount_weight(20_000 * sol_1e9, 3000, 8000)
    assert chain == ex["results"]["chain_weight_1e4"] < 8000
    premium = drift.chain_size_premium_liability_weight(2000 * sol_1e9, 3000, 12_000)
    assert premium == ex["results"]["chain_liability_weight_1e4_at_2000"]
    assert drift.chain_size_premium_liability_weight(10**7 * sol_1e9, 3000, 12_000) > 12_000
