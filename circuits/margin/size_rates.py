"""Size-dependent rates and weights in exact integers: the engine side of features 0–2.

The circuit (:mod:`circuits.margin.size_rate_gadgets`) proves exactly these values.
Fields and units: :mod:`circuits.margin.size_rate_model`. Every fraction is kept as a
rational over ``scale`` (no intermediate rounding) and the one final division rounds
conservatively, so nothing here is below the real-valued venue formula:

* ``s = ⌈√((|q| + 1)·scale)⌉`` bounds ``scale·√(|q|/scale)`` from above (one size quantum
  more than held: Drift's ``√(10·size + 1)`` adds a tenth of its 10^-9 quantum);
* instrument rate, scaled: ``ρ = max(min(cap·scale, base·scale + slope·|q|),
  premium_base·scale + factor·s, oi_rate·scale)`` with
  ``oi_rate = base + ⌈(top − base)·clamp(OI − lower, 0, upper − lower)/(upper − lower)⌉``;
  the requirement is ``M = max(M_tiers, ⌈|q|·P·ρ/(U·scale²)⌉)`` — from the exact notional
  ``|q|·P/scale``, not the floored one;
* a deposit ``b ≥ 0`` is worth ``min(V_tiers, ⌊b·p·w/(U·scale)⌋)`` with the weight
  ``w = σ·⌊β·(U + π)·scale/((U·scale + φ_a·s)·σ)⌋`` (β the asset base, σ the step) and a
  borrow ``min(V_tiers, ⌊b·p·λ_s/(U·scale²)⌋)`` with ``λ_s = max(λ·scale, λ_0·scale + φ_l·s)``.

A size requirement of 2^131 QQ or more, or a value outside [−2^131, 2^131), is beyond the circuit's
range: the engine refuses it (no proof could be made), it never caps it.

Feature bits: 0 ``size-rates`` (per instrument ``(base, slope, cap, premium_base, factor)``
for maintenance then initial), 1 ``size-weights`` (per asset ``(β, π, φ_a, σ, λ_0, φ_l)``),
2 ``open-interest`` (per instrument ``OI`` then ``(base, top, lower, upper)`` for
maintenance then initial).
"""

from __future__ import annotations

from math import isqrt
from typing import Final

from circuits.margin.errors import MarginInputError
from circuits.margin.extensions import SnapshotFeature, feature_mask, register_feature
from circuits.margin.model import CollateralSpec, InstrumentSpec, MarketSnapshot
from circuits.margin.size_rate_model import OpenInterestScaling, SizeRate, SizeWeights
from circuits.margin.statement import REQUIREMENT_INITIAL
from circuits.margin.units import U

BIT_SIZE_RATES: Final = 0
BIT_SIZE_WEIGHTS: Final = 1
BIT_OPEN_INTEREST: Final = 2
SIZE_VALUE_BITS: Final = 131
"""Size requirements lie in ``[0, 2^131)`` and size-weighted values in ``(−2^131, 2^131)``."""

_NO_RATE: Final = SizeRate()
_NO_OI: Final = OpenInterestScaling()
_NO_WEIGHTS: Final = SizeWeights()


def ceil_sqrt(x: int) -> int:
    """Return ``⌈√x⌉`` for ``x ≥ 0``."""
    root = isqrt(x)
    return root if root * root == x else root + 1


def sqrt_units(abs_size: int, scale: int) -> int:
    """Return ``s = ⌈√((|q| + 1)·scale)⌉ ≥ scale·√(|q|/scale)`` (one extra quantum)."""
    return ceil_sqrt((abs_size + 1) * scale)


def size_rate(inst: InstrumentSpec, kind: int) -> SizeRate:
    """Return the instrument's size rate of ``kind`` (zero rate if absent)."""
    if inst.size_rates is None:
        return _NO_RATE
    return inst.size_rates.initial if kind == REQUIREMENT_INITIAL else inst.size_rates.maintenance


