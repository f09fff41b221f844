"""Collateral haircuts from volatility and liquidity, tiered for large balances.

A deposit may lose ``h_0 = clamp(⌈z(c)·σ_m·√L⌉, floor, cap)`` of its value while it is
liquidated over ``L`` days (``σ_m`` the margin volatility of :mod:`.margins`). A balance
above ``X_1 = breakpoint · participation · depth · L`` takes proportionally longer to sell,
so beyond it the haircut is ``h_1 = min(cap, ⌈h_0·√(1 + breakpoint)⌉)``: as a concave
"min of affine pieces" value ``V = min(X·w_0, X·w_1 + a_1)`` with weights ``w = U − h``
and ``a_1 = ⌊X_1·(w_0 − w_1)/U⌋`` QQ (rounded down: the value rounds down). A borrow of
the asset is a liability weighted ``U + h_0`` (its price may rise as much). The quote
currency has no haircut.
"""

from __future__ import annotations

import math

from circuits.margin.model import HaircutTier
from circuits.margin.units import MAX_LIABILITY_WEIGHT, U
from zkmargin.riskdesk.margins import ceil_ppm, quantile
from zkmargin.riskdesk.schemas import HaircutPolicy


def haircut_ppm(sigma: float, policy: HaircutPolicy) -> int:
    """Return the base haircut ``clamp(⌈z·σ·√L⌉, floor, cap)`` in ppm."""
    raw = quantile(policy.confidence) * sigma * math.sqrt(policy.liquidation_days)
    return min(policy.cap_ppm, max(policy.floor_ppm, ceil_ppm(raw)))


def haircut_schedule(
    base_ppm: int, depth: float, policy: HaircutPolicy, qq_per_unit: int
) -> list[HaircutTier]:
    """Return the concave haircut schedule (one or two pieces) for an asset."""
    tiers = [HaircutTier(weight_ppm=U - base_ppm)]
    high = min(policy.cap_ppm, ceil_ppm(base_ppm / U * math.sqrt(1.0 + policy.breakpoint)))
    start_qq = math.floor(
        policy.breakpoint * policy.participation * depth * policy.liquidation_days * qq_per_unit
    )
    addition = start_qq * (high - base_ppm) // U
    if high > base_ppm and addition > 0:
        tiers.append(HaircutTier(weight_ppm=U - high, addition=addition))
    return tiers


def liability_weight_ppm(base_ppm: int) -> int:
    """Return the borrow weight ``U + h_0`` (at most the model's maximum)."""
    return min(MAX_LIABILITY_WEIGHT, U + base_ppm)
