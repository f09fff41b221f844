"""The solve program: wire-assignment steps recorded at compile time and replayed by ``solve``.

``define()`` runs once, at compile time; every wire it allocates is paired with a step
that computes the wire's value from earlier wires. Solving an assignment is then a
straight replay of these steps (no re-run of the circuit's Python code), followed by a
check of every constraint that does not hold by construction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import UnsatisfiedConstraintError
from circuits.errors import HintError
from circuits.frontend.hints import HintFn
from circuits.frontend.variable import TermTuple

R = SCALAR_FIELD_R


def evaluate(terms: TermTuple, w: Sequence[int]) -> int:
    """Return ``⟨terms, w⟩ mod r``."""
    if len(terms) == 1:
        wire, coeff = terms[0]
        return w[wire] if coeff == 1 else coeff * w[wire] % R
    total = 0
    for wire, coeff in terms:
        total += coeff * w[wire]
    return total % R


@dataclass(frozen=True, slots=True)
class MulStep:
    """``w[out] = ⟨a, w⟩·⟨b, w⟩``."""

    out: int
    a: TermTuple
    b: TermTuple

    def run(self, w: list[int], overrides: Mapping[str, HintFn]) -> None:
        w[self.out] = evaluate(self.a, w) * evaluate(self.b, w) % R


@dataclass(frozen=True, slots=True)
class QuotientStep:
    """``w[out] = ⟨a, w⟩ / ⟨b, w⟩``, or 0 when the divisor is 0 (its constraint then fails)."""

    out: int
    a: TermTuple
    b: TermTuple

    def run(self, w: list[int], overrides: Mapping[str, HintFn]) -> None:
        divisor = evaluate(self.b, w)
        w[self.out] = evaluate(self.a, w) * pow(divisor, -1, R) % R if divisor else 0


@dataclass(frozen=True, slots=True)
class HintStep:
    """``w[outs] = hint(⟨inputs_k, w⟩ …)``; ``overrides`` may replace the hint by name (forging)."""

    name: str
    fn: HintFn
    inputs: tuple[TermTuple, ...]
    outs: tuple[int, ...]

    def run(self, w: list[int], overrides: Mapping[str, HintFn]) -> None:
        fn = overrides.get(self.name, self.fn) if overrides else self.fn
        values = fn([evaluate(t, w) for t in self.inputs], len(self.outs))
        if len(values) != len(self.outs):
            raise HintError(
                f"hint {self.name!r} returned {len(values)} values, expected {len(self.outs)}"
            )
        for wire, value in zip(self.outs, values, strict=True):
            w[wire] = value % R


Step = MulStep | QuotientStep | HintStep


@dataclass(frozen=True, slots=True)
class Check:
    """A constraint the solver must verify (one that does not hold by construction)."""

    index: int
    a: TermTuple
    b: TermTuple
    c: TermTuple


def run_steps(steps: Sequence[Step], w: list[int], overrides: Mapping[str, HintFn]) -> None:
    """Replay ``steps`` in order, filling internal wires of ``w`` in place."""
    for step in steps:
        step.run(w, overrides)


def first_failure(checks: Sequence[Check], w: Sequence[int]) -> int | None:
    """Return the constraint index of the first failing check, or None."""
    for check in checks:
        lhs = evaluate(check.a, w) * evaluate(check.b, w) % R if check.a else 0
        if lhs != evaluate(check.c, w):
            return check.index
    return None


def raise_on_failure(checks: Sequence[Check], w: Sequence[int], labels: Sequence[str]) -> None:
    """Raise UnsatisfiedConstraintError naming the first failing check's index and label."""
    index = first_failure(checks, w)
    if index is not None:
        raise UnsatisfiedConstraintError(index, labels[index])
