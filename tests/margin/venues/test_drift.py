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


def _sized_snapshot(kind: int, price: str) -> MarketSnapshot:
    sol = drift.sized_collateral(drift.SOL, kind, price=qq(price, DEC))
    empty = instrument("SOL-PERP", size_scale=1, mark_price=0, maintenance=[MarginTier(rate_ppm=0)],
                       initial=[MarginTier(rate_ppm=0)], n_scenarios=1)  # fmt: skip
    return venue_snapshot([empty], [quote_collateral("USDC"), sol], extended=True)


def _chain_value(balance: int, price: int, weight_1e4: int) -> int:
    value: int = balance * price * weight_1e4 // (drift.SPOT_WEIGHT_PRECISION * 10**SOL_DECIMALS)
    return value


def test_sol_above_15625_with_size_weights_matches_the_chain_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = example("drift", "sol-above-15625")
    results = ex["results"]
    price = "150"
    snapshot = _sized_snapshot(REQUIREMENT_INITIAL, price)
    assert snapshot.version == 2
    p = qq(price, DEC)
    balance = to_qq(ex["inputs"]["balance"], SOL_DECIMALS)
    chain_weight = drift.chain_size_discount_weight(balance, 3_000, 8_000)
    assert chain_weight == results["chain_weight_1e4"]
    account = state([(0, 0, 0)], [0, balance])
    report = margin_report(account, snapshot)
    assert report.collateral == _chain_value(balance, p, chain_weight)  # exact at 20 000 SOL
    assert cli_report(tmp_path, capsys, account, snapshot)["collateral"] == report.collateral
    borrow = to_qq("2000", SOL_DECIMALS)
    lam = drift.chain_size_premium_liability_weight(borrow, 3_000, 12_000)
    assert lam == results["chain_liability_weight_1e4_at_2000"]
    liability = -margin_report(state([(0, 0, 0)], [0, -borrow]), snapshot).collateral
    assert liability == _chain_value(borrow, p, lam)  # exact at 2 000 SOL
    assert assert_circuit_boundary(account, snapshot, REQUIREMENT_INITIAL, 0) == "custom"


def test_size_weights_never_favour_the_trader_over_the_chain_and_the_gaps() -> None:
    # Deposits: never above the chain's value, below it by at most one 10^-4 weight step
    # (the feature's root of one quantum more vs the chain's isqrt(10·size + 1)): measured
    # 2 400 USDC on 12 000 000 USDC at 160 000 SOL (200 ppm), 234.375 USDC at 15 625 SOL,
    # exact at 20 000 SOL. Borrows: never below
    # the chain's liability; above it by the chain's 10^-4 floor of the weight (192.2 USDC
    # on 4 152 600 USDC at 20 000 SOL, i.e. < 10^-4 of the liability).
    snapshot = _sized_snapshot(REQUIREMENT_INITIAL, "150")
    p = qq("150", DEC)
    worst_deposit = worst_borrow = 0
    for tokens in (*range(500, 200_001, 500), 15_625):
        b = tokens * 10**SOL_DECIMALS
        deposit = margin_report(state([(0, 0, 0)], [0, b]), snapshot).collateral
        chain = _chain_value(b, p, drift.chain_size_discount_weight(b, 3_000, 8_000))
        assert chain - b * p // (10**4 * 10**SOL_DECIMALS) - 1 <= deposit <= chain
        worst_deposit = max(worst_deposit, chain - deposit)
        owed = -margin_report(state([(0, 0, 0)], [0, -b]), snapshot).collateral
        chain_owed = _chain_value(b, p, drift.chain_size_premium_liability_weight(b, 3_000, 12_000))
        assert chain_owed <= owed <= chain_owed + b * p // (10**4 * 10**SOL_DECIMALS) + 1
        worst_borrow = max(worst_borrow, owed - chain_owed)
    assert worst_deposit == 2_400_000_000
    assert worst_borrow > 0