def oi_scaling(inst: InstrumentSpec, kind: int) -> OpenInterestScaling:
    """Return the instrument's open-interest scaling of ``kind`` (zero rate if absent)."""
    if inst.open_interest is None:
        return _NO_OI
    oi = inst.open_interest
    return oi.initial if kind == REQUIREMENT_INITIAL else oi.maintenance


def open_interest_value(inst: InstrumentSpec) -> int:
    """Return the hashed open interest (0 if absent)."""
    return 0 if inst.open_interest is None else inst.open_interest.value


def open_interest_rate(open_interest: int, scaling: OpenInterestScaling) -> int:
    """Return ``base + ⌈(top − base)·clamp(OI − lower, 0, w)/w⌉`` ppm, ``w = upper − lower``."""
    width = scaling.upper_cap - scaling.lower_cap
    clamped = min(max(open_interest - scaling.lower_cap, 0), width)
    return scaling.base_ppm - (-(scaling.top_ppm - scaling.base_ppm) * clamped // width)


def scaled_rate(abs_size: int, inst: InstrumentSpec, kind: int) -> int:
    """Return ``ρ = scale·rate(|q|)`` rounded up (module docstring)."""
    scale, rate = inst.size_scale, size_rate(inst, kind)
    affine = min(rate.cap_ppm * scale, rate.base_ppm * scale + rate.slope_ppm * abs_size)
    root = rate.premium_base_ppm * scale + rate.factor_ppm * sqrt_units(abs_size, scale)
    oi = open_interest_rate(open_interest_value(inst), oi_scaling(inst, kind)) * scale
    return max(affine, root, oi)


def size_requirement(size: int, inst: InstrumentSpec, kind: int) -> int:
    """Return ``⌈|q|·P·ρ/(U·scale²)⌉``: the size-dependent requirement of ``kind``.

    Raises:
        MarginInputError: the requirement is 2^131 QQ or more (beyond the circuit's range).
    """
    abs_size = abs(size)
    numerator = abs_size * inst.mark_price * scaled_rate(abs_size, inst, kind)
    requirement = -(-numerator // (U * inst.size_scale**2))
    if requirement >> SIZE_VALUE_BITS:
        raise MarginInputError(
            f"instrument {inst.symbol!r}: the size-dependent requirement exceeds 2^131 QQ"
        )
    return requirement


def size_weighted_value(balance: int, coll: CollateralSpec) -> int:
    """Return the size-premium value of a balance (≥ the tiers' value only through the min).

    A deposit: ``⌊b·p·w/(U·scale)⌋``; a borrow: ``⌊b·p·λ_s/(U·scale²)⌋`` (module docstring).

    Raises:
        MarginInputError: the value lies outside ``(−2^131, 2^131)``.
    """
    weights = coll.size_weights or _NO_WEIGHTS
    scale, raw = coll.scale, balance * coll.price
    root = sqrt_units(abs(balance), scale)
    if balance >= 0:
        weight = asset_weight(weights, scale, root) * scale
    else:
        weight = max(
            coll.liability_weight_ppm * scale,
            weights.liability_premium_base_ppm * scale + weights.liability_factor_ppm * root,
        )
    value = raw * weight // (U * scale * scale)
    if not -(1 << SIZE_VALUE_BITS) <= value < 1 << SIZE_VALUE_BITS:  # the circuit's range
        raise MarginInputError(f"collateral {coll.symbol!r}: the size-weighted value exceeds 2^131")
    return value


def asset_weight(weights: SizeWeights, scale: int, root: int) -> int:
    """Return ``w = σ·⌊β·(U + π)·scale/((U·scale + φ_a·s)·σ)⌋`` ppm (rounded down to the step)."""
    numerator = weights.asset_base_ppm * (U + weights.asset_premium_ppm) * scale
    denominator = (U * scale + weights.asset_factor_ppm * root) * weights.asset_weight_step_ppm
    return numerator // denominator * weights.asset_weight_step_ppm


def instrument_requirement_hook(
    tier_requirement: int, size: int, inst: InstrumentSpec, kind: int
) -> int:
    """Return ``max(M_tiers, size requirement)`` (just ``M_tiers`` without bits 0/2 fields)."""
    if inst.size_rates is None and inst.open_interest is None:
        return tier_requirement
    return max(tier_requirement, size_requirement(size, inst, kind))


def collateral_value_hook(tier_value: int, balance: int, coll: CollateralSpec) -> int:
    """Return ``min(V_tiers, size-weighted value)`` (just ``V_tiers`` without bit 1 fields)."""
    if coll.size_weights is None:
        return tier_value
    return min(tier_value, size_weighted_value(balance, coll))


def _rate_elements(rate: SizeRate) -> list[int]:
    return [rate.base_ppm, rate.slope_ppm, rate.cap_ppm, rate.premium_base_ppm, rate.factor_ppm]


def _oi_elements(scaling: OpenInterestScaling) -> list[int]:
    return [scaling.base_ppm, scaling.top_ppm, scaling.lower_cap, scaling.upper_cap]


def size_rate_encoding(snapshot: MarketSnapshot) -> list[int]:
    """Return feature 0's elements: per instrument, maintenance then initial rate fields."""
    return [
        v
        for inst in snapshot.instruments
        for kind in (0, 1)
        for v in _rate_elements(size_rate(inst, kind))
    ]


def size_weight_encoding(snapshot: MarketSnapshot) -> list[int]:
    """Return feature 1's elements: per asset ``(β, π, φ_a, σ, λ_0, φ_l)``."""
    out: list[int] = []
    for coll in snapshot.collateral:
        w = coll.size_weights or _NO_WEIGHTS
        out += [w.asset_base_ppm, w.asset_premium_ppm, w.asset_factor_ppm, w.asset_weight_step_ppm]
        out += [w.liability_premium_base_ppm, w.liability_factor_ppm]
    return out


def open_interest_encoding(snapshot: MarketSnapshot) -> list[int]:
    """Return feature 2's elements: per instrument ``OI``, then each kind's scaling."""
    out: list[int] = []
    for inst in snapshot.instruments:
        out.append(open_interest_value(inst))
        for kind in (0, 1):
            out += _oi_elements(oi_scaling(inst, kind))
    return out


SIZE_RATES_FEATURE: Final = register_feature(
    SnapshotFeature(
        bit=BIT_SIZE_RATES,
        name="size-rates",
        used_by=lambda s: any(i.size_rates is not None for i in s.instruments),
        encoding=size_rate_encoding,
    )
)
SIZE_WEIGHTS_FEATURE: Final = register_feature(
    SnapshotFeature(
        bit=BIT_SIZE_WEIGHTS,
        name="size-weights",
        used_by=lambda s: any(c.size_weights is not None for c in s.collateral),
        encoding=size_weight_encoding,
    )
)
OPEN_INTEREST_FEATURE: Final = register_feature(
    SnapshotFeature(
        bit=BIT_OPEN_INTEREST,
        name="open-interest",
        used_by=lambda s: any(i.open_interest is not None for i in s.instruments),
        encoding=open_interest_encoding,
    )
)


def size_feature_assignment(snapshot: MarketSnapshot) -> dict[str, list[int]]:
    """Return the circuit inputs of features 0–2: each feature's encoding when the snapshot
    uses it, else an empty array (the circuit's arrays are empty without the feature)."""
    mask = feature_mask(snapshot)
    return {
        name: encode(snapshot) if mask >> bit & 1 else []
        for name, bit, encode in (
            ("size_rates", BIT_SIZE_RATES, size_rate_encoding),
            ("size_weights", BIT_SIZE_WEIGHTS, size_weight_encoding),
            ("open_interest", BIT_OPEN_INTEREST, open_interest_encoding),
        )
    }
