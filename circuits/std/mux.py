"""Selection: two-way ``select`` and k-way ``mux`` (a binary tree of selects on index bits)."""

from __future__ import annotations

from collections.abc import Sequence

from circuits.errors import CircuitError
from circuits.frontend import API, Operand, Variable
from circuits.frontend.variable import as_variable
from circuits.std.bits import at_most_cost, to_binary_at_most


def select(api: API, cond: Operand, a: Operand, b: Operand) -> Variable:
    """Return a if cond = 1 else b; asserts cond boolean unless known (≤ 1) + 1 product (0 if
    a − b or cond is constant)."""
    return api.select(cond, a, b)


def mux(api: API, index: Operand, values: Sequence[Operand]) -> Variable:
    """Return ``values[index]`` and assert ``index ∈ [0, k)`` for k = len(values) ≥ 1.

    Costs ``mux_cost(k)`` at most: the index bits bounded by k − 1
    (``bits.at_most_cost(k − 1)``) plus one product per select of two non-constant-difference
    branches (≤ k − 1; selecting between constants is free).
    """
    if not values:
        raise CircuitError(f"{api.label('mux')}: no values to select from")
    if len(values) == 1:
        api.assert_is_equal(index, 0)
        return as_variable(values[0])
    with api.scope("mux"):
        bits = to_binary_at_most(api, index, len(values) - 1)
        layer = [as_variable(v) for v in values]
        for bit in bits:
            pairs = [layer[i : i + 2] for i in range(0, len(layer), 2)]
            layer = [api.select(bit, p[1], p[0]) if len(p) == 2 else p[0] for p in pairs]
    return layer[0]


def mux_cost(k: int) -> int:
    """Return the constraint count of ``mux`` over k non-constant values (k ≥ 2)."""
    return at_most_cost(k - 1) + k - 1
