"""Circuit side of the size-dependent features 0–2 (:mod:`circuits.margin.size_rates`).

Every hint output is constrained where it is produced and every value that enters a
comparison is range-checked at a width under which no honest value wraps and no forged
one fits (bounds below; ``|q|, |b| ≤ 2^63``, ``scale < 2^30``, ``P, p < 2^64``, rates
``≤ 10·U < 2^24``, factors and slopes ``< 2^32``, open-interest values ``< 2^64``):

* ``s = ⌈√x⌉`` for ``x = (|q| + 1)·scale ∈ [1, 2^93)``: ``s ∈ [0, 2^47)``,
  ``s² − x ∈ [0, 2^48)`` and ``2s − 2 − (s² − x) ∈ [0, 2^48)``, i.e. ``(s−1)² < x ≤ s²``
  (175 constraints);
* a max/min of two values: a prover-named bit, checked by the gap ``chosen − other`` (or
  ``other − chosen``) in ``[0, 2^k)`` (k + 3 constraints);
* the scaled rate's pieces are below 2^96 (``slope·|q| < 2^95``, ``factor·s < 2^79``);
* ``M = ⌈|q|·P·ρ/(U·scale²)⌉``: ``M ∈ [0, 2^131)`` and ``M·D − X ∈ [0, D)`` with
  ``D = U·scale² < 2^80`` (``X < 2^223``, ``M·D < 2^211``: no wrap);
* ``V = ⌊num/den⌋`` signed: ``V + 2^131 ∈ [0, 2^132)``, ``num − V·den ∈ [0, den)`` with
  ``den = U·scale² < 2^80`` (``|num| < 2^207``);
* the asset weight's quotient ``k = ⌊β·(U+π)·scale/((U·scale + φ_a·s)·σ)⌋ < 2^72``
  with the divisor below 2^100 (numerator < 2^71).

Snapshot values (rates, factors, OI) are bound by the snapshot hash, so they are trusted
to be in their validated ranges, as in :mod:`circuits.margin.gadgets`.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import isqrt
from typing import Final, Protocol

from algebra.constants import SCALAR_FIELD_R
from circuits.frontend import API, Variable, register_hint
from circuits.margin.size_rates import (
    BIT_OPEN_INTEREST,
    BIT_SIZE_RATES,
    BIT_SIZE_WEIGHTS,
    SIZE_VALUE_BITS,
)
from circuits.margin.sizes import MarginSize
from circuits.margin.units import U

RATE_FIELDS: Final = 5
"""Per kind: base, slope, cap, premium base, factor."""
OI_FIELDS: Final = 4
"""Per kind: base, top, lower cap, upper cap."""
WEIGHT_FIELDS: Final = 6
"""Per asset: asset base, premium, factor, weight step, liability premium base, factor."""
IMPLEMENTED_MASK: Final = (1 << BIT_SIZE_RATES) | (1 << BIT_SIZE_WEIGHTS) | (1 << BIT_OPEN_INTEREST)
ABSENT_LENGTHS: Final = {"n_size_rates": 0, "n_size_weights": 0, "n_open_interest": 0}
"""Array lengths of the feature inputs when the circuit's mask lacks the feature."""

SQRT_BITS: Final = 47
SQRT_GAP_BITS: Final = 48
RATE_GAP_BITS: Final = 96
OI_GAP_BITS: Final = 65
OI_RATE_BITS: Final = 24
OI_WIDTH_BITS: Final = 64
REQUIREMENT_DIVISOR_BITS: Final = 80
VALUE_DIVISOR_BITS: Final = 100
LIABILITY_GAP_BITS: Final = 81
WEIGHT_QUOTIENT_BITS: Final = 72
R = SCALAR_FIELD_R


class SizeFeatureWires(Protocol):
    """The ``MarginCircuit`` inputs the size features read (the feature arrays are only
    read when the mask has the feature: circuits that embed the margin evaluation without
    them, like ``SolvencyChunk``, need not declare them)."""

    requirement_kind: Variable
    size_scale: list[Variable]
    mark_price: list[Variable]
    collateral_scale: list[Variable]
    collateral_price: list[Variable]
    liability_weight: list[Variable]
    size_rates: list[Variable]
    size_weights: list[Variable]
    open_interest: list[Variable]


