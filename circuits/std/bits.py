"""Bit decomposition: plain (``to_binary``), bounded by a constant (``to_binary_at_most``) and
strict (``to_binary_strict``, unique below r — the role of circomlib's Num2Bits_strict).

The bounded decomposition compares the bits with a constant from the most significant
end (as gnark's ``mustBeLessOrEqCst``): a prefix flag ``p`` says "equal to the bound so
far"; at a 0 bit of the bound the row ``(1 − p − b)·b = 0`` forces ``b = 0`` while the
prefix is equal *and* makes ``b`` boolean, so those bits need no separate boolean row.
"""

from __future__ import annotations

from algebra.constants import SCALAR_FIELD_R
from circuits.errors import CircuitError
from circuits.frontend import API, Operand, Variable
from circuits.frontend.variable import as_variable, linear

R = SCALAR_FIELD_R
STRICT_BITS = 254


def to_binary(api: API, v: Operand, n_bits: int) -> list[Variable]:
    """Return bits (LSB first) with ``v = Σ 2^i b_i`` and v ∈ [0, 2^n_bits); n_bits constraints.

    n_bits ≤ 253 (unique since 2^253 < r). circomlib's Num2Bits(n) costs n + 1.
    """
    return api.to_binary(v, n_bits)


def from_binary(api: API, bits: list[Variable]) -> Variable:
    """Return ``Σ 2^i b_i``; one boolean constraint per bit not already known boolean."""
    return api.from_binary(bits)


def at_most_cost(bound: int) -> int:
    """Return the constraint count of ``to_binary_at_most(api, v, bound)`` for non-constant v."""
    n = max(bound.bit_length(), 1)
    lowest_zero = next((i for i in range(n) if not (bound >> i) & 1), None)
    if lowest_zero is None:
        return n
    products = sum(1 for i in range(lowest_zero + 1, n - 1) if (bound >> i) & 1)
    return n + products


def to_binary_at_most(api: API, v: Operand, bound: int) -> list[Variable]:
    """Return the n = bitlen(bound) bits of v and assert ``v ∈ [0, bound]`` (bound a constant).

    Costs ``at_most_cost(bound)`` constraints: one per bit plus one prefix product per 1 bit
    of the bound (other than the top one) lying above its lowest 0 bit; a bound 2^n − 1
    costs exactly n. Requires 0 ≤ bound < r.
    """
    if not 0 <= bound < R:
        raise CircuitError(f"{api.label('at_most')}: bound {bound} is outside [0, r)")
    n = max(bound.bit_length(), 1)
    value = as_variable(v)
    k = value.constant_value()
    if k is not None:
        if k > bound:
            raise CircuitError(f"{api.label('at_most')}: constant {k} exceeds {bound}")
        return [as_variable((k >> i) & 1) for i in range(n)]
    low = api.hint("bits", [value], n - 1)
    rest = linear((1, value), *((-(1 << i), bit) for i, bit in enumerate(low)))
    bits = [*low, linear((pow(1 << (n - 1), -1, R), rest))]
    _assert_bits_at_most(api, bits, bound)
    return bits


def _assert_bits_at_most(api: API, bits: list[Variable], bound: int) -> None:
    one = as_variable(1)
    n = len(bits)
    lowest_zero = next((i for i in range(n) if not (bound >> i) & 1), n)
    prefix = one  # 1 while the bits above position i equal the bound's
    for i in reversed(range(n)):
        bit = bits[i]
        if (bound >> i) & 1:
            api.add_constraint(bit, linear((1, bit), (-1, one)), as_variable(0), f"bit[{i}]")
            if i > lowest_zero:
                prefix = bit if prefix is one else api.product_wire(prefix, bit, f"prefix[{i}]")
        else:
            free = linear((1, one), (-1, prefix), (-1, bit))
            api.add_constraint(free, bit, as_variable(0), f"bit[{i}]/at_most")
        api.mark_boolean(bit)


def to_binary_strict(api: API, v: Operand) -> list[Variable]:
    """Return the 254 bits of v (LSB first) with ``Σ 2^i b_i ≤ r − 1``: the unique decomposition.

    353 constraints (254 bits + 99 prefix products for r − 1); circomlib's Num2Bits_strict
    (Num2Bits(254) + AliasCheck) costs more — see docs/circuits.md.
    """
    with api.scope("to_binary_strict"):
        return to_binary_at_most(api, v, R - 1)


def strict_cost() -> int:
    """Return the constraint count of ``to_binary_strict``."""
    return at_most_cost(R - 1)
