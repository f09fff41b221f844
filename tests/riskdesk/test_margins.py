"""Volatility-scaled fractions: monotone in volatility, bounded by floors and caps, and the
anti-procyclicality buffer held in calm markets and released in stress."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circuits.margin.units import U
from zkmargin.riskdesk.margins import (
    base_fractions,
    fraction_ppm,
    margin_volatility,
    oi_factor,
    quantile,
)
from zkmargin.riskdesk.schemas import AntiProcyclicalityPolicy, FractionPolicy, TierPolicy
from zkmargin.riskdesk.volatility import VolatilityEstimate

MAINTENANCE = FractionPolicy(confidence=0.99, mpor_days=2, floor_ppm=10_000, cap_ppm=500_000)
INITIAL = FractionPolicy(confidence=0.995, mpor_days=3, floor_ppm=20_000, cap_ppm=750_000)
APC = AntiProcyclicalityPolicy(buffer_fraction=0.25, stressed_floor_fraction=0.0)
LONG_RUN = 0.03


def _margin(current: float, apc: AntiProcyclicalityPolicy = APC) -> int:
    est = VolatilityEstimate(current=current, long_run=LONG_RUN, stressed=0.10)
    return fraction_ppm(margin_volatility(est, apc).sigma, MAINTENANCE)


def test_fraction_is_the_gaussian_quantile_times_sqrt_mpor() -> None:
    sigma = 0.02
    expected = 2.3263478740408408 * sigma * 2**0.5  # z(0.99) · σ · √2
    assert quantile(0.99) == pytest.approx(2.3263478740408408, rel=1e-12)
    assert fraction_ppm(sigma, MAINTENANCE) == -(-round(expected * U * 1e6) // 10**6)


@given(st.floats(0.0, 0.5), st.floats(0.0, 0.5))
def test_higher_volatility_never_lowers_the_maintenance_fraction(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert _margin(low) <= _margin(high)


@given(st.floats(0.0, 2.0))
def test_fractions_stay_within_floor_and_cap(sigma: float) -> None:
    fractions = base_fractions(sigma, MAINTENANCE, INITIAL)
    assert MAINTENANCE.floor_ppm <= fractions.maintenance_ppm <= MAINTENANCE.cap_ppm
    assert fractions.maintenance_ppm <= fractions.initial_ppm <= INITIAL.cap_ppm


def test_extreme_volatility_is_capped() -> None:
    assert _margin(1.0) == MAINTENANCE.cap_ppm
    assert _margin(0.0) == MAINTENANCE.floor_ppm


def test_calm_markets_carry_the_full_buffer() -> None:
    est = VolatilityEstimate(current=0.02, long_run=LONG_RUN, stressed=0.1)
    vol = margin_volatility(est, APC)
    assert vol.sigma == pytest.approx(0.02 * 1.25)
    assert vol.buffer_used == 0.0


def test_rising_volatility_consumes_the_buffer_before_margins_rise() -> None:
    flat = [_margin(s) for s in (0.031, 0.033, 0.035, 0.037)]
    assert len(set(flat)) == 1  # σ between σ_L and σ_L·1.25: margins stay put
    assert flat[0] == fraction_ppm(LONG_RUN * 1.25, MAINTENANCE)
    est = VolatilityEstimate(current=0.034, long_run=LONG_RUN, stressed=0.1)
    assert margin_volatility(est, APC).buffer_used == pytest.approx(0.004 / 0.0075)


def test_buffer_is_released_in_stress_margins_then_follow_volatility() -> None:
    est = VolatilityEstimate(current=0.06, long_run=LONG_RUN, stressed=0.1)
    vol = margin_volatility(est, APC)
    assert vol.sigma == 0.06  # no buffer on top of a stressed estimate
    assert vol.buffer_used == 1.0
    # without the buffer the calm margin would be 20 % lower, the stressed one the same
    no_buffer = AntiProcyclicalityPolicy(buffer_fraction=0.0)
    assert _margin(0.06, no_buffer) == _margin(0.06)
    assert _margin(0.02, no_buffer) < _margin(0.02)


def test_stressed_floor_binds_in_calm_markets() -> None:
    apc = AntiProcyclicalityPolicy(buffer_fraction=0.0, stressed_floor_fraction=0.5)
    est = VolatilityEstimate(current=0.01, long_run=0.02, stressed=0.10)
    assert margin_volatility(est, apc).sigma == pytest.approx(0.05)


def test_open_interest_scaling_is_bounded() -> None:
    tiers = TierPolicy(oi_threshold=5.0, oi_sensitivity=0.1, oi_max_factor=1.5)
    assert oi_factor(4e6, 1e6, tiers) == 1.0
    assert oi_factor(10e6, 1e6, tiers) == pytest.approx(1.1)
    assert oi_factor(1e12, 1e6, tiers) == 1.5
    assert oi_factor(1e12, 1e6, TierPolicy()) == 1.0  # disabled by default
    assert fraction_ppm(0.02, MAINTENANCE, 1.1) > fraction_ppm(0.02, MAINTENANCE)
