"""Trader proof submissions: statement checks, policy, native verification and the verdict record.

A statement is (account, epoch, circuit, public inputs). It is checked against the
registered state — ``C`` must be the venue's commitment for (account, epoch) and
``snapshot_hash`` the epoch's snapshot — and against the policy, before any pairing.
At most one accepted proof is stored per statement (Groth16 proofs are malleable, so
proof bytes are never an identity); resubmitting an accepted statement returns it.
Invalid submissions are bounded the same way: one invalid record per statement (a new
invalid proof of a recorded statement returns the record), and at most
``Policy.max_invalid`` invalid records per (account, epoch); past that, submissions for
the (account, epoch) are refused with 429 before any pairing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from algebra.backend import Backend
from api.auth import Principal, Role
from api.models import Circuit, Commitment, ProofRecord, Snapshot, utc_now
from api.schemas import ProofPublic, ProofSubmit, Verdict
from api.services.audit import insert_write
from api.services.circuits import MARGIN_PUBLIC_INPUTS
from api.services.errors import NotFoundError, StatementError, TooManyError
from api.services.policy import declared_circuit, require_declared
from api.services.policy_lock import lock_policy
from api.services.provenance import verdict_of
from api.services.verification import CircuitCache, LoadedCircuit, parse_statement, verify_statement
from api.writer import GroupCommitter
from circuits.margin.sizes import shape_mismatch, shape_of_json
from verifier.snarkjs_json import proof_to_json

MAX_STORED_BUFFER = 2**63 - 1


@dataclass(frozen=True)
class Policy:
    """What the clearing side accepts: requirement kinds, the smallest buffer (ppm), and
    whether circuits with unsafe keys may count (demos and tests only).

    ``max_invalid`` bounds the invalid records (distinct invalid statements) kept per
    (account, epoch).
    """

    allowed_kinds: frozenset[int]
    min_buffer_ppm: int
    allow_unsafe_keys: bool = False
    max_invalid: int = 32


def statement_digest(account_id: str, epoch: int, circuit_id: str, public: Sequence[int]) -> str:
    """Return the hex SHA-256 identifying a statement (never the proof bytes)."""
    text = "\x1f".join([account_id, str(epoch), circuit_id, *map(str, public)])
    return hashlib.sha256(b"zkmargin/statement/v1\x00" + text.encode()).hexdigest()


# Core statements (compiled once, cached by SQLAlchemy): the submission path reads and
# writes a few columns, and going through the ORM's identity map and unit of work costs
# several times the CPU of the statements themselves on every request.
_COMMITMENT_OF = select(Commitment.commitment).where(
    Commitment.account_id == bindparam("account_id"), Commitment.epoch == bindparam("epoch")
)
_SNAPSHOT_HASH_OF = select(Snapshot.snapshot_hash).where(Snapshot.epoch == bindparam("epoch"))
_SNAPSHOT_OF = select(Snapshot.snapshot).where(Snapshot.epoch == bindparam("epoch"))
_PUBLIC_COLUMNS = (
    ProofRecord.id,
    ProofRecord.account_id,
    ProofRecord.epoch,
    ProofRecord.circuit_id,
    ProofRecord.valid,
    ProofRecord.requirement_kind,
    ProofRecord.buffer_ppm,
    ProofRecord.public_inputs,
    ProofRecord.created_at,
)
# Read FOR SHARE by the writer (PostgreSQL): a concurrent void of the row waits (see voiding).
_COMMITMENT_SHARED = _COMMITMENT_OF.with_for_update(read=True)
_SNAPSHOT_HASH_SHARED = _SNAPSHOT_HASH_OF.with_for_update(read=True)
_ACCEPTED_OF = select(*_PUBLIC_COLUMNS).where(ProofRecord.accepted_digest == bindparam("digest"))
_REJECTED_OF = select(*_PUBLIC_COLUMNS).where(ProofRecord.rejected_digest == bindparam("digest"))
# Invalid records are numbered 1, 2, … per (account, epoch) by ``invalid_slot``, so the
# highest slot is their count: one lookup in the unique (account, epoch, slot) index.
_INVALID_COUNT_OF = select(func.coalesce(func.max(ProofRecord.invalid_slot), 0)).where(
    ProofRecord.account_id == bindparam("account_id"),
    ProofRecord.epoch == bindparam("epoch"),
)
_INSERT_PROOF = insert(ProofRecord).returning(ProofRecord.id)


@dataclass
class RegisteredCache:
    """Commitments and snapshot hashes seen so far, per process.

    Both are immutable once written (insert-only tables, conflicting re-registration is
    refused), so a hit never goes stale; a miss reads the database, so a row written
    later, by any process, is seen by the next request that needs it. Misses are not
    cached.
    """

    limit: int = 200_000
    commitments: dict[tuple[str, int], int] = field(default_factory=dict)
    snapshot_hashes: dict[int, int] = field(default_factory=dict)
    snapshot_shapes: dict[int, dict[str, int]] = field(default_factory=dict)

    def commitment(self, session: Session, account_id: str, epoch: int) -> int | None:
        """Return the registered ``C`` of (account, epoch), or None."""
        key = (account_id, epoch)
        hit = self.commitments.get(key)
        if hit is None:
            params = {"account_id": account_id, "epoch": epoch}
            stored = session.connection().execute(_COMMITMENT_OF, params).scalar()
            if stored is None:
                return None
            if len(self.commitments) >= self.limit:
                self.commitments.clear()
            hit = self.commitments[key] = int(stored)
        return hit

    def forget(self, account_id: str, epoch: int) -> None:
        """Drop the cached commitment of (account, epoch) and the epoch's snapshot hash.

        Called when the database disagrees with the cache: a commitment or snapshot voided
        (possibly by another process) and registered again.
        """
        self.commitments.pop((account_id, epoch), None)
        self.snapshot_hashes.pop(epoch, None)
        self.snapshot_shapes.pop(epoch, None)

    def snapshot_hash(self, session: Session, epoch: int) -> int | None:
        """Return the epoch's snapshot hash, or None when no snapshot is posted."""
        hit = self.snapshot_hashes.get(epoch)
        if hit is None:
            stored = session.connection().execute(_SNAPSHOT_HASH_OF, {"epoch": epoch}).scalar()
            if stored is None:
                return None
            hit = self.snapshot_hashes[epoch] = int(stored)
        return hit

    def snapshot_shape(self, session: Session, epoch: int) -> dict[str, int] | None:
        """Return the five slot counts of the epoch's snapshot, or None when none is posted."""
        hit = self.snapshot_shapes.get(epoch)
        if hit is None:
            stored = session.connection().execute(_SNAPSHOT_OF, {"epoch": epoch}).scalar()
            if stored is None:
                return None
            if len(self.snapshot_shapes) >= self.limit:
                self.snapshot_shapes.clear()
            hit = self.snapshot_shapes[epoch] = shape_of_json(json.loads(stored))
        return hit


