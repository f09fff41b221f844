"""Replay a price history through the margin methodology and count exceedances.

For every asset of the history and each evaluation date ``t`` (every ``h`` days after a
warm-up, ``h`` = the maintenance margin period of risk, so the periods do not overlap) the
desk computes the maintenance fraction ``m_t`` exactly as ``build`` would from the closes
known at ``t`` (the last ``lookback_days``; no look-ahead), then compares it with the loss
of a long and a short one-unit position over the next ``h`` days,
``loss_long = 1 − c_{t+h}/c_t`` and ``loss_short = c_{t+h}/c_t − 1``. An exceedance is a
loss above the margin held. Coverage is the share of periods without one; the target is
the maintenance confidence. Kupiec's and Christoffersen's tests (:mod:`.coverage_tests`)
judge the count and the clustering. Open interest is not in a history, so no OI factor.
"""

from __future__ import annotations

from dataclasses import dataclass

from circuits.margin.units import U
from zkmargin.riskdesk.coverage_tests import (
    LikelihoodRatio,
    christoffersen_independence,
    kupiec_pof,
)
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.loading import PriceHistory
from zkmargin.riskdesk.margins import fraction_ppm, margin_volatility
from zkmargin.riskdesk.schemas import Policy
from zkmargin.riskdesk.volatility import GarchParams, estimate, fit_garch, log_returns

GARCH_REFIT_EVERY = 25
"""A GARCH backtest refits its parameters every this many evaluations (and reuses them)."""


@dataclass(frozen=True)
class MarginPath:
    """One asset's maintenance fraction and volatilities at each evaluation date."""

    asset: str
    dates: list[str]
    index: list[int]
    margin: list[float]
    sigma: list[float]
    buffer_used: list[float]
    moves: list[float]
    """``c_{t+h}/c_t − 1`` over each evaluation period."""


@dataclass(frozen=True)
class PortfolioResult:
    """Exceedances and tests of one portfolio (a long or short unit of one asset)."""

    name: str
    asset: str
    side: int
    losses: list[float]
    hits: list[bool]
    kupiec: LikelihoodRatio
    christoffersen: LikelihoodRatio

    @property
    def n(self) -> int:
        """Number of evaluation periods."""
        return len(self.hits)

    @property
    def exceedances(self) -> int:
        """Periods whose loss exceeded the margin."""
        return sum(self.hits)

    @property
    def coverage(self) -> float:
        """Share of periods covered by the margin."""
        return 1 - self.exceedances / self.n


@dataclass(frozen=True)
class StressStretch:
    """The most volatile window of an asset's history and how margins moved through it."""

    asset: str
    start: str
    end: str
    realised_vol: float
    margin_before: float
    margin_peak: float
    margin_after: float
    peak_date: str


@dataclass(frozen=True)
class BacktestResult:
    """Everything the report shows."""

    policy: str
    target: float
    horizon_days: int
    paths: list[MarginPath]
    portfolios: list[PortfolioResult]
    pooled_kupiec: LikelihoodRatio
    stretches: list[StressStretch]

    @property
    def n(self) -> int:
        """Evaluation periods over all portfolios."""
        return sum(p.n for p in self.portfolios)

    @property
    def exceedances(self) -> int:
        """Exceedances over all portfolios."""
        return sum(p.exceedances for p in self.portfolios)


def margin_path(
    asset: str, closes: list[float], dates: list[str], policy: Policy, warmup: int
) -> MarginPath:
    """Return the maintenance fraction at each non-overlapping evaluation date."""
    h = policy.maintenance.mpor_days
    garch: GarchParams | None = None
    out = MarginPath(asset, [], [], [], [], [], [])
    for k, t in enumerate(range(warmup, len(closes) - h, h)):
        window = closes[max(0, t - policy.lookback_days) : t + 1]
        if policy.volatility.model == "garch" and k % GARCH_REFIT_EVERY == 0:
            garch = fit_garch(log_returns(window))
        est = estimate(window, policy.volatility, garch)
        vol = margin_volatility(est, policy.anti_procyclicality)
        out.dates.append(dates[t])
        out.index.append(t)
        out.margin.append(fraction_ppm(vol.sigma, policy.maintenance) / U)
        out.sigma.append(est.current)
        out.buffer_used.append(vol.buffer_used)
        out.moves.append(closes[t + h] / closes[t] - 1)
    return out


def _portfolio(path: MarginPath, side: int, target: float) -> PortfolioResult:
    losses = [-side * move for move in path.moves]
    hits = [loss > margin for loss, margin in zip(losses, path.margin, strict=True)]
    name = f"{'long' if side > 0 else 'short'} {path.asset}"
    return PortfolioResult(
        name,
        path.asset,
        side,
        losses,
        hits,
        kupiec_pof(len(hits), sum(hits), 1 - target),
        christoffersen_independence(hits),
    )


def stress_stretch(
    path: MarginPath, closes: list[float], dates: list[str], window: int
) -> StressStretch:
    """Return the ``window``-day stretch of highest realised volatility and margins around it."""
    returns = log_returns(closes)
    best, best_start = -1.0, 0
    for start in range(0, len(returns) - window + 1):
        total = sum(r * r for r in returns[start : start + window])
        if total > best:
            best, best_start = total, start
    end = best_start + window
    before = [m for m, t in zip(path.margin, path.index, strict=True) if t <= best_start]
    during = [(m, t) for m, t in zip(path.margin, path.index, strict=True) if best_start < t <= end]
    after = [m for m, t in zip(path.margin, path.index, strict=True) if t > end]
    peak, peak_t = max(during) if during else (before[-1] if before else 0.0, best_start)
    return StressStretch(
        path.asset,
        dates[best_start],
        dates[end],
        (best / window) ** 0.5,
        before[-1] if before else float("nan"),
        peak,
        after[0] if after else float("nan"),
        dates[peak_t],
    )


def run_backtest(history: PriceHistory, policy: Policy, warmup: int = 250) -> BacktestResult:
    """Return the backtest of ``policy``'s maintenance margins over ``history``."""
    h = policy.maintenance.mpor_days
    if warmup < 30 or len(history.dates) < warmup + 3 * h:
        raise RiskInputError(
            f"backtest: need a warm-up of at least 30 days and more history than it"
            f" ({len(history.dates)} days, warm-up {warmup})"
        )
    target = policy.maintenance.confidence
    paths, portfolios, stretches = [], [], []
    for asset, closes in history.closes.items():
        path = margin_path(asset, closes, history.dates, policy, warmup)
        paths.append(path)
        portfolios += [_portfolio(path, +1, target), _portfolio(path, -1, target)]
        stretches.append(
            stress_stretch(path, closes, history.dates, policy.volatility.stress_window_days)
        )
    n = sum(p.n for p in portfolios)
    x = sum(p.exceedances for p in portfolios)
    return BacktestResult(
        policy.name, target, h, paths, portfolios, kupiec_pof(n, x, 1 - target), stretches
    )
