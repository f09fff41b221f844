"""Absolute value, maximum and minimum of signed bounded values ``v ∈ [−2^(n−1), 2^(n−1))``
(negatives as r − k).

``signed_max``/``signed_min`` assume their operands are already range-checked to n bits
(results stay in that range); ``signed_abs`` range-checks its operand itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from algebra.constants import SCALAR_FIELD_R
from circuits.errors import CircuitError
from circuits.frontend import API, Operand, Variable, register_hint
from circuits.frontend.api import check_comparison_bits
from circuits.frontend.variable import as_variable

R = SCALAR_FIELD_R


def signed_abs(api: API, v: Operand, n_bits: int) -> Variable:
    """Return |v| and assert ``v ∈ [−2^(n−1), 2^(n−1))``: n + 1 constraints.

    The sign is the top bit of ``v + 2^(n−1)``; ``|v| = v − 2·s·v`` costs one product.
    """
    check_comparison_bits(n_bits, api.label("abs"))
    with api.scope("abs"):
        bits = api.to_binary(api.add(v, 1 << (n_bits - 1)), n_bits)
        negative = api.sub(1, bits[n_bits - 1])
        return api.sub(v, api.mul(2, api.mul(negative, v)))


def signed_max(api: API, a: Operand, b: Operand, n_bits: int) -> Variable:
    """Return max(a, b) for signed n-bit a, b: n + 2 constraints (compare + select)."""
    with api.scope("max"):
        return api.select(_ge(api, a, b, n_bits), a, b)


def signed_min(api: API, a: Operand, b: Operand, n_bits: int) -> Variable:
    """Return min(a, b) for signed n-bit a, b: n + 2 constraints."""
    with api.scope("min"):
        return api.select(_ge(api, a, b, n_bits), b, a)


def _ge(api: API, a: Operand, b: Operand, n_bits: int) -> Variable:
    check_comparison_bits(n_bits, api.label("compare"))
    bits = api.to_binary(api.add(api.sub(a, b), 1 << n_bits), n_bits + 1)
    return bits[n_bits]


@register_hint("signed_extreme")
def signed_extreme_hint(inputs: Sequence[int], n_outputs: int) -> list[int]:
    """Return ``[max]`` of inputs[1:] read as signed values if inputs[0] = 1, else ``[min]``."""
    signed = [x - R if x > R // 2 else x for x in inputs[1:]]
    return [(max(signed) if inputs[0] == 1 else min(signed)) % R]


def signed_max_many(api: API, values: Sequence[Operand], n_bits: int) -> Variable:
    """Return the maximum of k ≥ 1 signed n-bit values: ``extreme_cost(k, n)`` constraints."""
    with api.scope("max_many"):
        return _extreme(api, values, n_bits, maximum=True)


def signed_min_many(api: API, values: Sequence[Operand], n_bits: int) -> Variable:
    """Return the minimum of k ≥ 1 signed n-bit values: ``extreme_cost(k, n)`` constraints."""
    with api.scope("min_many"):
        return _extreme(api, values, n_bits, maximum=False)


def extreme_cost(k: int, n_bits: int) -> int:
    """Return min((k − 1)·(n + 2), k·n + k − 1): a pairwise fold or one hinted extreme."""
    return min((k - 1) * (n_bits + 2), k * n_bits + k - 1)


def _extreme(api: API, values: Sequence[Operand], n_bits: int, *, maximum: bool) -> Variable:
    if not values:
        raise CircuitError(f"{api.label('extreme')}: no values")
    check_comparison_bits(n_bits, api.label("extreme"))
    items = [as_variable(v) for v in values]
    k = len(items)
    if (k - 1) * (n_bits + 2) <= k * n_bits + k - 1:
        acc = items[0]
        for item in items[1:]:
            ge = _ge(api, acc, item, n_bits)
            acc = api.select(ge, acc, item) if maximum else api.select(ge, item, acc)
        return acc
    (m,) = api.hint("signed_extreme", [int(maximum), *items], 1)
    product: Variable = as_variable(1)
    for i, item in enumerate(items):
        gap = api.sub(m, item) if maximum else api.sub(item, m)
        with api.scope(f"bound[{i}]"):
            api.to_binary(gap, n_bits)
        if i < k - 1:
            product = api.mul(product, api.sub(m, item))
    with api.scope("member"):
        api.assert_product(product, api.sub(m, items[-1]), 0)
    return m