def _has(size: MarginSize, bit: int) -> bool:
    return bool(size.features >> bit & 1)


def input_lengths(size: MarginSize) -> dict[str, int]:
    """Return the array-length parameters of the feature inputs ``size.features`` needs."""
    out: dict[str, int] = {}
    if _has(size, BIT_SIZE_RATES):
        out["n_size_rates"] = size.n_instruments * 2 * RATE_FIELDS
    if _has(size, BIT_SIZE_WEIGHTS):
        out["n_size_weights"] = size.n_collateral * WEIGHT_FIELDS
    if _has(size, BIT_OPEN_INTEREST):
        out["n_open_interest"] = size.n_instruments * (1 + 2 * OI_FIELDS)
    return out


def requirement_bits(size: MarginSize) -> int:
    """Return the bit bound of one instrument's requirement (127, or 131 with bits 0/2)."""
    if _has(size, BIT_SIZE_RATES) or _has(size, BIT_OPEN_INTEREST):
        return SIZE_VALUE_BITS
    return 127


def extension_elements(size: MarginSize, wires: SizeFeatureWires) -> list[Variable | int]:
    """Return ``b, elements…`` for each of bits 0–2 in ``size.features`` (encoding order)."""
    out: list[Variable | int] = []
    if _has(size, BIT_SIZE_RATES):
        out += [BIT_SIZE_RATES, *wires.size_rates]
    if _has(size, BIT_SIZE_WEIGHTS):
        out += [BIT_SIZE_WEIGHTS, *wires.size_weights]
    if _has(size, BIT_OPEN_INTEREST):
        out += [BIT_OPEN_INTEREST, *wires.open_interest]
    return out


@register_hint("margin/ceil_sqrt")
def ceil_sqrt_hint(inputs: Sequence[int], n_outputs: int) -> list[int]:
    """Return ``[⌈√x⌉]`` for ``x = inputs[0]`` (read as a non-negative integer)."""
    x = inputs[0]
    root = isqrt(x)
    return [root if root * root == x else root + 1]


def ceil_sqrt(api: API, x: Variable) -> Variable:
    """Return ``s = ⌈√x⌉`` for ``x ∈ [1, 2^93)``: asserts ``(s−1)² < x ≤ s²`` (175 constraints)."""
    (s,) = api.hint("margin/ceil_sqrt", [x], 1)
    with api.scope("sqrt"):
        api.to_binary(s, SQRT_BITS)
    excess = api.sub(api.mul(s, s), x)
    with api.scope("sqrt_covers"):
        api.to_binary(excess, SQRT_GAP_BITS)
    with api.scope("sqrt_least"):
        api.to_binary(api.sub(api.mul(s, 2), 2, excess), SQRT_GAP_BITS)
    return s


def pick(
    api: API, a: Variable | int, b: Variable | int, *, smaller: bool, bits: int, label: str
) -> Variable:
    """Return ``max(a, b)`` (``min`` if ``smaller``): a prover-named bit β, ``chosen = β ? b : a``
    and the gap to the other in ``[0, 2^bits)`` (bits + 3 constraints)."""
    (beta,) = api.hint("margin/second_binds", [a, b, int(smaller)], 1)
    api.assert_is_boolean(beta)
    chosen = api.select(beta, b, a)
    other = api.sub(api.add(a, b), chosen)
    with api.scope(label):
        api.to_binary(api.sub(other, chosen) if smaller else api.sub(chosen, other), bits)
    return chosen


def ceil_div_checked(
    api: API, x: Variable, d: Variable, quotient_bits: int, divisor_bits: int
) -> Variable:
    """Return ``m = ⌈x/d⌉`` for ``x ≥ 0``, ``1 ≤ d < 2^divisor_bits``: ``m < 2^quotient_bits``
    and ``m·d − x ∈ [0, d)``."""
    (m,) = api.hint("margin/ceil_div", [x, d], 1)
    with api.scope("quotient"):
        api.to_binary(m, quotient_bits)
    excess = api.sub(api.mul(m, d), x)
    with api.scope("excess"):
        api.to_binary(excess, divisor_bits)
    with api.scope("excess_lt_divisor"):
        api.to_binary(api.sub(d, 1, excess), divisor_bits)
    return m