def check_snapshot_shape(
    *, session: Session, registered: RegisteredCache, circuit: Circuit, epoch: int
) -> None:
    """Refuse a margin circuit whose recorded shape differs from the epoch's snapshot's.

    Such a proof could not verify anyway (the snapshot hash's domain tag encodes the
    shape); this names the slot instead. Circuits without a recorded shape are not checked.

    Raises:
        StatementError: naming the first count that differs.
    """
    if circuit.margin_shape is None:
        return
    have = registered.snapshot_shape(session, epoch)
    if have is None:
        raise StatementError(f"no snapshot posted for epoch {epoch}")
    mismatch = shape_mismatch(have, json.loads(circuit.margin_shape))
    if mismatch is not None:
        raise StatementError(
            f"epoch {epoch}'s snapshot has {mismatch}: circuit {circuit.circuit_id!r}"
            " cannot prove against it"
        )


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
    if registered_c != commitment or registered.snapshot_hash(session, epoch) != snapshot_hash:
        registered.forget(account_id, epoch)  # maybe voided and registered again: re-read
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


def submit_proof(
    *,
    sessions: sessionmaker[Session],
    writer: GroupCommitter,
    principal: Principal,
    body: ProofSubmit,
    cache: CircuitCache,
    registered: RegisteredCache,
    backend: Backend,
    policy: Policy,
) -> tuple[ProofPublic, bool]:
    """Check, verify and record a submission; return (public record, created).

    ``created`` is False when the statement already had an accepted proof, which is
    returned unchanged (checked by the writer, after verification: replays are rare and
    the check is then race-free). An invalid proof is recorded with ``valid=False``.
    The database connection used for the checks is released before the pairing check.

    Only the circuit the admin declared for the epoch is admitted (not retired, and not
    unsafe unless the server allows unsafe keys); the writer re-checks the commitment,
    snapshot and declaration in the transaction that records the proof.

    Raises:
        MalformedInputError: the proof or inputs are not canonical.
        StatementError: unknown or undeclared circuit, wrong input count, or a
            registered-state/policy mismatch.
    """
    with sessions() as session:
        loaded = _margin_circuit(session=session, cache=cache, circuit_id=body.circuit_id)
        declared = require_declared(
            session,
            circuit_id=body.circuit_id,
            epoch=body.epoch,
            margin=loaded.record.margin,
            n_public=loaded.vk.n_public,
            allow_unsafe=policy.allow_unsafe_keys,
        )
        proof, public = parse_statement(body.proof.model_dump(), body.public_inputs)
        if len(public) != MARGIN_PUBLIC_INPUTS:
            raise StatementError(
                f"expected {MARGIN_PUBLIC_INPUTS} public inputs, got {len(public)}"
            )
        kind, buffer_ppm = check_statement(
            session=session,
            registered=registered,
            account_id=body.account_id,
            epoch=body.epoch,
            public=public,
            policy=policy,
        )
        check_snapshot_shape(
            session=session, registered=registered, circuit=loaded.record, epoch=body.epoch
        )
        _check_invalid_cap(
            session.connection(), account_id=body.account_id, epoch=body.epoch, policy=policy
        )
    digest = statement_digest(body.account_id, body.epoch, body.circuit_id, public)
    valid = verify_statement(vk=loaded.vk, proof=proof, public_inputs=public, backend=backend)
    row = {
        "account_id": body.account_id,
        "epoch": body.epoch,
        "circuit_id": body.circuit_id,
        "public_inputs": json.dumps([str(x) for x in public]),
        "proof": json.dumps(proof_to_json(proof), sort_keys=True),
        "statement_digest": digest,
        "accepted_digest": digest if valid else None,
        "rejected_digest": None if valid else digest,
        "valid": valid,
        "requirement_kind": kind,
        "buffer_ppm": buffer_ppm,
        "submitted_by": principal.key_id,
        "created_at": utc_now(),
    }
    verdict = verdict_of(declared.circuit_id, declared.fingerprint, declared.provenance)

    def job(ws: Session) -> tuple[ProofPublic, bool]:
        return _store(
            session=ws,
            principal=principal,
            row=row,
            verdict=verdict,
            registered=registered,
            policy=policy,
        )

    return writer.run(job)


