"""Drift (fixtures/drift.json): spot-asset weights — the published 2000-SOL example, one
snapshot per requirement kind, the balance above which the sqrt discount binds, the
version-2 size weights — and the perp margin ratio's size premium (version-2 size-rates:
the chain test's published requirement below the crossover, 10 000 BTC well above it, and a
sweep against a plain transcription of Drift's formula)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from math import ceil, floor, isqrt
from pathlib import Path

import pytest

from circuits.margin.model import MarginTier, MarketSnapshot
from circuits.margin.reference import margin_report
from circuits.margin.sizes import TINY
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.units import U
from tests.margin.helpers import state
from tests.margin.venues.helpers import assert_circuit_boundary, cli_report, example, to_qq
from zkmargin.riskdesk.errors import RiskInputError
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


# --- Perps: the size premium of the margin ratio (version-2 size-rates, bit 0) ---------------

PERP = drift.TEST_BTC_PERP
BASE = 10**9  # Drift's BASE_PRECISION: a perp size quantum is 10^-9 of the base unit


def drift_margin_ratio(size: int, ratio: int, imf_factor: int) -> int:
    """Drift's perp margin ratio (10^-4), transcribed from protocol-v2 (fixtures/drift.json):
    ``PerpMarket::get_margin_ratio`` outside high-leverage mode, i.e. ``max(r, premium)`` with
    ``calculate_size_premium_liability_weight(size, imf, r, MARGIN_PRECISION, true)``."""
    if imf_factor == 0:
        return ratio
    size_sqrt = isqrt(size * 10 + 1)
    premium = ratio - ratio // 5 + size_sqrt * imf_factor // (100_000 * 1_000_000 // 10_000)
    return max(ratio, premium)


def drift_perp_requirement(base: int, price: int, ratio: int, imf_factor: int) -> int:
    """Drift's perp margin requirement (QQ) of ``calculate_perp_position_value_and_pnl`` with
    no open orders and a quote price of 1: ``⌊⌊|b|·P/10^9⌋·R/10^4⌋``."""
    liability_value = abs(base) * price // BASE
    return liability_value * drift_margin_ratio(abs(base), ratio, imf_factor) // 10_000


def documented_ceiling(base: int, price: int, ratio: int, imf_factor: int) -> int:
    """Return ``⌈N·max(r, r − r/5 + f·√size)⌉`` exactly (real-valued rule, no flooring):
    ``N = |b|·P/10^9`` QQ, ``r`` at 10^-4, ``f`` at 10^-6, ``size = |b|/10^9`` base units."""
    n = Fraction(abs(base) * price, BASE)
    a = n * Fraction(ratio, 10_000)
    b = n * Fraction(ratio, 10_000) * Fraction(4, 5)
    t = n * n * Fraction(imf_factor, 10**6) ** 2 * Fraction(abs(base), BASE)  # (N·f·√size)²
    k = max(ceil(a), floor(b) + isqrt(floor(t))) - 2  # at most a few steps below
    while not (k >= a and (k >= b and (k - b) ** 2 >= t)):  # smallest k ≥ both pieces
        k += 1
    return k


def _perp_snapshot(price: int) -> MarketSnapshot:
    perp = drift.sized_perp(PERP, oracle_price=price, n_scenarios=1)
    return venue_snapshot([perp], [quote_collateral("USDC")], extended=True)


def _excess_bound(base: int, price: int) -> Fraction:
    """The profile's documented bound on (ours − Drift's): ``N·(100 + f/10^4)/10^6 + 3``."""
    n = Fraction(abs(base) * price, BASE)
    return n * (100 + Fraction(PERP.imf_factor, 10_000)) / 10**6 + 3


def test_perp_profile_sets_drifts_ratios_and_crossover() -> None:
    inst = drift.sized_perp(PERP, oracle_price=qq("22050", DEC), n_scenarios=1)
    assert inst.size_rates is not None and inst.size_scale == BASE
    initial, maintenance = inst.size_rates.initial, inst.size_rates.maintenance
    assert (initial.base_ppm, initial.cap_ppm, initial.premium_base_ppm, initial.factor_ppm) == (
        100_000, 100_000, 80_000, 1000)  # fmt: skip
    assert (maintenance.base_ppm, maintenance.premium_base_ppm) == (50_000, 40_000)
    assert drift.perp_premium_crossover(PERP, REQUIREMENT_INITIAL) == 400
    assert drift.perp_premium_crossover(PERP, REQUIREMENT_MAINTENANCE) == 100
    assert drift_margin_ratio(400 * BASE, 1000, 1000) == 1000
    assert drift_margin_ratio(401 * BASE, 1000, 1000) == 1000  # the premium 1000.2… floors
    assert drift_margin_ratio(410 * BASE, 1000, 1000) > 1000
    with pytest.raises(RiskInputError):
        drift.perp_size_rate(100_001, 1000)
    with pytest.raises(RiskInputError):
        drift.perp_premium_crossover(drift.PerpMarket("X", 1000, 500, 0), REQUIREMENT_INITIAL)


def test_perp_chain_test_requirement_below_the_crossover(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = example("drift", "perp-chain-test-6.147540983-btc")
    inputs, results, model = ex["inputs"], ex["results"], ex["model"]
    base = inputs["base_asset_amount"]
    for price_text in inputs["prices"]:
        price = qq(price_text, DEC)
        chain_im = drift_perp_requirement(base, price, inputs["margin_ratio_initial"], 1000)
        chain_mm = drift_perp_requirement(base, price, inputs["margin_ratio_maintenance"], 1000)
        assert chain_im == results["initial_margin_qq"][price_text]  # the chain test's pmr
        assert chain_mm == results["maintenance_margin_qq"][price_text]
        snapshot = _perp_snapshot(price)
        assert snapshot.version == 2
        account = state([(base, 0, 0)], [0])
        report = margin_report(account, snapshot)
        assert report.initial == chain_im + model["excess_qq"]
        assert report.maintenance == chain_mm + model["excess_qq"]
        assert report.initial == documented_ceiling(base, price, 1000, 1000)  # to the QQ
        assert report.maintenance == documented_ceiling(base, price, 500, 1000)
        cli = cli_report(tmp_path, capsys, account, snapshot)
        assert (cli["initial"], cli["maintenance"]) == (report.initial, report.maintenance)
    account = state([(base, 0, 0)], [0])
    snapshot = _perp_snapshot(qq("22050", DEC))
    assert assert_circuit_boundary(account, snapshot, REQUIREMENT_INITIAL, 0) == "custom"


def test_perp_10000_btc_well_above_the_crossover(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = example("drift", "perp-10000-btc")
    inputs, results, model = ex["inputs"], ex["results"], ex["model"]
    base, price = inputs["base_asset_amount"], qq(inputs["price"], DEC)
    assert abs(base) >= 25 * drift.perp_premium_crossover(PERP, REQUIREMENT_INITIAL) * BASE
    ratios = results["margin_ratio_1e4"]
    assert drift_margin_ratio(abs(base), 1000, 1000) == ratios["initial"]
    assert drift_margin_ratio(abs(base), 500, 1000) == ratios["maintenance"]
    expected = {
        REQUIREMENT_INITIAL: (to_qq(results["initial_margin"], DEC), 1000),
        REQUIREMENT_MAINTENANCE: (to_qq(results["maintenance_margin"], DEC), 500),
    }
    snapshot = _perp_snapshot(price)
    account = state([(base, 0, 0)], [0])
    report = margin_report(account, snapshot)
    cli = cli_report(tmp_path, capsys, account, snapshot)
    for kind, (venue, ratio) in expected.items():
        assert drift_perp_requirement(base, price, ratio, 1000) == venue
        assert documented_ceiling(base, price, ratio, 1000) == venue  # √10 000 is whole
        got = report.level12(kind)
        assert got == venue + model["excess_qq"] < venue + _excess_bound(base, price)
        assert cli["initial" if kind == REQUIREMENT_INITIAL else "maintenance"] == got
        assert assert_circuit_boundary(account, snapshot, kind, 0) == "custom"


def test_perp_requirement_is_never_below_drift_and_above_by_at_most_the_bound() -> None:
    ex = example("drift", "perp-sweep-22050")
    price = qq(ex["inputs"]["price"], DEC)
    snapshot = _perp_snapshot(price)
    sizes = [k * BASE // 4 for k in range(1, 4001)]
    sizes += [BASE * 2**e for e in range(10, 24)] + [1, 7, BASE - 1]
    worst = (Fraction(0), 0)
    for size in sizes:
        for sign in (-1, 1):
            report = margin_report(state([(sign * size, 0, 0)], [0]), snapshot)
            for kind, ratio in ((REQUIREMENT_MAINTENANCE, 500), (REQUIREMENT_INITIAL, 1000)):
                got = report.level12(kind)
                chain = drift_perp_requirement(size, price, ratio, PERP.imf_factor)
                assert chain <= got < chain + _excess_bound(size, price), (size, kind)
                if size < drift.perp_premium_crossover(PERP, kind) * BASE:  # r binds
                    assert got - chain <= 2, (size, kind)
                assert got >= documented_ceiling(size, price, ratio, PERP.imf_factor)
                if size >= BASE:
                    worst = max(worst, (Fraction((got - chain) * U * BASE, size * price), size))
    ppm, at = worst
    assert (round(float(ppm), 2), at // BASE) == (99.83, 906)  # the 10^-4 floor of the premium
    assert ex["results"]["max_excess_ppm_of_notional_from_1_btc"] == "99.83 at 906 BTC (both kinds)"
