"""``CompiledCircuit``: an R1CS plus the solve program that turns an assignment into a witness."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from circuits.frontend.hints import HintFn
from circuits.frontend.program import Check, Step, raise_on_failure, run_steps
from circuits.frontend.schema import InputField
from circuits.r1cs import R1CS

Witness = list[int]
"""Full wire assignment in circom order: ``[1, public…, private…, internal…]``."""

Assignment = Mapping[str, int | Sequence[int]]
"""Input values by field name: an int for a scalar field, a sequence for an array."""


@dataclass
class CompiledCircuit:
    """A compiled circuit: its R1CS, input layout and solve program.

    Attributes:
        name: the circuit class name.
        params: the parameters it was compiled with.
        r1cs: the constraint system (with a label per row).
        fields: resolved input fields, public ones first.
        steps: the solve program (one step per group of internal wires).
        checks: the rows the solver verifies (all but products that hold by construction).
    """

    name: str
    params: Mapping[str, int]
    r1cs: R1CS
    fields: list[InputField]
    steps: list[Step] = field(repr=False)
    checks: list[Check] = field(repr=False)

    @property
    def public_names(self) -> list[str]:
        """Flattened names of the public inputs, in wire order (``x``, ``xs[0]`` …)."""
        return [n for f in self.fields if f.public for n in f.wire_names()]

    @property
    def private_names(self) -> list[str]:
        """Flattened names of the secret inputs, in wire order."""
        return [n for f in self.fields if not f.public for n in f.wire_names()]

    @property
    def n_constraints(self) -> int:
        """Number of R1CS rows."""
        return self.r1cs.n_constraints

    def input_values(self, assignment: Assignment) -> list[int]:
        """Return the flattened input values in wire order; MalformedInputError on bad input."""
        names = {f.name for f in self.fields}
        extra = sorted(set(assignment) - names)
        if extra:
            raise MalformedInputError(f"{self.name}: unknown input(s) {', '.join(extra)}")
        values: list[int] = []
        for f in self.fields:
            if f.name not in assignment:
                raise MalformedInputError(f"{self.name}: missing input {f.name!r}")
            values.extend(_field_values(f, assignment[f.name]))
        return values

    def solve(
        self,
        assignment: Assignment,
        *,
        hint_overrides: Mapping[str, HintFn] | None = None,
        check: bool = True,
    ) -> Witness:
        """Return the full witness for ``assignment``.

        Raises:
            MalformedInputError: missing/unknown inputs, wrong array length, values outside [0, r).
            UnsatisfiedConstraintError: the assignment violates a constraint (index and label).
            HintError: a hint cannot compute its outputs for these inputs.

        ``hint_overrides`` replaces hints by name and ``check=False`` skips the constraint
        check: both exist for soundness tests (``circuits.testing.forge_hint``).
        """
        witness = [0] * self.r1cs.n_wires
        witness[0] = 1
        inputs = self.input_values(assignment)
        witness[1 : 1 + len(inputs)] = inputs
        run_steps(self.steps, witness, hint_overrides or {})
        if check:
            raise_on_failure(self.checks, witness, self.r1cs.labels)
        return witness

    def public_inputs(self, witness: Sequence[int]) -> list[int]:
        """Return the public statement ``witness[1 .. n_public]``."""
        return list(witness[1 : 1 + self.r1cs.n_public])

    def write_r1cs(self, path: str | Path) -> None:
        """Write the constraint system as a circom/iden3 ``.r1cs`` file."""
        from circuits.formats.r1cs_file import write_r1cs

        write_r1cs(self.r1cs, path)

    def write_wtns(self, witness: Sequence[int], path: str | Path) -> None:
        """Write ``witness`` as a snarkjs ``.wtns`` file (after checking its shape)."""
        from circuits.formats.wtns_file import write_wtns

        self.r1cs.check_witness_shape(witness)
        write_wtns(list(witness), path)


def _field_values(f: InputField, raw: int | Sequence[int]) -> list[int]:
    if f.size is None:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise MalformedInputError(f"input {f.name!r} must be an int")
        items = [raw]
    else:
        if isinstance(raw, int) or len(raw) != f.size:
            raise MalformedInputError(f"input {f.name!r} must be a sequence of {f.size} ints")
        items = list(raw)
    for name, value in zip(f.wire_names(), items, strict=True):
        if not isinstance(value, int) or isinstance(value, bool):
            raise MalformedInputError(f"input {name} must be an int")
        if not 0 <= value < SCALAR_FIELD_R:
            raise MalformedInputError(f"input {name} is not a canonical field element in [0, r)")
    return items
