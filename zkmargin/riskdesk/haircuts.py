"""Collateral haircuts from volatility and liquidity, tiered for large balances.

A deposit may lose ``h_0 = clamp(⌈z(c)·σ_m·√L⌉, floor, cap)`` of its value while it is
liquidated over ``L`` days (``σ_m`` the margin volatility of :mod:`.margins`). A balance
``X`` takes ``L·(1 + X/X_c)`` days to sell (``X_c = participation · depth · L``), so its
haircut grows like ``√(1 + X/X_c)`` — the same argument as the size tiers of :mod:`.tiers`.
Band ``k`` starts at ``X_k = c_k · X_c`` (policy breakpoints ``c_k``, strictly increasing;
one ``breakpoint`` by default) with haircut ``h_k = min(cap, ⌈h_0·√(1 + c_k)⌉)``: as a
concave "min of affine pieces" value ``V = min_k(X·w_k + a_k)`` with weights ``w = U − h``,
``a_0 = 0`` and ``a_k = a_{k−1} + ⌊X_k·(w_{k−1} − w_k)/U⌋`` QQ (rounded down: the value
rounds down; the schedule is continuous up to that rounding). Bands whose haircut would not
rise (the cap) are dropped. A borrow of the asset is a liability weighted ``U + h_0`` (its
price may rise as much). The quote currency has no haircut.
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
    """Return the concave haircut schedule of an asset: at most one piece per breakpoint
    beyond the base piece (see the module docstring)."""
    tiers = [HaircutTier(weight_ppm=U - base_ppm)]
    previous_ppm = base_ppm
    for c in policy.band_breakpoints():
        high = min(policy.cap_ppm, ceil_ppm(base_ppm / U * math.sqrt(1.0 + c)))
        start_qq = math.floor(
            c * policy.participation * depth * policy.liquidation_days * qq_per_unit
        )
        step = start_qq * (high - previous_ppm) // U
        if high <= previous_ppm or step <= 0:
            break
        tiers.append(HaircutTier(weight_ppm=U - high, addition=tiers[-1].addition + step))
        previous_ppm = high
    return tiers


def liability_weight_ppm(base_ppm: int) -> int:
    """Return the borrow weight ``U + h_0`` (at most the model's maximum)."""
    return min(MAX_LIABILITY_WEIGHT, U + base_ppm)