def _check_invalid_cap(
    connection: Connection, *, account_id: str, epoch: int, policy: Policy
) -> int:
    """Return the invalid records of (account, epoch), or raise TooManyError at the cap."""
    params = {"account_id": account_id, "epoch": epoch}
    count = int(connection.execute(_INVALID_COUNT_OF, params).scalar_one() or 0)
    if count >= policy.max_invalid:
        raise TooManyError(
            f"{account_id} has {count} invalid submissions at epoch {epoch}, the most kept;"
            " further submissions for this epoch are refused"
        )
    return count


def _public(row: Mapping[Any, Any], *, replay: bool, verdict: Verdict) -> ProofPublic:
    return ProofPublic(
        proof_id=row["id"],
        account_id=row["account_id"],
        epoch=row["epoch"],
        circuit_id=row["circuit_id"],
        valid=row["valid"],
        requirement_kind=row["requirement_kind"],
        buffer_ppm=row["buffer_ppm"],
        public_inputs=json.loads(row["public_inputs"]),
        created_at=row["created_at"],
        replay=replay,
        verdict=verdict,
    )


def _still_registered(
    connection: Connection, row: Mapping[str, Any], registered: RegisteredCache
) -> None:
    """Refuse a row whose commitment, snapshot or circuit changed since it was checked.

    The commitment and snapshot rows are read ``FOR SHARE`` (PostgreSQL; SQLite has one
    writer), so a concurrent void either waits for this insert — and then sees the proof
    and refuses — or commits first, and this check refuses.
    """
    public = json.loads(row["public_inputs"])
    params = {"account_id": row["account_id"], "epoch": row["epoch"]}
    commitment = connection.execute(_COMMITMENT_SHARED, params).scalar()
    snapshot = connection.execute(_SNAPSHOT_HASH_SHARED, {"epoch": row["epoch"]}).scalar()
    if commitment != public[0] or snapshot != public[1]:
        registered.forget(row["account_id"], row["epoch"])
        raise StatementError(
            f"the commitment or snapshot of epoch {row['epoch']} was voided while the proof"
            " was verified; submit again against the registered state"
        )
    lock_policy(connection, margin=True, exclusive=False)  # a declaration waits for this insert
    declared = declared_circuit(connection, row["epoch"])
    if declared is None or declared.circuit_id != row["circuit_id"] or declared.retired:
        raise StatementError(
            f"circuit {row['circuit_id']!r} no longer counts at epoch {row['epoch']}"
        )


