"""Range checks: unsigned ``v ∈ [0, 2^n)``, signed ``v ∈ [−2^(n−1), 2^(n−1))`` (negatives as
r − k) and constant upper bounds ``v ∈ [0, bound]``."""

from __future__ import annotations

from circuits.errors import CircuitError
from circuits.frontend import API, MAX_UNIQUE_BITS, Operand
from circuits.std.bits import to_binary_at_most


def assert_in_range(api: API, v: Operand, n_bits: int) -> None:
    """Assert ``v ∈ [0, 2^n)``: n = n_bits ≤ 253 constraints (labels ``…/range/bit[i]``)."""
    with api.scope("range"):
        api.to_binary(v, n_bits)


def assert_signed_in_range(api: API, v: Operand, n_bits: int) -> None:
    """Assert ``v ∈ [−2^(n−1), 2^(n−1))`` as a field element (−k is r − k): n_bits constraints.

    Implemented as ``v + 2^(n−1) ∈ [0, 2^n)``; 1 ≤ n_bits ≤ 253.
    """
    if not 1 <= n_bits <= MAX_UNIQUE_BITS:
        raise CircuitError(f"{api.label('signed_range')}: n_bits={n_bits} outside [1, 253]")
    with api.scope("signed_range"):
        api.to_binary(api.add(v, 1 << (n_bits - 1)), n_bits)


def assert_at_most(api: API, v: Operand, bound: int) -> None:
    """Assert ``v ∈ [0, bound]`` for a constant bound < r: ``bits.at_most_cost(bound)`` constraints
    (bitlen(bound) when bound = 2^n − 1, at most 2·bitlen(bound) − 1 otherwise)."""
    with api.scope("at_most"):
        to_binary_at_most(api, v, bound)


def assert_in_interval(api: API, v: Operand, low: int, high: int) -> None:
    """Assert ``v ∈ [low, high]`` for integer constants (negatives as r − k), high − low < 2^253:
    ``bits.at_most_cost(high − low)`` constraints."""
    if high < low or (high - low).bit_length() > MAX_UNIQUE_BITS:
        raise CircuitError(f"{api.label('interval')}: bad interval [{low}, {high}]")
    with api.scope("interval"):
        to_binary_at_most(api, api.sub(v, low), high - low)
