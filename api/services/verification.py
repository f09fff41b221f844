"""Parsing and verifying proofs against registered circuits, with parsed keys cached.

Circuits are immutable once registered, so a parsed verifying key can be cached for
the life of the process; the verifier caches its prepared form per backend.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from algebra.backend import Backend
from algebra.errors import MalformedInputError, ZkError
from api.models import Circuit
from api.services.errors import NotFoundError
from verifier.batch import batch_verify
from verifier.keys import VerifyingKey
from verifier.proof import Proof
from verifier.snarkjs_json import proof_from_json, public_inputs_from_json, verifying_key_from_json
from verifier.verify import verify


@dataclass(frozen=True)
class LoadedCircuit:
    """A registered circuit with its verifying key parsed."""

    record: Circuit
    vk: VerifyingKey


@dataclass
class CircuitCache:
    """Registered circuits by id, parsed once per process."""

    _loaded: dict[str, LoadedCircuit] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, *, session: Session, circuit_id: str) -> LoadedCircuit:
        """Return the circuit ``circuit_id``.

        Raises:
            NotFoundError: no circuit with that id is registered.
        """
        with self._lock:
            hit = self._loaded.get(circuit_id)
        if hit is not None:
            return hit
        record = session.get(Circuit, circuit_id)
        if record is None:
            raise NotFoundError(f"circuit {circuit_id!r} is not registered")
        session.expunge(record)
        loaded = LoadedCircuit(record, verifying_key_from_json(json.loads(record.verifying_key)))
        with self._lock:
            self._loaded[circuit_id] = loaded
        return loaded


def parse_statement(
    proof_json: dict[str, Any], public_json: Sequence[str]
) -> tuple[Proof, list[int]]:
    """Return the proof and public inputs of a snarkjs-JSON statement.

    Raises:
        MalformedInputError: a coordinate or input is not a canonical field element.
    """
    try:
        return proof_from_json(proof_json), public_inputs_from_json(list(public_json))
    except MalformedInputError:
        raise
    except (ZkError, ValueError, TypeError, KeyError, IndexError) as error:
        raise MalformedInputError(f"malformed proof or public inputs: {error}") from error


def verify_statement(
    *, vk: VerifyingKey, proof: Proof, public_inputs: Sequence[int], backend: Backend
) -> bool:
    """Return whether ``proof`` verifies for ``public_inputs`` (MalformedInputError if bad)."""
    if len(public_inputs) != vk.n_public:
        raise MalformedInputError(
            f"expected {vk.n_public} public inputs for this circuit, got {len(public_inputs)}"
        )
    return verify(vk, proof, public_inputs, backend=backend)


@dataclass(frozen=True)
class BatchOutcome:
    """Per-item verdicts and, for invalid items, why."""

    valid: list[bool]
    reasons: dict[int, str]


def verify_many(
    *,
    vk: VerifyingKey,
    statements: Sequence[tuple[dict[str, Any], Sequence[str]]],
    backend: Backend,
) -> BatchOutcome:
    """Batch-verify snarkjs-JSON statements; malformed ones are invalid with their reason."""
    parsed: list[tuple[Proof, Sequence[int]]] = []
    positions: list[int] = []
    reasons: dict[int, str] = {}
    for index, (proof_json, public_json) in enumerate(statements):
        try:
            proof, public = parse_statement(proof_json, public_json)
        except MalformedInputError as error:
            reasons[index] = str(error)
            continue
        if len(public) != vk.n_public:
            reasons[index] = f"expected {vk.n_public} public inputs, got {len(public)}"
            continue
        parsed.append((proof, public))
        positions.append(index)
    result = batch_verify(vk, parsed, backend=backend)
    for k, ok in enumerate(result.valid):
        if not ok:
            reasons[positions[k]] = result.reasons.get(k, "proof does not verify")
    valid = [i not in reasons for i in range(len(statements))]
    return BatchOutcome(valid=valid, reasons=dict(sorted(reasons.items())))