def _store(
    *,
    session: Session,
    principal: Principal,
    row: dict[str, Any],
    verdict: Verdict,
    registered: RegisteredCache,
    policy: Policy,
) -> tuple[ProofPublic, bool]:
    """Writer job: insert the proof ``row`` and its audit entry unless the statement is recorded.

    An accepted statement returns its record; an invalid proof of a statement already
    recorded invalid returns that record; a new invalid statement past the cap raises
    TooManyError (before anything is added, as the writer requires).
    """
    session.flush()  # rows of earlier ORM jobs in this batch go first
    connection = session.connection()
    digest = row["statement_digest"]
    existing = connection.execute(_ACCEPTED_OF, {"digest": digest}).mappings().first()
    if existing is None and not row["valid"]:
        existing = connection.execute(_REJECTED_OF, {"digest": digest}).mappings().first()
    if existing is not None:
        return _public(existing, replay=True, verdict=verdict), False
    _still_registered(connection, row, registered)
    if not row["valid"]:
        count = _check_invalid_cap(
            connection, account_id=row["account_id"], epoch=row["epoch"], policy=policy
        )
        row = {**row, "invalid_slot": count + 1}
    proof_id = connection.execute(_INSERT_PROOF, row).scalar_one()
    insert_write(
        connection=connection,
        key_id=principal.key_id,
        role=principal.role.value,
        action="proof.submit",
        target=f"account={row['account_id']} epoch={row['epoch']}",
        detail={"proof_id": proof_id, "valid": row["valid"], "statement": digest},
    )
    return _public({**row, "id": proof_id}, replay=False, verdict=verdict), True


def get_proof(*, session: Session, principal: Principal, proof_id: int) -> ProofRecord:
    """Return proof record ``proof_id`` if ``principal`` may see its account.

    The scope is part of the query (a trader's accounts), so a record the caller may not
    see is never loaded and answers exactly as a missing id does.

    Raises:
        NotFoundError: no such record, or one of an account outside the caller's scope.
    """
    query = select(ProofRecord).where(ProofRecord.id == proof_id)
    if principal.role is Role.TRADER:
        query = query.where(ProofRecord.account_id.in_(sorted(principal.accounts)))
    record = session.scalars(query).first()
    if record is None:
        raise NotFoundError(f"no proof with id {proof_id}")
    return record
