"""Depth tiers and collateral haircuts: valid convex/concave schedules, continuous at the
breakpoints, higher for thinner books and for more volatile assets."""

from __future__ import annotations

import pytest

from circuits.margin.model import CollateralSpec, InstrumentSpec
from circuits.margin.reference import collateral_value, tier_requirement
from circuits.margin.units import U
from zkmargin.riskdesk.haircuts import haircut_ppm, haircut_schedule, liability_weight_ppm
from zkmargin.riskdesk.schemas import HaircutPolicy
from zkmargin.riskdesk.tiers import capacity, tier_schedule

QQ = 10**6


def _requirement(tiers: list, notional_usd: float) -> int:  # type: ignore[type-arg]
    return tier_requirement(round(notional_usd * QQ), tiers)


def test_tier_schedule_is_accepted_by_the_snapshot_model() -> None:
    tiers = tier_schedule(100_000, capacity(40e6, 0.1, 2), [1.0, 3.0], QQ)
    assert [t.rate_ppm for t in tiers] == [100_000, 141_422, 200_000]
    InstrumentSpec(
        symbol="X",
        kind="perp",
        size_scale=1,
        mark_price=1,
        maintenance_tiers=tiers,
        initial_tiers=tiers,
        risk_array=[0],
    )


def test_tiers_are_continuous_at_the_breakpoint() -> None:
    cap = capacity(40e6, 0.1, 2)  # $8M unwound within the MPOR
    tiers = tier_schedule(100_000, cap, [1.0], QQ)
    below, above = _requirement(tiers, cap - 1), _requirement(tiers, cap + 1)
    assert abs(above - below) < 2 * QQ  # within a couple of dollars on $8M
    assert _requirement(tiers, 2 * cap) > 2 * _requirement(tiers, cap)  # convex


def test_thinner_books_charge_large_positions_more() -> None:
    deep = tier_schedule(100_000, capacity(40e6, 0.1, 2), [1.0], QQ)
    thin = tier_schedule(100_000, capacity(2e6, 0.1, 2), [1.0], QQ)
    assert _requirement(thin, 50e6) > _requirement(deep, 50e6)
    assert _requirement(thin, 1e5) == _requirement(deep, 1e5)  # small sizes: same base rate


def test_capped_tiers_are_dropped() -> None:
    assert len(tier_schedule(U, 1e6, [1.0], QQ)) == 1


def test_haircut_grows_with_volatility_within_floor_and_cap() -> None:
    policy = HaircutPolicy()
    cuts = [haircut_ppm(s, policy) for s in (0.0, 0.01, 0.03, 0.06, 1.0)]
    assert cuts == sorted(cuts)
    assert cuts[0] == policy.floor_ppm and cuts[-1] == policy.cap_ppm
    assert liability_weight_ppm(cuts[2]) == U + cuts[2]


def test_large_balances_get_a_bigger_haircut_continuously() -> None:
    policy = HaircutPolicy(breakpoint=1.0, participation=0.1, liquidation_days=2)
    tiers = haircut_schedule(100_000, 10e6, policy, QQ)  # breakpoint at $2M
    coll = CollateralSpec(symbol="B", price=QQ, scale=1, haircut_tiers=tiers)
    assert len(tiers) == 2 and tiers[1].weight_ppm < tiers[0].weight_ppm
    small = collateral_value(1_000_000, coll)
    assert small == pytest.approx(0.9 * 1_000_000 * QQ, rel=1e-9)
    at, after = collateral_value(2_000_000, coll), collateral_value(4_000_000, coll)
    assert after - at < at  # the second $2M is worth less than the first
    assert collateral_value(2_000_001, coll) - at <= QQ
