"""Comparisons with explicit bit bounds (≤ 252 bits, so shifted differences never wrap around r).

Unsigned verbs require a, b ∈ [0, 2^n) and signed verbs a, b ∈ [−2^(n−1), 2^(n−1));
the caller range-checks them (``circuits.std.rangecheck``) — every value entering a
comparison must be bounded, or the relation is only a statement about field elements.
"""

from __future__ import annotations

from circuits.frontend import API, Operand, Variable
from circuits.frontend.api import check_comparison_bits


def is_less(api: API, a: Operand, b: Operand, n_bits: int) -> Variable:
    """Return 1 if a < b else 0, for a, b ∈ [0, 2^n): n + 1 constraints (circomlib LessThan: n + 1).

    Decomposes ``a − b + 2^n`` into n + 1 bits; its top bit is ``a ≥ b``.
    """
    check_comparison_bits(n_bits, api.label("is_less"))
    with api.scope("is_less"):
        bits = api.to_binary(api.add(api.sub(a, b), 1 << n_bits), n_bits + 1)
    return api.sub(1, bits[n_bits])


def is_less_or_equal(api: API, a: Operand, b: Operand, n_bits: int) -> Variable:
    """Return 1 if a ≤ b else 0, for a, b ∈ [0, 2^n): n + 1 constraints."""
    return api.sub(1, is_less(api, b, a, n_bits))


def assert_is_less(api: API, a: Operand, b: Operand, n_bits: int) -> None:
    """Assert a < b, i.e. ``b − a − 1 ∈ [0, 2^n)``, for a, b ∈ [0, 2^n): n constraints."""
    check_comparison_bits(n_bits, api.label("assert_is_less"))
    with api.scope("assert_is_less"):
        api.to_binary(api.sub(b, a, 1), n_bits)


def assert_is_less_or_equal(api: API, a: Operand, b: Operand, n_bits: int) -> None:
    """Assert a ≤ b, i.e. ``b − a ∈ [0, 2^n)``, for a, b ∈ [0, 2^n): n constraints."""
    api.assert_is_less_or_equal(a, b, n_bits)


def is_signed_less(api: API, a: Operand, b: Operand, n_bits: int) -> Variable:
    """Return 1 if a < b else 0, for signed a, b ∈ [−2^(n−1), 2^(n−1)): n + 1 constraints.

    ``a − b ∈ (−2^n, 2^n)``; decomposes ``a − b + 2^n`` into n + 1 bits (top bit = a ≥ b).
    """
    return is_less(api, a, b, n_bits)


def assert_signed_ge(api: API, a: Operand, b: Operand, n_bits: int) -> None:
    """Assert a ≥ b for signed a, b ∈ [−2^(n−1), 2^(n−1)): ``a − b ∈ [0, 2^n)``, n constraints."""
    check_comparison_bits(n_bits, api.label("assert_signed_ge"))
    with api.scope("assert_signed_ge"):
        api.to_binary(api.sub(a, b), n_bits)


def assert_signed_le(api: API, a: Operand, b: Operand, n_bits: int) -> None:
    """Assert a ≤ b for signed a, b ∈ [−2^(n−1), 2^(n−1)): n constraints."""
    assert_signed_ge(api, b, a, n_bits)


def assert_nonnegative(api: API, v: Operand, n_bits: int) -> None:
    """Assert ``v ∈ [0, 2^n)`` for a signed value (e.g. ``equity ≥ 0``): n constraints."""
    assert_signed_ge(api, v, 0, n_bits)
