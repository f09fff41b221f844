"""Trader proof submissions: statement checks, policy, native verification and the verdict record.

A statement is (account, epoch, circuit, public inputs). It is checked against the
registered state — ``C`` must be the venue's commitment for (account, epoch) and
``snapshot_hash`` the epoch's snapshot — and against the policy, before any pairing.
At most one accepted proof is stored per statement (Groth16 proofs are malleable, so
proof bytes are never an identity); resubmitting an accepted statement returns it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from algebra.backend import Backend
from api.auth import Principal
from api.models import Commitment, ProofRecord, Snapshot, utc_now
from api.schemas import ProofSubmit
from api.services.audit import record_write
from api.services.circuits import MARGIN_PUBLIC_INPUTS
from api.services.errors import NotFoundError, StatementError
from api.services.verification import CircuitCache, LoadedCircuit, parse_statement, verify_statement
from api.writer import GroupCommitter
from verifier.snarkjs_json import proof_to_json

MAX_STORED_BUFFER = 2**63 - 1


@dataclass(frozen=True)
class Policy:
    """What the clearing side accepts: requirement kinds and the smallest buffer (ppm)."""

    allowed_kinds: frozenset[int]
    min_buffer_ppm: int


def statement_digest(account_id: str, epoch: int, circuit_id: str, public: Sequence[int]) -> str:
    """Return the hex SHA-256 identifying a statement (never the proof bytes)."""
    text = "\x1f".join([account_id, str(epoch), circuit_id, *map(str, public)])
    return hashlib.sha256(b"zkmargin/statement/v1\x00" + text.encode()).hexdigest()


@dataclass
class RegisteredCache:
    """Commitments and snapshot hashes seen so far; both are immutable, so hits never go stale."""

    limit: int = 200_000
    commitments: dict[tuple[str, int], int] = field(default_factory=dict)
    snapshot_hashes: dict[int, int] = field(default_factory=dict)

    def commitment(self, session: Session, account_id: str, epoch: int) -> int | None:
        """Return the registered ``C`` of (account, epoch), or None."""
        key = (account_id, epoch)
        hit = self.commitments.get(key)
        if hit is None:
            record = session.get(Commitment, key)
            if record is None:
                return None
            if len(self.commitments) >= self.limit:
                self.commitments.clear()
            hit = self.commitments[key] = int(record.commitment)
        return hit

    def snapshot_hash(self, session: Session, epoch: int) -> int | None:
        """Return the epoch's snapshot hash, or None when no snapshot is posted."""
        hit = self.snapshot_hashes.get(epoch)
        if hit is None:
            record = session.get(Snapshot, epoch)
            if record is None:
                return None
            hit = self.snapshot_hashes[epoch] = int(record.snapshot_hash)
        return hit


def check_statement(
    *,
    session: Session,
    registered: RegisteredCache,
    account_id: str,
    epoch: int,
    public: Sequence[int],
    policy: Policy,
) -> tuple[int, int]:
    """Return (requirement_kind, buffer_ppm) if ``public`` matches registered state and policy.

    Raises:
        StatementError: naming the first mismatch.
    """
    commitment, snapshot_hash, kind, buffer_ppm = public
    registered_c = registered.commitment(session, account_id, epoch)
    if registered_c is None:
        raise StatementError(f"no commitment registered for {account_id} at epoch {epoch}")
    if registered_c != commitment:
        raise StatementError(
            f"public input C differs from the commitment registered for {account_id}"
            f" at epoch {epoch}"
        )
    registered_hash = registered.snapshot_hash(session, epoch)
    if registered_hash is None:
        raise StatementError(f"no snapshot posted for epoch {epoch}")
    if registered_hash != snapshot_hash:
        raise StatementError(f"public input snapshot_hash differs from epoch {epoch}'s snapshot")
    if kind not in policy.allowed_kinds:
        allowed = sorted(policy.allowed_kinds)
        raise StatementError(f"requirement_kind {kind} is not accepted (allowed: {allowed})")
    if not policy.min_buffer_ppm <= buffer_ppm <= MAX_STORED_BUFFER:
        raise StatementError(
            f"buffer_ppm {buffer_ppm} is outside policy [{policy.min_buffer_ppm}, 2^63-1]"
        )
    return kind, buffer_ppm


