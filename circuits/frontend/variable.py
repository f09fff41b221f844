"""Circuit variables: linear combinations ``Σ c_i·w_i`` over wires (wire 0 is the constant 1).

A ``Variable`` is immutable by convention: every API verb returns a new one. Linear
arithmetic on variables costs no constraint; only products of two non-constant
combinations allocate a wire and a constraint.
"""

from __future__ import annotations

from typing import NoReturn

from algebra.constants import SCALAR_FIELD_R
from circuits.errors import CircuitError

R = SCALAR_FIELD_R

Terms = dict[int, int]
"""wire → canonical nonzero coefficient."""

TermTuple = tuple[tuple[int, int], ...]
"""Frozen, wire-sorted form of ``Terms`` used by the solve program."""


class Variable:
    """A linear combination of wires; use ``api`` verbs to combine variables."""

    __slots__ = ("terms",)

    def __init__(self, terms: Terms) -> None:
        self.terms = terms

    def constant_value(self) -> int | None:
        """Return the value if the combination is a constant, else None."""
        terms = self.terms
        if not terms:
            return 0
        if len(terms) == 1 and 0 in terms:
            return terms[0]
        return None

    def single_wire(self) -> int | None:
        """Return ``w`` if this variable is exactly ``1·w_w`` for a non-constant wire, else None."""
        if len(self.terms) == 1:
            ((wire, coeff),) = self.terms.items()
            if wire != 0 and coeff == 1:
                return wire
        return None

    def key(self) -> TermTuple:
        """Return a hashable canonical form (wire-sorted term tuple)."""
        return tuple(sorted(self.terms.items()))

    def __bool__(self) -> NoReturn:
        raise CircuitError(
            "a Variable has no truth value while the circuit is built; use api.select/api.is_zero"
        )

    def __repr__(self) -> str:
        parts = [f"{c}·w{w}" if w else str(c) for w, c in sorted(self.terms.items())]
        return "Variable(" + (" + ".join(parts) or "0") + ")"


Operand = Variable | int
"""Anything an API verb accepts: a variable or a Python int (reduced mod r)."""


def as_variable(x: Operand) -> Variable:
    """Return ``x`` as a Variable; ints (any sign) are reduced mod r into constants."""
    if isinstance(x, Variable):
        return x
    if isinstance(x, int):
        value = x % R
        return Variable({0: value} if value else {})
    raise CircuitError(f"expected a Variable or an int, got {type(x).__name__}")


def constant(value: int) -> Variable:
    """Return the constant ``value mod r``."""
    return as_variable(value)


def linear(*pairs: tuple[int, Variable]) -> Variable:
    """Return ``Σ k·v`` over ``(k, v)`` pairs (k a Python int), dropping zero coefficients."""
    out: Terms = {}
    for k, v in pairs:
        k %= R
        if not k:
            continue
        for wire, coeff in v.terms.items():
            value = (out.get(wire, 0) + k * coeff) % R
            if value:
                out[wire] = value
            else:
                out.pop(wire, None)
    return Variable(out)


def freeze(v: Variable) -> TermTuple:
    """Return the wire-sorted term tuple of ``v`` (deterministic order for files and solving)."""
    return tuple(sorted(v.terms.items()))
