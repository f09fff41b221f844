"""A realistic, seeded sample market and accounts for demos and tests.

BTC, ETH and SOL perps with two-piece tiered fractions (Binance-style "max of affine
pieces"), BTC calls and puts margined only by Black-76 SPAN risk arrays
(:mod:`circuits.margin.pricing`) with a short-option minimum, and USDC, BTC (tiered
haircut) and ETH collateral. Quote quantum: 10^-6 USD. Accounts alternate between
compliant (equity 1.3–3× the initial requirement) and non-compliant (0.2–0.9× the
maintenance requirement), and the reference engine confirms every label.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from circuits.margin.model import (
    AccountState,
    CollateralSpec,
    HaircutTier,
    InstrumentSpec,
    MarginTier,
    MarketSnapshot,
    Position,
)
from circuits.margin.pricing import (
    Market,
    linear_risk_array,
    option_risk_array,
    span_scenarios,
)
from circuits.margin.reference import is_compliant, margin_report
from circuits.margin.sizes import MarginSize, pad_snapshot
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.units import U

QQ: int = 10**6
"""Quote quantums per USD."""
OPTION_SCALE = 100
"""Option size quantum: 0.01 BTC."""


@dataclass(frozen=True)
class PerpSpec:
    """A perp's symbol, reference price, size scale, volatility and tier breakpoint (USD)."""

    symbol: str
    price: float
    scale: int
    vol: float
    breakpoint_usd: int


PERPS = (
    PerpSpec("BTC-PERP", 60_000.0, 10_000, 0.55, 2_000_000),
    PerpSpec("ETH-PERP", 3_000.0, 1_000, 0.70, 1_000_000),
    PerpSpec("SOL-PERP", 150.0, 100, 0.90, 250_000),
)


def _tiers(low: int, high: int, breakpoint_usd: int) -> list[MarginTier]:
    deduction = breakpoint_usd * QQ * (high - low) // U
    return [MarginTier(rate_ppm=low), MarginTier(rate_ppm=high, deduction=deduction)]


def _perp(spec: PerpSpec, rng: random.Random, scenarios: list, scan: float) -> InstrumentSpec:  # type: ignore[type-arg]
    mark = spec.price * rng.uniform(0.95, 1.05)
    market = Market(mark, spec.vol, scan, 0.25)
    return InstrumentSpec(
        symbol=spec.symbol,
        kind="perp",
        size_scale=spec.scale,
        mark_price=round(mark * QQ),
        funding_index=rng.randint(-(10**10), 10**10),
        maintenance_tiers=_tiers(5_000, 12_500, spec.breakpoint_usd),
        initial_tiers=_tiers(10_000, 25_000, spec.breakpoint_usd),
        risk_array=linear_risk_array(market, scenarios, QQ, spec.scale),
    )


def _option(
    market: Market,
    strike: float,
    is_call: bool,
    years: float,
    scenarios: list,  # type: ignore[type-arg]
) -> InstrumentSpec:
    from circuits.margin.pricing import black76

    value = black76(market.forward, strike, years, market.vol, is_call)
    return InstrumentSpec(
        symbol=f"BTC-{int(strike)}-{'C' if is_call else 'P'}",
        kind="option",
        size_scale=OPTION_SCALE,
        mark_price=round(value * QQ),
        maintenance_tiers=[MarginTier(rate_ppm=0)],
        initial_tiers=[MarginTier(rate_ppm=0)],
        risk_array=option_risk_array(market, strike, years, is_call, scenarios, QQ, OPTION_SCALE),
        short_option_minimum=math.ceil(0.01 * market.forward * QQ / OPTION_SCALE),
    )