def _selected(api: API, kind: Variable, values: Sequence[Variable], width: int) -> list[Variable]:
    """Return the ``kind`` half (maintenance first, then initial) of ``values``."""
    return [api.select(kind, values[width + k], values[k]) for k in range(width)]


def _open_interest_rate(api: API, kind: Variable, values: Sequence[Variable]) -> Variable:
    """Return ``base + ⌈(top − base)·clamp(OI − lower, 0, w)/w⌉`` for the ``kind`` scaling."""
    base, top, lower, upper = _selected(api, kind, values[1:], OI_FIELDS)
    width = api.sub(upper, lower)
    floored = pick(api, api.sub(values[0], lower), 0, smaller=False, bits=OI_GAP_BITS,
                   label="oi_above_lower")  # fmt: skip
    clamped = pick(api, floored, width, smaller=True, bits=OI_GAP_BITS, label="oi_below_upper")
    with api.scope("oi_rate"):
        step = ceil_div_checked(
            api, api.mul(api.sub(top, base), clamped), width, OI_RATE_BITS, OI_WIDTH_BITS
        )
    return api.add(base, step)


def instrument_requirement(
    api: API,
    size: MarginSize,
    wires: SizeFeatureWires,
    i: int,
    q: Variable,
    is_long: Variable,
    tier_requirement: Variable,
) -> Variable:
    """Return ``max(M_tiers, ⌈|q|·P·ρ/(U·scale²)⌉)`` for instrument ``i`` (``M_tiers``
    without bits 0/2). Costs (measured): 780 constraints with bit 0 alone, 722 with bit 2
    alone, 1171 with both.
    """
    if not (_has(size, BIT_SIZE_RATES) or _has(size, BIT_OPEN_INTEREST)):
        return tier_requirement
    kind, scale, price = wires.requirement_kind, wires.size_scale[i], wires.mark_price[i]
    per_rates, per_oi = 2 * RATE_FIELDS, 1 + 2 * OI_FIELDS
    rates = (
        wires.size_rates[i * per_rates : (i + 1) * per_rates] if _has(size, BIT_SIZE_RATES) else []
    )
    open_interest = (
        wires.open_interest[i * per_oi : (i + 1) * per_oi] if _has(size, BIT_OPEN_INTEREST) else []
    )
    with api.scope("size_rate"):
        abs_q = api.mul(api.sub(api.mul(is_long, 2), 1), q)
        pieces: list[Variable] = []
        if rates:
            base, slope, cap, premium_base, factor = _selected(api, kind, rates, RATE_FIELDS)
            affine = api.add(api.mul(base, scale), api.mul(slope, abs_q))
            pieces.append(pick(api, api.mul(cap, scale), affine, smaller=True,
                               bits=RATE_GAP_BITS, label="affine_cap"))  # fmt: skip
            root = ceil_sqrt(api, api.mul(api.add(abs_q, 1), scale))
            pieces.append(api.add(api.mul(premium_base, scale), api.mul(factor, root)))
        if open_interest:
            pieces.append(api.mul(_open_interest_rate(api, kind, open_interest), scale))
        rate = pieces[0]
        for k, piece in enumerate(pieces[1:], start=1):
            rate = pick(api, rate, piece, smaller=False, bits=RATE_GAP_BITS, label=f"piece[{k}]")
        numerator = api.mul(api.mul(abs_q, price), rate)
        divisor = api.mul(api.mul(scale, scale), U)
        with api.scope("requirement"):
            required = ceil_div_checked(
                api, numerator, divisor, SIZE_VALUE_BITS, REQUIREMENT_DIVISOR_BITS
            )
        return pick(api, tier_requirement, required, smaller=False, bits=SIZE_VALUE_BITS,
                    label="binding")  # fmt: skip


