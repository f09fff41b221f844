"""In-circuit rounding profiles (:mod:`circuits.margin.rounding`, feature bit 8: ``dydx_v4``).

* Notional toward zero: from the floor ``N = ⌊q·P/scale⌋`` (remainder ``ρ ∈ [0, scale)``
  constrained by the notional gadget), ``trunc = N + [q < 0]·[ρ ≠ 0]`` with ``ρ = q·P −
  N·scale`` recomputed and ``[ρ ≠ 0]`` from ``is_zero`` (5 constraints). The sign bit is
  the top bit of the 64-bit check of q.
* Nested maintenance: ``IM = ⌈|N|·imf/U⌉`` and ``MM = ⌈IM·f/U⌉`` by two exact ceilings
  (``U·M − x ∈ [0, U)``, ``M < 2^127``: ``|N| < 2^127`` and ``imf, f ≤ U``, so
  ``x < 2^147``); for a maintenance proof the instrument's requirement is
  ``max(tier requirement, MM)`` (the prover names the larger with a bit, checked by a
  127-bit gap); an initial proof multiplies MM by ``1 − kind`` = 0. ``imf, f`` are snapshot
  wires bound by the extension hash.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from circuits.frontend import API, Variable
from circuits.margin import bounds
from circuits.margin.gadgets import exact_ceil_by_u
from circuits.margin.rounding import BIT_ROUNDING
from circuits.margin.sizes import MarginSize

if TYPE_CHECKING:
    from circuits.margin.circuit import MarginCircuit

ZERO_PARAMS: Final = {"n_nested_terms": 0}


def uses(size: MarginSize) -> bool:
    """Return whether ``size`` implements a rounding profile."""
    return bool(size.features >> BIT_ROUNDING & 1)


def params(size: MarginSize) -> dict[str, int]:
    """Return the array-length parameters of the feature (empty without it)."""
    return {"n_nested_terms": 2 * size.n_instruments} if uses(size) else {}


def notional(
    api: API, circuit: MarginCircuit, size: MarginSize, i: int, floor: Variable,
    is_long: Variable,
) -> Variable:  # fmt: skip
    """Return instrument ``i``'s notional rounded toward zero (``floor`` without the feature)."""
    if not uses(size):
        return floor
    q, price, scale = circuit.sizes[i], circuit.mark_price[i], circuit.size_scale[i]
    with api.scope("toward_zero"):
        remainder = api.sub(api.mul(q, price), api.mul(floor, scale))
        inexact = api.sub(1, api.is_zero(remainder))
        return api.add(floor, api.mul(api.sub(1, is_long), inexact))


def maintenance(
    api: API, circuit: MarginCircuit, size: MarginSize, i: int, abs_notional: Variable,
    requirement: Variable,
) -> Variable:  # fmt: skip
    """Return ``max(requirement, (1 − kind)·⌈⌈|N|·imf/U⌉·f/U⌉)`` (``requirement`` without
    the feature)."""
    if not uses(size):
        return requirement
    imf, fraction = circuit.nested_terms[2 * i : 2 * i + 2]
    with api.scope("nested_maintenance"):
        with api.scope("initial"):
            initial = exact_ceil_by_u(api, api.mul(abs_notional, imf))
        with api.scope("maintenance"):
            nested = exact_ceil_by_u(api, api.mul(initial, fraction))
        nested = api.mul(api.sub(1, circuit.requirement_kind), nested)
        (beta,) = api.hint("margin/second_binds", [requirement, nested, 0], 1)
        api.assert_is_boolean(beta)
        chosen = api.select(beta, nested, requirement)
        other = api.sub(api.add(requirement, nested), chosen)
        with api.scope("binding"):
            api.to_binary(api.sub(chosen, other), bounds.TIER_REQUIREMENT_BITS)
        return chosen


def sections(circuit: MarginCircuit, size: MarginSize) -> list[tuple[int, list[Variable | int]]]:
    """Return the feature's extension-hash section (none without it)."""
    return [(BIT_ROUNDING, list(circuit.nested_terms))] if uses(size) else []
