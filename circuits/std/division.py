"""Signed integer division with remainder: ``a = q·d + ρ`` with ``0 ≤ ρ < d`` (floor toward −∞),
and ceiling division ``⌈a/d⌉ = −⌊−a/d⌋``.

The quotient and remainder come from a hint and are fully constrained: ρ is bounded by
d − 1 exactly and q to an interval small enough that ``q·d + ρ`` cannot wrap around r,
so (q, ρ) is the unique floor division of the integer a whatever the prover supplies.
The gadget itself bounds a (``q·d + ρ`` lies in a known interval), so it is sound even
for an unchecked a; it is complete for signed ``a ∈ [−2^(n−1), 2^(n−1))``. The constant
divisor 1 is free: it returns ``(a, 0)`` and bounds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from algebra.constants import SCALAR_FIELD_R
from circuits.errors import CircuitError, HintError
from circuits.frontend import API, Operand, Variable, register_hint
from circuits.frontend.api import MAX_COMPARISON_BITS, check_comparison_bits
from circuits.frontend.variable import as_variable
from circuits.std.bits import at_most_cost, to_binary_at_most

R = SCALAR_FIELD_R
HALF_R = R // 2


@register_hint("floor_divmod")
def floor_divmod_hint(inputs: Sequence[int], n_outputs: int) -> list[int]:
    """Return ``[q, ρ][:n_outputs]`` with ``a = q·d + ρ``, 0 ≤ ρ < d (a read as a signed value)."""
    a = inputs[0] - R if inputs[0] > HALF_R else inputs[0]
    d = inputs[1]
    if not 1 <= d <= HALF_R:
        raise HintError("floor division needs a divisor in [1, r/2]")
    q, rho = divmod(a, d)
    return [q % R, rho][:n_outputs]


def floor_divmod(
    api: API,
    a: Operand,
    d: int | Variable,
    n_bits: int,
    *,
    d_bits: int = 0,
    d_checked: bool = False,
) -> tuple[Variable, Variable]:
    """Return ``(q, ρ) = (⌊a/d⌋, a − d·⌊a/d⌋)`` for signed ``a ∈ [−2^(n−1), 2^(n−1))``.

    ``d`` is a positive int constant, or a Variable with ``d ∈ [1, 2^d_bits)`` (range-checked
    here unless ``d_checked``); n_bits (+ d_bits) ≤ 252. Cost: ``division_cost(...)``.
    Labels: ``floor_divmod/quotient/…``, ``floor_divmod/remainder/…``.
    """
    check_comparison_bits(n_bits, api.label("floor_divmod"))
    low, high = -(1 << (n_bits - 1)), (1 << (n_bits - 1)) - 1
    with api.scope("floor_divmod"):
        return _divmod(api, as_variable(a), d, low, high, d_bits, d_checked)


def floor_div(
    api: API,
    a: Operand,
    d: int | Variable,
    n_bits: int,
    *,
    d_bits: int = 0,
    d_checked: bool = False,
) -> Variable:
    """Return ⌊a/d⌋ for signed n-bit a (bounds and cost as ``floor_divmod``)."""
    return floor_divmod(api, a, d, n_bits, d_bits=d_bits, d_checked=d_checked)[0]


def ceil_div(
    api: API,
    a: Operand,
    d: int | Variable,
    n_bits: int,
    *,
    d_bits: int = 0,
    d_checked: bool = False,
) -> Variable:
    """Return ⌈a/d⌉ = −⌊−a/d⌋ for signed n-bit a (cost as ``floor_divmod``)."""
    check_comparison_bits(n_bits, api.label("ceil_div"))
    low, high = -(1 << (n_bits - 1)), (1 << (n_bits - 1)) - 1
    with api.scope("ceil_div"):
        q, _ = _divmod(api, api.neg(a), d, -high, -low, d_bits, d_checked)
    return api.neg(q)


def division_cost(
    n_bits: int, d: int | None, d_bits: int = 0, d_checked: bool = False, *, ceil: bool = False
) -> int:
    """Return the constraints of ``floor_divmod`` (or ``ceil_div`` if ``ceil``); d is the int
    constant divisor, or None for a variable one of ``d_bits`` bits."""
    low, high = -(1 << (n_bits - 1)), (1 << (n_bits - 1)) - 1
    if ceil:
        low, high = -high, -low
    if d is not None:
        if d == 1:
            return 0
        return (high // d - low // d).bit_length() + at_most_cost(d - 1)
    m = (max(high, 0) - min(low, 0)).bit_length()
    return 1 + m + 2 * d_bits + (0 if d_checked else d_bits)


def _divmod(
    api: API, a: Variable, d: int | Variable, low: int, high: int, d_bits: int, d_checked: bool
) -> tuple[Variable, Variable]:
    if isinstance(d, int):
        return _divmod_constant(api, a, d, low, high)
    return _divmod_variable(api, a, d, low, high, d_bits, d_checked)


def _divmod_constant(
    api: API, a: Variable, d: int, low: int, high: int
) -> tuple[Variable, Variable]:
    if not 1 <= d < 1 << MAX_COMPARISON_BITS:
        raise CircuitError(f"{api.label('divisor')}: constant divisor {d} outside [1, 2^252)")
    if d == 1:
        return a, as_variable(0)
    q_low = low // d
    m = (high // d - q_low).bit_length()
    if (1 << m) * d >= HALF_R:
        raise CircuitError(f"{api.label('divisor')}: q·d + ρ could wrap around r")
    (q,) = api.hint("floor_divmod", [a, d], 1)
    with api.scope("quotient"):
        api.to_binary(api.sub(q, q_low), m)
    rho = api.sub(a, api.mul(q, d))
    with api.scope("remainder"):
        to_binary_at_most(api, rho, d - 1)
    return q, rho


def _divmod_variable(
    api: API, a: Variable, d: Variable, low: int, high: int, d_bits: int, d_checked: bool
) -> tuple[Variable, Variable]:
    q_low = min(low, 0)
    m = (max(high, 0) - q_low).bit_length()
    if not d_bits >= 1 or m + d_bits > MAX_COMPARISON_BITS:
        raise CircuitError(
            f"{api.label('divisor')}: need 1 ≤ d_bits and n_bits + d_bits ≤ 252 (d_bits={d_bits})"
        )
    if not d_checked:
        with api.scope("divisor"):
            api.to_binary(d, d_bits)
    q, rho = api.hint("floor_divmod", [a, d], 2)
    with api.scope("quotient"):
        api.to_binary(api.sub(q, q_low), m)
    with api.scope("remainder"):
        api.to_binary(rho, d_bits)
    with api.scope("remainder_lt_divisor"):
        api.to_binary(api.sub(d, rho, 1), d_bits)
    api.assert_product(q, d, api.sub(a, rho))
    return q, rho
