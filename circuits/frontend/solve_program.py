"""``SolveProgram``: a compiled circuit's solve program without its constraint rows.

What a prover needs to turn an assignment into a witness — the input layout, the recorded
steps and the checked rows — split in two segments: the *shared* segment computes every
wire determined by a chosen set of input fields alone (for a margin circuit: the snapshot,
identical for every trader of an epoch, so its wires can be cached per snapshot) and the
*own* segment computes the rest. Running the shared steps first and then the own steps in
their recorded order is a valid replay: a shared step reads only shared wires, and an own
step reads only wires recorded before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from algebra.errors import MalformedInputError
from circuits.frontend.compiled import Assignment, CompiledCircuit, Witness, _field_values
from circuits.frontend.hints import HintFn
from circuits.frontend.program import Check, HintStep, Step, raise_on_failure, run_steps
from circuits.frontend.schema import InputField


@dataclass
class SolveProgram:
    """A solve program split into a shared and an own segment (module docstring).

    Attributes:
        name: the circuit class name.
        params: the parameters it was compiled with.
        fields: resolved input fields, public ones first.
        n_wires: total wires including wire 0.
        n_public: public statement values.
        n_constraints: rows of the circuit's R1CS (for binding to a key).
        shared_fields: names of the fields that determine the shared segment.
        shared_steps / shared_checks: the shared segment (reads only shared wires).
        own_steps / own_checks: the rest, in recorded order.
        labels: returns the label of every row.

    Checks and labels are returned by callables so that an artefact decodes them only
    when a solve asks for its rows to be checked or a check fails.
    """

    name: str
    params: Mapping[str, int]
    fields: list[InputField]
    n_wires: int
    n_public: int
    n_constraints: int
    shared_fields: tuple[str, ...]
    shared_steps: list[Step] = field(repr=False)
    shared_checks: Callable[[], Sequence[Check]] = field(repr=False)
    own_steps: list[Step] = field(repr=False)
    own_checks: Callable[[], Sequence[Check]] = field(repr=False)
    labels: Callable[[], Sequence[str]] = field(repr=False)

    @property
    def shared_outputs(self) -> list[int]:
        """The wires the shared segment computes, in step order (the cached values' order)."""
        return [wire for step in self.shared_steps for wire in step_outputs(step)]

    def input_values(self, assignment: Assignment) -> list[int]:
        """Return the flattened input values in wire order; MalformedInputError on bad input."""
        return flatten_inputs(self.name, self.fields, assignment)

    def shared_inputs(self, assignment: Assignment) -> list[int]:
        """Return the flattened values of the shared fields (what the shared wires depend on)."""
        values: list[int] = []
        for f in self.fields:
            if f.name in self.shared_fields:
                values.extend(_field_values(f, assignment[f.name]))
        return values

    def solve(
        self,
        assignment: Assignment,
        *,
        shared_values: Sequence[int] | None = None,
        hint_overrides: Mapping[str, HintFn] | None = None,
        check: bool = True,
    ) -> Witness:
        """Return the full witness for ``assignment``, as ``CompiledCircuit.solve`` would.

        Args:
            shared_values: the shared segment's outputs for these shared inputs (from a
                cache); when given, the shared steps and checks are not run. A wrong value
                only yields a witness that fails the R1CS (the prover's self-check).

        Raises:
            MalformedInputError: bad inputs, or ``shared_values`` of the wrong length.
            UnsatisfiedConstraintError: a checked row fails (index and label).
            HintError: a hint cannot compute its outputs.
        """
        witness = [0] * self.n_wires
        witness[0] = 1
        inputs = self.input_values(assignment)
        witness[1 : 1 + len(inputs)] = inputs
        overrides = hint_overrides or {}
        if shared_values is None:
            run_steps(self.shared_steps, witness, overrides)
            if check:
                raise_on_failure(self.shared_checks(), witness, _LazyLabels(self.labels))
        else:
            outputs = self.shared_outputs
            if len(shared_values) != len(outputs):
                raise MalformedInputError(
                    f"{self.name}: {len(shared_values)} cached shared values, expected"
                    f" {len(outputs)}"
                )
            for wire, value in zip(outputs, shared_values, strict=True):
                witness[wire] = value
        run_steps(self.own_steps, witness, overrides)
        if check:
            raise_on_failure(self.own_checks(), witness, _LazyLabels(self.labels))
        return witness


def flatten_inputs(name: str, fields: Sequence[InputField], assignment: Assignment) -> list[int]:
    """Return ``assignment``'s values in wire order (fields in order, arrays flattened).

    Raises:
        MalformedInputError: an unknown or missing input, or a value outside [0, r).
    """
    extra = sorted(set(assignment) - {f.name for f in fields})
    if extra:
        raise MalformedInputError(f"{name}: unknown input(s) {', '.join(extra)}")
    values: list[int] = []
    for f in fields:
        if f.name not in assignment:
            raise MalformedInputError(f"{name}: missing input {f.name!r}")
        values.extend(_field_values(f, assignment[f.name]))
    return values


class _LazyLabels(Sequence[str]):
    """Labels fetched only when a check fails (decompressing them costs time)."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        labels = self._load()
        return labels[index] if 0 <= index < len(labels) else ""

    def __len__(self) -> int:
        return len(self._load())


def step_outputs(step: Step) -> tuple[int, ...]:
    """Return the wires ``step`` writes."""
    return step.outs if isinstance(step, HintStep) else (step.out,)


def step_reads(step: Step) -> Iterable[int]:
    """Return the wires ``step`` reads."""
    combos = step.inputs if isinstance(step, HintStep) else (step.a, step.b)
    return (wire for combo in combos for wire, _ in combo)


def split_program(compiled: CompiledCircuit, shared_fields: Iterable[str]) -> SolveProgram:
    """Return ``compiled``'s solve program split by the wires ``shared_fields`` determine.

    Raises:
        MalformedInputError: a name in ``shared_fields`` is not an input of the circuit.
    """
    shared_names = tuple(shared_fields)
    known = {f.name for f in compiled.fields}
    unknown = sorted(set(shared_names) - known)
    if unknown:
        raise MalformedInputError(f"{compiled.name}: unknown shared field(s) {', '.join(unknown)}")
    shared: set[int] = {0}
    wire = 1
    for f in compiled.fields:
        count = len(f.wire_names())
        if f.name in shared_names:
            shared.update(range(wire, wire + count))
        wire += count
    shared_steps: list[Step] = []
    own_steps: list[Step] = []
    for step in compiled.steps:
        if all(w in shared for w in step_reads(step)):
            shared_steps.append(step)
            shared.update(step_outputs(step))
        else:
            own_steps.append(step)
    shared_checks: list[Check] = []
    own_checks: list[Check] = []
    for check in compiled.checks:
        reads = (w for combo in (check.a, check.b, check.c) for w, _ in combo)
        (shared_checks if all(w in shared for w in reads) else own_checks).append(check)
    labels = compiled.r1cs.labels
    return SolveProgram(
        compiled.name, compiled.params, compiled.fields, compiled.r1cs.n_wires,
        compiled.r1cs.n_public, compiled.n_constraints, shared_names,
        shared_steps, lambda: shared_checks, own_steps, lambda: own_checks, lambda: labels,
    )  # fmt: skip
