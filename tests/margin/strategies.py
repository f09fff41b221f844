"""Hypothesis strategies for margin snapshots and states (small and extreme values mixed)."""

from __future__ import annotations

from hypothesis import strategies as st

from circuits.margin.model import (
    AccountState,
    CollateralSpec,
    HaircutTier,
    InstrumentSpec,
    MarginTier,
    MarketSnapshot,
    Position,
    ScenarioSpec,
)
from circuits.margin.units import I64_MAX, I64_MIN, MAX_LIABILITY_WEIGHT, MAX_SCALE, U64_MAX, U

small = st.integers(-1000, 1000)
int64 = st.one_of(small, st.integers(I64_MIN, I64_MAX), st.sampled_from([I64_MIN, I64_MAX]))
uint64 = st.one_of(st.integers(0, 10**7), st.integers(0, U64_MAX), st.just(U64_MAX))
scales = st.one_of(st.sampled_from([1, 3, 100, 10**4, 10**8]), st.integers(1, MAX_SCALE))
ppm = st.one_of(st.integers(0, U), st.sampled_from([0, 1, 333_333, U]))


@st.composite
def margin_tiers(draw: st.DrawFn, max_tiers: int) -> list[MarginTier]:
    """A convex schedule of 1..max_tiers pieces (rates and deductions increasing)."""
    n = draw(st.integers(1, max_tiers))
    rates = sorted(draw(st.lists(ppm, min_size=n, max_size=n, unique=True)))
    tiers = [MarginTier(rate_ppm=rates[0])]
    deduction, breakpoint = 0, 0
    for k in range(1, n):
        breakpoint += draw(st.integers(1, 10**12))
        deduction += max(1, breakpoint * (rates[k] - rates[k - 1]) // U)
        tiers.append(MarginTier(rate_ppm=rates[k], deduction=deduction))
    try:
        InstrumentSpec.model_validate(_probe(tiers))
    except ValueError:
        return tiers[:1]
    return tiers


def _probe(tiers: list[MarginTier]) -> dict[str, object]:
    return {
        "symbol": "x", "kind": "perp", "size_scale": 1, "mark_price": 0,
        "maintenance_tiers": tiers, "initial_tiers": tiers, "risk_array": [],
    }  # fmt: skip


@st.composite
def haircut_tiers(draw: st.DrawFn, max_tiers: int) -> list[HaircutTier]:
    """A concave schedule of 1..max_tiers pieces (weights down, additions up)."""
    n = draw(st.integers(1, max_tiers))
    weights = sorted(draw(st.lists(ppm, min_size=n, max_size=n, unique=True)), reverse=True)
    tiers = [HaircutTier(weight_ppm=weights[0])]
    for k in range(1, n):
        tiers.append(HaircutTier(weight_ppm=weights[k], addition=tiers[-1].addition + draw(
            st.integers(1, 10**6)) * k))  # fmt: skip
    try:
        CollateralSpec(symbol="x", price=1, scale=1, haircut_tiers=tiers)
    except ValueError:
        return tiers[:1]
    return tiers


@st.composite
def instruments(draw: st.DrawFn, n_scenarios: int, max_tiers: int) -> InstrumentSpec:
    """One instrument with random mark, funding, tiers and risk array."""
    return InstrumentSpec(
        symbol="I",
        kind=draw(st.sampled_from(["perp", "future", "option"])),
        size_scale=draw(scales),
        mark_price=draw(uint64),
        funding_index=draw(int64),
        maintenance_tiers=draw(margin_tiers(max_tiers)),
        initial_tiers=draw(margin_tiers(max_tiers)),
        risk_array=draw(st.lists(int64, min_size=n_scenarios, max_size=n_scenarios)),
        short_option_minimum=draw(st.one_of(st.integers(0, 1000), st.integers(0, I64_MAX))),
    )


@st.composite
def collaterals(draw: st.DrawFn, max_tiers: int) -> CollateralSpec:
    """One collateral asset with random price, scale, haircuts and liability weight."""
    return CollateralSpec(
        symbol="C",
        price=draw(uint64),
        scale=draw(scales),
        haircut_tiers=draw(haircut_tiers(max_tiers)),
        liability_weight_ppm=draw(st.integers(U, MAX_LIABILITY_WEIGHT)),
    )


@st.composite
def snapshots(
    draw: st.DrawFn, n_instruments: int, n_collateral: int, n_scenarios: int, tier_slots: int = 2
) -> MarketSnapshot:
    """A snapshot of exactly the given shape."""
    return MarketSnapshot(
        epoch=draw(uint64),
        timestamp=draw(uint64),
        tier_slots=tier_slots,
        haircut_tier_slots=tier_slots,
        scenarios=[ScenarioSpec(name=f"s{s}") for s in range(n_scenarios)],
        instruments=[draw(instruments(n_scenarios, tier_slots)) for _ in range(n_instruments)],
        collateral=[draw(collaterals(tier_slots)) for _ in range(n_collateral)],
    )


@st.composite
def states(draw: st.DrawFn, n_instruments: int, n_collateral: int) -> AccountState:
    """An account state with the given slot counts."""
    positions = [
        Position(size=draw(int64), cost_basis=draw(int64), funding_entry=draw(int64))
        for _ in range(n_instruments)
    ]
    balances = [draw(int64) for _ in range(n_collateral)]
    return AccountState(positions=positions, balances=balances)
