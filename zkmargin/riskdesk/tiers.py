"""Size tiers from market depth: a position that takes longer to unwind carries more margin.

A venue can unwind ``participation × depth`` of notional per day without moving the book
much, so within the margin period of risk it unwinds the *capacity*
``C = participation · depth · mpor``. A position of notional ``N`` takes
``mpor·(1 + N/C)`` days to close out, so its fraction grows like ``√(1 + N/C)``. Tier
``k`` starts at ``N_k = c_k·C`` (policy breakpoints ``c_k``) with rate
``r_k = ⌈r_0·√(1 + c_k)⌉`` (capped at 100 %), and its deduction keeps the schedule
continuous: ``D_k = D_{k−1} + ⌊N_k·(r_k − r_{k−1})/U⌋`` (QQ; rounding down the deduction
rounds the requirement up). Tiers whose rate would not rise (the cap) are dropped.
"""

from __future__ import annotations

import math

from circuits.margin.model import MarginTier
from circuits.margin.units import U
from zkmargin.riskdesk.margins import ceil_ppm


def capacity(depth: float, participation: float, days: int) -> float:
    """Return the notional (quote units) unwound in ``days`` at ``participation`` of depth."""
    return participation * depth * days


def tier_schedule(
    base_ppm: int, unwind_capacity: float, breakpoints: list[float], qq_per_unit: int
) -> list[MarginTier]:
    """Return the convex tier schedule starting at ``base_ppm`` (see the module docstring)."""
    tiers = [MarginTier(rate_ppm=base_ppm)]
    for c in breakpoints:
        rate = min(U, ceil_ppm(base_ppm / U * math.sqrt(1.0 + c)))
        previous = tiers[-1]
        if rate <= previous.rate_ppm:
            break
        start_qq = math.floor(c * unwind_capacity * qq_per_unit)
        deduction = previous.deduction + start_qq * (rate - previous.rate_ppm) // U
        if deduction <= previous.deduction:
            break
        tiers.append(MarginTier(rate_ppm=rate, deduction=deduction))
    return tiers
