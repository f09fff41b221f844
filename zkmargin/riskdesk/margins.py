"""Volatility-scaled margin fractions with floors, caps and anti-procyclicality.

A fraction is the ``confidence`` quantile of a zero-mean Gaussian loss over the margin
period of risk: ``f = z(c)·σ·√mpor``, scaled by the open-interest factor, rounded **up**
to ppm and clamped to ``[floor, cap]``. The volatility ``σ`` it uses is bounded against
procyclicality (EMIR RTS 153/2013 art. 28; CPMI-IOSCO PFMI principle 6):

* **buffer** ``b`` on the long-run level ``σ_L``, released in stress:
  ``σ_b = max(σ, min(σ·(1 + b), σ_L·(1 + b)))`` — in calm markets margins carry the full
  buffer; as ``σ`` rises above ``σ_L`` the buffer is consumed first (margins stay flat at
  ``σ_L·(1 + b)``) and only once it is exhausted do they follow ``σ`` up. ``σ_b`` is
  continuous and non-decreasing in ``σ``, so turbulence raises margins, but gradually.
* **stressed floor** ``w``: ``σ_m = max(σ_b, w·σ_S)`` with ``σ_S`` the worst realised
  volatility of any ``stress_window_days`` in the lookback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from circuits.margin.units import U
from zkmargin.riskdesk.schemas import AntiProcyclicalityPolicy, FractionPolicy, TierPolicy
from zkmargin.riskdesk.volatility import VolatilityEstimate


@dataclass(frozen=True)
class MarginVolatility:
    """The volatility margins use, and how much of the buffer the current level has used."""

    sigma: float
    buffer_used: float
    """0 in calm markets (full buffer held) … 1 once the buffer is exhausted."""


def margin_volatility(est: VolatilityEstimate, apc: AntiProcyclicalityPolicy) -> MarginVolatility:
    """Return ``σ_m = max(max(σ, min(σ(1+b), σ_L(1+b))), w·σ_S)`` and the buffer used."""
    b = apc.buffer_fraction
    buffered = max(est.current, min(est.current * (1 + b), est.long_run * (1 + b)))
    sigma = max(buffered, apc.stressed_floor_fraction * est.stressed)
    if b == 0 or est.long_run == 0:
        used = 1.0
    else:
        used = min(1.0, max(0.0, (est.current - est.long_run) / (est.long_run * b)))
    return MarginVolatility(sigma, used)


@lru_cache(maxsize=64)
def quantile(confidence: float) -> float:
    """Return the standard normal quantile ``z(c)`` (``scipy.special.ndtri``, as
    ``scipy.stats.norm.ppf`` computes it, without importing all of scipy.stats)."""
    from scipy.special import ndtri

    return float(ndtri(confidence))


def ceil_ppm(fraction: float) -> int:
    """Return ``⌈fraction·U⌉``, ignoring float noise below 9 significant digits."""
    return math.ceil(float(f"{fraction * U:.9g}"))


def oi_factor(open_interest: float, depth: float, tiers: TierPolicy) -> float:
    """Return the open-interest scaling ``min(max_factor, 1 + s·max(0, OI/(depth·t) − 1))``."""
    if tiers.oi_threshold == 0 or tiers.oi_sensitivity == 0:
        return 1.0
    excess = max(0.0, open_interest / (depth * tiers.oi_threshold) - 1.0)
    return min(tiers.oi_max_factor, 1.0 + tiers.oi_sensitivity * excess)


def fraction_ppm(sigma: float, policy: FractionPolicy, factor: float = 1.0) -> int:
    """Return ``clamp(⌈z(c)·σ·√mpor·factor·U⌉, floor, cap)`` in ppm."""
    raw = quantile(policy.confidence) * sigma * math.sqrt(policy.mpor_days) * factor
    return min(policy.cap_ppm, max(policy.floor_ppm, ceil_ppm(raw)))


@dataclass(frozen=True)
class BaseFractions:
    """Tier-0 maintenance and initial fractions (ppm) of one underlying."""

    maintenance_ppm: int
    initial_ppm: int


def base_fractions(
    sigma: float, maintenance: FractionPolicy, initial: FractionPolicy, factor: float = 1.0
) -> BaseFractions:
    """Return the tier-0 fractions; the initial one is never below the maintenance one."""
    mmf = fraction_ppm(sigma, maintenance, factor)
    return BaseFractions(mmf, max(mmf, fraction_ppm(sigma, initial, factor)))
