"""The constraint builder behind ``API``: wires, labelled constraints, hints and the solve program.

One pass of ``define()`` both emits R1CS rows and records, for every new internal wire,
the step that computes it, so solving never re-runs circuit code.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from circuits.errors import CircuitError
from circuits.frontend.hints import get_hint
from circuits.frontend.program import Check, HintStep, MulStep, QuotientStep, Step
from circuits.frontend.schema import InputField
from circuits.frontend.variable import Operand, TermTuple, Variable, as_variable, freeze, linear
from circuits.r1cs import Constraint


class Builder:
    """Accumulates constraints and solve steps; ``API`` adds the gnark-style verbs on top."""

    def __init__(self, fields: Sequence[InputField]) -> None:
        self.n_public = sum(len(f.wire_names()) for f in fields if f.public)
        self.n_private = sum(len(f.wire_names()) for f in fields if not f.public)
        self.n_wires = 1
        self.inputs: dict[str, Variable | list[Variable]] = {}
        for f in fields:
            wires = [self._new_wire() for _ in f.wire_names()]
            variables = [Variable({w: 1}) for w in wires]
            self.inputs[f.name] = variables if f.size is not None else variables[0]
        self.constraints: list[Constraint] = []
        self.labels: list[str] = []
        self.checks: list[Check] = []
        self.steps: list[Step] = []
        self.hint_outputs: list[tuple[int, str]] = []
        self._scopes: list[str] = []
        self._booleans: set[TermTuple] = set()

    # --- labels ---------------------------------------------------------------
    @contextmanager
    def scope(self, name: str) -> Iterator[None]:
        """Prefix the labels of constraints added inside the block with ``name/``."""
        self._scopes.append(name)
        try:
            yield
        finally:
            self._scopes.pop()

    def label(self, tag: str) -> str:
        """Return the current scope path joined with ``tag``."""
        return "/".join([*self._scopes, tag]) if self._scopes else tag

    # --- wires and constraints ------------------------------------------------
    def _new_wire(self) -> int:
        wire = self.n_wires
        self.n_wires += 1
        return wire

    def add_constraint(
        self, a: Variable, b: Variable, c: Variable, tag: str, *, checked: bool = True
    ) -> int | None:
        """Add the row ``a·b = c`` labelled ``scope/tag``; return its index.

        A product with a constant side is stored as the linear row ``0·0 = c − k·b``.
        A row with no wire left is checked now: true rows are dropped (None), false ones raise.
        """
        ka, kb = a.constant_value(), b.constant_value()
        if ka is not None or kb is not None:
            scaled = linear((ka, b)) if ka is not None else linear((kb or 0, a))
            a, b, c = Variable({}), Variable({}), linear((1, c), (-1, scaled))
            value = c.constant_value()
            if value is not None:
                if value:
                    raise CircuitError(f"constraint {self.label(tag)} is false for constants")
                return None
        index = len(self.constraints)
        row = Constraint(dict(freeze(a)), dict(freeze(b)), dict(freeze(c)))
        self.constraints.append(row)
        self.labels.append(self.label(tag))
        if checked:
            self.checks.append(Check(index, freeze(a), freeze(b), freeze(c)))
        return index

    def product_wire(self, a: Variable, b: Variable, tag: str) -> Variable:
        """Allocate ``w = a·b`` (one row that holds by construction); both sides non-constant."""
        wire = self._new_wire()
        self.steps.append(MulStep(wire, freeze(a), freeze(b)))
        self.add_constraint(a, b, Variable({wire: 1}), tag, checked=False)
        return Variable({wire: 1})

    def quotient_wire(self, a: Variable, b: Variable) -> Variable:
        """Allocate ``w = a/b`` (0 if b = 0); the caller adds the constraint that checks it."""
        wire = self._new_wire()
        self.steps.append(QuotientStep(wire, freeze(a), freeze(b)))
        return Variable({wire: 1})

    def hint(self, name: str, inputs: Sequence[Operand], n_outputs: int) -> list[Variable]:
        """Return ``n_outputs`` new wires computed by the registered hint ``name`` from ``inputs``.

        The outputs are unconstrained advice: the calling gadget must constrain each of them
        (compilation refuses a hint output that appears in no constraint).
        """
        fn = get_hint(name)
        outs = tuple(self._new_wire() for _ in range(n_outputs))
        terms = tuple(freeze(as_variable(x)) for x in inputs)
        self.steps.append(HintStep(name, fn, terms, outs))
        where = self.label(f"hint:{name}")
        self.hint_outputs.extend((wire, where) for wire in outs)
        return [Variable({wire: 1}) for wire in outs]

    # --- boolean tracking -----------------------------------------------------
    def mark_boolean(self, v: Variable) -> None:
        """Record that ``v`` is already constrained to {0, 1}."""
        self._booleans.add(v.key())

    def is_known_boolean(self, v: Variable) -> bool:
        """Return whether ``v`` is a 0/1 constant or was constrained boolean before."""
        value = v.constant_value()
        if value is not None:
            return value in (0, 1)
        return v.key() in self._booleans