def floor_div_checked(
    api: API, x: Variable, d: Variable, quotient_bits: int, divisor_bits: int
) -> Variable:
    """Return ``k = ⌊x/d⌋`` for ``x ≥ 0``, ``1 ≤ d < 2^divisor_bits``: ``k < 2^quotient_bits``
    and ``x − k·d ∈ [0, d)``."""
    (k,) = api.hint("margin/floor_div", [x, d], 1)
    with api.scope("quotient"):
        api.to_binary(k, quotient_bits)
    remainder = api.sub(x, api.mul(k, d))
    with api.scope("remainder"):
        api.to_binary(remainder, divisor_bits)
    with api.scope("remainder_lt_divisor"):
        api.to_binary(api.sub(d, 1, remainder), divisor_bits)
    return k


def floor_div_signed(api: API, num: Variable, den: Variable) -> Variable:
    """Return ``V = ⌊num/den⌋`` for ``|num| < 2^207``, ``1 ≤ den < 2^100``:
    ``V + 2^131 ∈ [0, 2^132)`` and ``num − V·den ∈ [0, den)`` (den < 2^80 here)."""
    (value,) = api.hint("margin/floor_div", [num, den], 1)
    with api.scope("value"):
        api.to_binary(api.add(value, 1 << SIZE_VALUE_BITS), SIZE_VALUE_BITS + 1)
    remainder = api.sub(num, api.mul(value, den))
    with api.scope("remainder"):
        api.to_binary(remainder, REQUIREMENT_DIVISOR_BITS)
    with api.scope("remainder_lt_divisor"):
        api.to_binary(api.sub(den, 1, remainder), REQUIREMENT_DIVISOR_BITS)
    return value


def collateral_value(
    api: API,
    size: MarginSize,
    wires: SizeFeatureWires,
    j: int,
    balance: Variable,
    is_deposit: Variable,
    tier_value: Variable,
) -> Variable:
    """Return ``min(V_tiers, size-weighted value)`` (``V_tiers`` without bit 1).

    ``V = ⌊b·p·ω/(U·scale²)⌋`` with ``ω = w·scale`` for a deposit
    (``w = σ·⌊β·(U+π)·scale/((U·scale + φ_a·s)·σ)⌋``) and ``ω = λ_s = max(λ·scale,
    λ_0·scale + φ_l·s)`` for a borrow, ``s = ⌈√((|b| + 1)·scale)⌉``. 943 constraints.
    """
    if not _has(size, BIT_SIZE_WEIGHTS):
        return tier_value
    price, scale = wires.collateral_price[j], wires.collateral_scale[j]
    liability_weight = wires.liability_weight[j]
    weights = wires.size_weights[j * WEIGHT_FIELDS : (j + 1) * WEIGHT_FIELDS]
    asset_base, premium, asset_factor, step, liability_base, liability_factor = weights
    with api.scope("size_weight"):
        abs_b = api.mul(api.sub(api.mul(is_deposit, 2), 1), balance)
        root = ceil_sqrt(api, api.mul(api.add(abs_b, 1), scale))
        liability = pick(
            api, api.mul(liability_weight, scale),
            api.add(api.mul(liability_base, scale), api.mul(liability_factor, root)),
            smaller=False, bits=LIABILITY_GAP_BITS, label="liability_weight",
        )  # fmt: skip
        with api.scope("asset_weight"):
            steps = floor_div_checked(
                api, api.mul(api.mul(asset_base, api.add(premium, U)), scale),
                api.mul(api.add(api.mul(scale, U), api.mul(asset_factor, root)), step),
                WEIGHT_QUOTIENT_BITS, VALUE_DIVISOR_BITS,
            )  # fmt: skip
        deposit_weight = api.mul(api.mul(steps, step), scale)
        weight = api.select(is_deposit, deposit_weight, liability)
        numerator = api.mul(api.mul(balance, price), weight)
        value = floor_div_signed(api, numerator, api.mul(api.mul(scale, scale), U))
        return pick(api, tier_value, value, smaller=True, bits=SIZE_VALUE_BITS + 2,
                    label="binding")  # fmt: skip