def _collateral(btc: float, eth: float) -> list[CollateralSpec]:
    btc_bp = 5_000_000 * QQ  # above $5M of BTC the weight drops from 95 % to 85 %
    return [
        CollateralSpec(symbol="USDC", price=QQ, scale=10**6,
                       haircut_tiers=[HaircutTier(weight_ppm=U)], liability_weight_ppm=U),
        CollateralSpec(symbol="BTC", price=round(btc * QQ), scale=10**8,
                       haircut_tiers=[HaircutTier(weight_ppm=950_000),
                                      HaircutTier(weight_ppm=850_000, addition=btc_bp // 10)],
                       liability_weight_ppm=1_100_000),
        CollateralSpec(symbol="ETH", price=round(eth * QQ), scale=10**9,
                       haircut_tiers=[HaircutTier(weight_ppm=900_000)],
                       liability_weight_ppm=1_150_000),
    ]  # fmt: skip


def sample_snapshot(size: MarginSize, rng: random.Random, epoch: int = 1) -> MarketSnapshot:
    """Return a realistic snapshot padded to ``size`` (at most 3 perps, options fill the rest
    up to 12, at most 3 collateral assets)."""
    scenarios = span_scenarios(size.n_scenarios)
    perps = [_perp(spec, rng, scenarios, 0.10) for spec in PERPS[: size.n_instruments]]
    btc_mark = perps[0].mark_price / QQ
    market = Market(btc_mark, 0.55, 0.10, 0.25)
    strikes = [round(btc_mark * f, -3) for f in (0.8, 0.9, 1.0, 1.1, 1.2, 1.3)]
    n_options = max(0, min(12, size.n_instruments - len(perps)))
    options = [
        _option(market, strikes[(k // 2) % len(strikes)], k % 2 == 0, 30 / 365, scenarios)
        for k in range(n_options)
    ]
    eth_mark = perps[1].mark_price / QQ if len(perps) > 1 else PERPS[1].price
    snapshot = MarketSnapshot(
        epoch=epoch,
        timestamp=1_700_000_000 + 3600 * epoch,
        quote_decimals=6,
        tier_slots=size.tier_slots,
        haircut_tier_slots=size.haircut_tier_slots,
        scenarios=[s.spec(0.10, 0.25) for s in scenarios],
        instruments=perps + options,
        collateral=_collateral(btc_mark, eth_mark)[: size.n_collateral],
    )
    return pad_snapshot(snapshot, size)


def _random_account(snapshot: MarketSnapshot, rng: random.Random) -> AccountState:
    positions = []
    for inst in snapshot.instruments:
        if inst.mark_price == 0 or rng.random() < 0.4:
            positions.append(Position())
            continue
        usd = rng.uniform(2_000, 400_000) if inst.kind == "perp" else rng.uniform(500, 20_000)
        size = max(1, round(usd * QQ * inst.size_scale / inst.mark_price)) * rng.choice((-1, 1))
        entry_price = inst.mark_price * rng.uniform(0.9, 1.1)
        basis = -round(size * entry_price / inst.size_scale)
        entry = inst.funding_index - rng.randint(0, 10**8)
        positions.append(Position(size=size, cost_basis=basis, funding_entry=entry))
    balances = [0] * snapshot.n_collateral
    for j, coll in enumerate(snapshot.collateral[1:], start=1):
        if coll.price and rng.random() < 0.6:
            balances[j] = round(rng.uniform(1_000, 200_000) * QQ * coll.scale / coll.price)
    return AccountState(positions=positions, balances=balances)


def sample_account(snapshot: MarketSnapshot, rng: random.Random, compliant: bool) -> AccountState:
    """Return a random account whose USDC balance (slot 0, weight 1) sets the outcome:
    compliant for both kinds, or compliant for neither."""
    account = _random_account(snapshot, rng)
    report = margin_report(account, snapshot)
    if compliant:
        target = math.ceil(report.requirement(REQUIREMENT_INITIAL) * rng.uniform(1.3, 3.0)) + 1
    else:
        target = math.floor(report.requirement(REQUIREMENT_MAINTENANCE) * rng.uniform(0.2, 0.9))
        target = min(target, -1) if report.requirement(REQUIREMENT_MAINTENANCE) == 0 else target
    balances = list(account.balances)
    balances[0] += target - report.equity
    adjusted = AccountState(positions=account.positions, balances=balances)
    adjusted_report = margin_report(adjusted, snapshot)
    for kind in (REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL):
        if is_compliant(adjusted_report, kind) != compliant:
            raise AssertionError("sample account does not have the intended compliance")
    return adjusted


def sample_accounts(
    snapshot: MarketSnapshot, n_accounts: int, rng: random.Random
) -> list[tuple[str, AccountState, bool]]:
    """Return ``(name, state, compliant)`` for n accounts, alternating compliant/not."""
    return [
        (f"account-{k:03d}", sample_account(snapshot, rng, compliant=k % 2 == 0), k % 2 == 0)
        for k in range(n_accounts)
    ]
