"""The trader's side of the demo: check with the reference engine, then prove locally.

Everything here runs on the trader's machine and keeps the opening (positions and salt)
and the witness in memory; only the proof and its four public inputs leave. A
non-compliant account cannot prove: the reference engine says so first, and the demo
then shows that the circuit itself refuses the assignment (it is unsatisfiable), so the
refusal is not a Python-side courtesy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from algebra.errors import NotCompliantError, ZkError
from circuits.frontend import CompiledCircuit
from circuits.margin.model import MarketSnapshot, Opening
from circuits.margin.reference import is_compliant, margin_report
from circuits.margin.witness import build_assignment, raw_assignment
from prover.keys import ProvingKey
from prover.prove import prove
from verifier.snarkjs_json import proof_to_json, public_inputs_to_json


@dataclass(frozen=True)
class Statement:
    """What every trader proves: the requirement kind (0/1) and the buffer in ppm."""

    kind: int
    buffer_ppm: int


@dataclass(frozen=True)
class ProverKit:
    """The compiled circuit and proving key, loaded once and shared by every trader."""

    circuit: CompiledCircuit
    proving_key: ProvingKey


@dataclass(frozen=True)
class TraderResult:
    """One trader's attempt: the reference verdict and, if compliant, a proof.

    Attributes:
        reference_compliant: the reference engine's verdict for the statement.
        proof, public: snarkjs JSON of the proof and public inputs (None when no proof).
        prove_seconds: wall time of witness solving plus proving (None when no proof).
        circuit_refused: for a non-compliant account, whether the circuit refused the
            raw assignment (must be True; None for compliant accounts).
    """

    reference_compliant: bool
    proof: dict[str, Any] | None = None
    public: list[str] | None = None
    prove_seconds: float | None = None
    circuit_refused: bool | None = None


def reference_verdict(opening: Opening, snapshot: MarketSnapshot, statement: Statement) -> bool:
    """Return whether the reference engine says ``opening`` meets ``statement``."""
    report = margin_report(opening.state, snapshot)
    return is_compliant(report, statement.kind, statement.buffer_ppm)


def circuit_refuses(
    kit: ProverKit, opening: Opening, snapshot: MarketSnapshot, statement: Statement
) -> bool:
    """Return whether solving the circuit on the unchecked assignment fails."""
    assignment = raw_assignment(opening, snapshot, statement.kind, statement.buffer_ppm)
    try:
        kit.circuit.solve(assignment)
    except ZkError:
        return True
    return False


def prove_account(
    kit: ProverKit, opening: Opening, snapshot: MarketSnapshot, statement: Statement
) -> TraderResult:
    """Return the trader's result: a proof for a compliant account, a refusal otherwise."""
    expected = reference_verdict(opening, snapshot, statement)
    start = time.perf_counter()
    try:
        assignment = build_assignment(opening, snapshot, statement.kind, statement.buffer_ppm)
    except NotCompliantError:
        refused = circuit_refuses(kit, opening, snapshot, statement)
        return TraderResult(reference_compliant=expected, circuit_refused=refused)
    witness = kit.circuit.solve(assignment)
    proof, public = prove(kit.proving_key, witness)
    seconds = time.perf_counter() - start
    return TraderResult(
        reference_compliant=expected,
        proof=proof_to_json(proof),
        public=public_inputs_to_json(public),
        prove_seconds=seconds,
    )