def _margin_circuit(*, session: Session, cache: CircuitCache, circuit_id: str) -> LoadedCircuit:
    try:
        loaded = cache.get(session=session, circuit_id=circuit_id)
    except NotFoundError as error:
        raise StatementError(str(error)) from error
    if not loaded.record.margin or loaded.vk.n_public != MARGIN_PUBLIC_INPUTS:
        raise StatementError(f"circuit {circuit_id!r} is not a margin circuit")
    return loaded


def accepted_record(*, session: Session, digest: str) -> ProofRecord | None:
    """Return the accepted proof of the statement with ``digest``, if any."""
    query = select(ProofRecord).where(ProofRecord.accepted_digest == digest)
    return session.scalars(query).first()


def submit_proof(
    *,
    session: Session,
    writer: GroupCommitter,
    principal: Principal,
    body: ProofSubmit,
    cache: CircuitCache,
    registered: RegisteredCache,
    backend: Backend,
    policy: Policy,
) -> tuple[ProofRecord, bool]:
    """Check, verify and record a submission; return (record, created).

    ``created`` is False when the statement already had an accepted proof, which is
    returned unchanged (checked by the writer, after verification: replays are rare and
    the check is then race-free). An invalid proof is recorded with ``valid=False``.

    Raises:
        MalformedInputError: the proof or inputs are not canonical.
        StatementError: unknown circuit, wrong input count, or a registered-state/policy mismatch.
    """
    loaded = _margin_circuit(session=session, cache=cache, circuit_id=body.circuit_id)
    proof, public = parse_statement(body.proof.model_dump(), body.public_inputs)
    if len(public) != MARGIN_PUBLIC_INPUTS:
        raise StatementError(f"expected {MARGIN_PUBLIC_INPUTS} public inputs, got {len(public)}")
    kind, buffer_ppm = check_statement(
        session=session,
        registered=registered,
        account_id=body.account_id,
        epoch=body.epoch,
        public=public,
        policy=policy,
    )
    digest = statement_digest(body.account_id, body.epoch, body.circuit_id, public)
    valid = verify_statement(vk=loaded.vk, proof=proof, public_inputs=public, backend=backend)
    record = ProofRecord(
        account_id=body.account_id,
        epoch=body.epoch,
        circuit_id=body.circuit_id,
        public_inputs=json.dumps([str(x) for x in public]),
        proof=json.dumps(proof_to_json(proof), sort_keys=True),
        statement_digest=digest,
        accepted_digest=digest if valid else None,
        valid=valid,
        requirement_kind=kind,
        buffer_ppm=buffer_ppm,
        submitted_by=principal.key_id,
        created_at=utc_now(),
    )
    return writer.run(lambda ws: _store(session=ws, principal=principal, record=record))


def _store(
    *, session: Session, principal: Principal, record: ProofRecord
) -> tuple[ProofRecord, bool]:
    """Writer job: insert ``record`` and its audit entry unless the statement is accepted."""
    existing = accepted_record(session=session, digest=record.statement_digest)
    if existing is not None:
        return existing, False
    session.add(record)
    session.flush()
    record_write(
        session=session,
        key_id=principal.key_id,
        role=principal.role.value,
        action="proof.submit",
        target=f"account={record.account_id} epoch={record.epoch}",
        detail={"proof_id": record.id, "valid": record.valid, "statement": record.statement_digest},
    )
    return record, True


def get_proof(*, session: Session, proof_id: int) -> ProofRecord:
    """Return proof record ``proof_id`` (NotFoundError when unknown)."""
    record = session.get(ProofRecord, proof_id)
    if record is None:
        raise NotFoundError(f"no proof with id {proof_id}")
    return record
