"""Daily volatility estimates from close-to-close log returns: EWMA and GARCH(1,1).

* EWMA (J.P. Morgan/Reuters, *RiskMetrics — Technical Document*, 4th ed., 1996, §5.2):
  ``σ²_t = λ·σ²_{t−1} + (1 − λ)·r²_{t−1}``, seeded with the mean square of the first
  returns; the estimate for tomorrow uses every return up to today.
* GARCH(1,1) (Bollerslev 1986): ``σ²_t = ω + α·r²_{t−1} + β·σ²_{t−1}`` with Gaussian
  quasi-maximum likelihood fitted by ``scipy.optimize.minimize`` (L-BFGS-B on a
  reparametrisation that keeps ``ω > 0``, ``α, β ≥ 0``, ``α + β < 1``).

Returns are assumed zero-mean (daily means are noise next to daily volatility). The
recursions run in plain Python floats (only ``+``, ``×`` and a correctly rounded square
root), so EWMA estimates are bit-identical on every IEEE-754 machine; the published
estimate is rounded to 12 significant digits.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.schemas import VolatilityPolicy

SEED_RETURNS = 20
"""Returns used to seed the variance recursions."""


@dataclass(frozen=True)
class VolatilityEstimate:
    """Daily volatilities: the forecast for tomorrow, the long-run level, the worst window."""

    current: float
    long_run: float
    stressed: float


def log_returns(closes: Sequence[float]) -> list[float]:
    """Return ``ln(c_t / c_{t−1})`` for consecutive closes."""
    return [math.log(b / a) for a, b in itertools.pairwise(closes)]


def _round(value: float) -> float:
    return float(f"{value:.12g}")


def ewma_variance(returns: Sequence[float], lam: float) -> float:
    """Return tomorrow's RiskMetrics variance after ``returns``."""
    seed = returns[:SEED_RETURNS]
    variance = math.fsum(r * r for r in seed) / len(seed)
    for r in returns:
        variance = lam * variance + (1.0 - lam) * r * r
    return variance


@dataclass(frozen=True)
class GarchParams:
    """GARCH(1,1) parameters of daily variance: ``ω``, ``α`` (shock) and ``β`` (persistence)."""

    omega: float
    alpha: float
    beta: float


def _garch_path(returns: Sequence[float], p: GarchParams) -> list[float]:
    seed = returns[:SEED_RETURNS]
    variance = math.fsum(r * r for r in seed) / len(seed)
    path = []
    for r in returns:
        path.append(variance)
        variance = p.omega + p.alpha * r * r + p.beta * variance
    path.append(variance)
    return path


def _unpack(x: Sequence[float], scale: float) -> GarchParams:
    # persistence = α+β in (0,1) and the α share in (0,1) through logistic maps; ω > 0 by exp.
    persistence = 1.0 / (1.0 + math.exp(-x[1]))
    share = 1.0 / (1.0 + math.exp(-x[2]))
    return GarchParams(math.exp(x[0]) * scale, persistence * share, persistence * (1 - share))


def fit_garch(returns: Sequence[float]) -> GarchParams:
    """Return Gaussian QML GARCH(1,1) parameters of ``returns`` (at least 100 of them)."""
    import numpy as np
    from scipy.optimize import minimize

    if len(returns) < 100:
        raise RiskInputError(f"GARCH needs at least 100 returns, got {len(returns)}")
    scale = math.fsum(r * r for r in returns) / len(returns)

    from scipy.signal import lfilter

    squares = np.asarray(returns) ** 2
    seed = float(np.mean(squares[:SEED_RETURNS]))
    powers = np.arange(len(returns), dtype=float)

    def negative_log_likelihood(x: np.ndarray) -> float:
        # v_t = ω + α·r²_{t−1} + β·v_{t−1}, vectorised as a linear filter (the same
        # recursion as _garch_path, in closed form: shock part + ω part + seed part).
        p = _unpack(x.tolist(), scale)
        decay = p.beta**powers
        shocks = lfilter([0.0, p.alpha], [1.0, -p.beta], squares)
        path = shocks + p.omega * (1 - decay) / (1 - p.beta) + decay * seed
        return float(np.sum(np.log(path) + squares / path))

    # Start at ω = 5 % of the sample variance, α+β ≈ 0.95, α share ≈ 0.1.
    start = np.array([math.log(0.05), math.log(0.95 / 0.05), math.log(0.1 / 0.9)])
    result = minimize(
        negative_log_likelihood,
        start,
        method="L-BFGS-B",
        bounds=[(-20.0, 5.0), (-5.0, 8.0), (-8.0, 5.0)],
    )
    return _unpack(result.x.tolist(), scale)


def garch_variance(returns: Sequence[float], params: GarchParams) -> float:
    """Return tomorrow's GARCH(1,1) variance after ``returns``."""
    return _garch_path(returns, params)[-1]


def stressed_volatility(returns: Sequence[float], window: int) -> float:
    """Return the highest realised volatility over any ``window`` consecutive returns."""
    if len(returns) < window:
        return math.sqrt(math.fsum(r * r for r in returns) / len(returns))
    squares = [r * r for r in returns]
    total = math.fsum(squares[:window])
    worst = total
    for k in range(window, len(squares)):
        total += squares[k] - squares[k - window]
        worst = max(worst, total)
    return math.sqrt(worst / window)


def estimate(
    closes: Sequence[float], policy: VolatilityPolicy, garch: GarchParams | None = None
) -> VolatilityEstimate:
    """Return the daily volatility estimate of ``closes`` (oldest first) under ``policy``.

    ``garch`` reuses fitted parameters (the backtest refits periodically); without it a
    GARCH policy fits them on ``closes``.
    """
    returns = log_returns(closes)
    if len(returns) < SEED_RETURNS:
        raise RiskInputError(f"volatility needs at least {SEED_RETURNS + 1} closes")
    if policy.model == "ewma":
        variance = ewma_variance(returns, policy.ewma_lambda)
    else:
        variance = garch_variance(returns, garch or fit_garch(returns))
    long_run = math.sqrt(math.fsum(r * r for r in returns) / len(returns))
    return VolatilityEstimate(
        current=_round(math.sqrt(variance)),
        long_run=_round(long_run),
        stressed=_round(stressed_volatility(returns, policy.stress_window_days)),
    )
