"""EWMA and GARCH(1,1) estimates: the RiskMetrics recursion, parameter recovery, stress windows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.schemas import VolatilityPolicy
from zkmargin.riskdesk.volatility import (
    SEED_RETURNS,
    GarchParams,
    estimate,
    ewma_variance,
    fit_garch,
    garch_variance,
    log_returns,
    stressed_volatility,
)


def test_ewma_equals_its_weighted_sum_form() -> None:
    rng = np.random.default_rng(1)
    returns = list(rng.normal(0, 0.02, 300))
    lam = 0.94
    seed = sum(r * r for r in returns[:SEED_RETURNS]) / SEED_RETURNS
    n = len(returns)
    weighted = sum((1 - lam) * lam ** (n - 1 - k) * returns[k] ** 2 for k in range(n))
    assert ewma_variance(returns, lam) == pytest.approx(weighted + lam**n * seed, rel=1e-12)


def test_ewma_reacts_to_a_shock_more_with_lower_lambda() -> None:
    returns = [0.01] * 100 + [0.10]
    assert ewma_variance(returns, 0.90) > ewma_variance(returns, 0.97) > 0.01**2


def test_garch_fit_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(7)
    true = GarchParams(omega=2e-6, alpha=0.10, beta=0.85)
    variance, returns = true.omega / (1 - true.alpha - true.beta), []
    for _ in range(4000):
        r = math.sqrt(variance) * rng.standard_normal()
        returns.append(r)
        variance = true.omega + true.alpha * r * r + true.beta * variance
    fitted = fit_garch(returns)
    assert fitted.alpha == pytest.approx(true.alpha, abs=0.04)
    assert fitted.beta == pytest.approx(true.beta, abs=0.06)
    assert fitted.alpha + fitted.beta < 1
    forecast = garch_variance(returns, fitted)
    assert forecast == pytest.approx(garch_variance(returns, true), rel=0.35)


def test_garch_needs_enough_returns() -> None:
    with pytest.raises(RiskInputError, match="at least 100 returns"):
        fit_garch([0.01] * 50)


def test_stressed_volatility_finds_the_worst_window() -> None:
    returns = [0.01] * 50 + [0.05] * 10 + [0.01] * 50
    assert stressed_volatility(returns, 10) == pytest.approx(0.05)
    assert stressed_volatility(returns, 20) == pytest.approx(math.sqrt((0.05**2 + 0.01**2) / 2))


def test_estimate_orders_current_long_run_and_stressed() -> None:
    closes = [100 * math.exp(0.01 * k % 3) for k in range(200)]
    est = estimate(closes, VolatilityPolicy())
    returns = log_returns(closes)
    assert est.long_run == pytest.approx(math.sqrt(sum(r * r for r in returns) / len(returns)))
    assert est.stressed >= est.long_run


def test_estimate_refuses_a_too_short_history() -> None:
    with pytest.raises(RiskInputError, match="at least 21 closes"):
        estimate([100.0] * 10, VolatilityPolicy())
