"""Test harness for circuits and gadgets: both directions of every relation.

``check_circuit`` compiles a circuit and shows valid assignments solve into witnesses the
R1CS accepts, and invalid ones are rejected *by the R1CS* (not only by the Python solver).
``tamper_witness`` and ``forge_hint`` model a dishonest prover: the test then asserts that
``r1cs.which_is_unsatisfied`` names the constraint (index and label) that catches it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import UnsatisfiedConstraintError
from circuits.errors import HintError
from circuits.frontend import Assignment, Circuit, CompiledCircuit, HintFn, Witness, compile
from circuits.frontend.program import HintStep


def check_circuit(
    circuit_class: type[Circuit],
    params: Mapping[str, int] | None = None,
    *,
    valid: Iterable[Assignment] = (),
    invalid: Iterable[Assignment] = (),
) -> CompiledCircuit:
    """Compile ``circuit_class``; raise AssertionError unless every valid assignment solves to a
    satisfying witness and every invalid one is refused by the solver *and* its honestly
    computed (unchecked) witness violates the R1CS. Returns the compiled circuit."""
    compiled = compile(circuit_class, params)
    for assignment in valid:
        witness = compiled.solve(assignment)
        failure = compiled.r1cs.which_is_unsatisfied(witness)
        if failure is not None:
            raise AssertionError(f"valid assignment violates constraint {failure}")
    for assignment in invalid:
        _expect_rejected(compiled, assignment)
    return compiled


def _expect_rejected(compiled: CompiledCircuit, assignment: Assignment) -> None:
    try:
        compiled.solve(assignment)
    except (UnsatisfiedConstraintError, HintError):
        pass
    else:
        raise AssertionError(f"invalid assignment {dict(assignment)!r} was solved")
    try:
        witness = compiled.solve(assignment, check=False)
    except HintError:
        return
    if compiled.r1cs.which_is_unsatisfied(witness) is None:
        raise AssertionError("the R1CS accepts the witness of an invalid assignment")


def tamper_witness(witness: Sequence[int], wire: int, value: int) -> Witness:
    """Return a copy of ``witness`` with ``witness[wire] = value mod r``."""
    tampered = list(witness)
    tampered[wire] = value % SCALAR_FIELD_R
    return tampered


def forge_hint(
    compiled: CompiledCircuit, assignment: Assignment, hint_name: str, replacement_fn: HintFn
) -> Witness:
    """Solve ``assignment`` with hint ``hint_name`` replaced by ``replacement_fn``, skipping the
    solver's constraint check, and return the (possibly dishonest) witness."""
    return compiled.solve(assignment, hint_overrides={hint_name: replacement_fn}, check=False)


def hint_wires(compiled: CompiledCircuit, hint_name: str) -> list[int]:
    """Return the output wires of every call to hint ``hint_name``, in call order."""
    return [
        wire
        for step in compiled.steps
        if isinstance(step, HintStep) and step.name == hint_name
        for wire in step.outs
    ]


def unsatisfied_label(compiled: CompiledCircuit, witness: Sequence[int]) -> str | None:
    """Return the label of the first constraint ``witness`` violates, or None if none."""
    failure = compiled.r1cs.which_is_unsatisfied(witness)
    return None if failure is None else failure[1]
