"""Circuit policy: which circuit (and key fingerprint) counts for margin statements at an epoch.

The admin declares a circuit for one epoch or a range (``to_epoch`` None: onward); the
latest declaration covering an epoch decides it. Proofs under any other circuit are refused,
and the status, report and export count only records under the declared circuit, so a second
registered circuit — a dev key someone left behind — cannot buy a ``compliant``. A
declaration may not move an epoch that already has verdicts to another circuit.

Serialisation across workers (PostgreSQL): a declaration or a retirement takes the policy
lock of its kind (margin or solvency) exclusively, and every store that relies on the
declaration (a proof's insert, a solvency bundle's) takes it shared before reading the
declared circuit, holding both until commit. So a declaration waits for stores in flight
and then sees their verdicts (and refuses to move them), and a store that starts after a
declaration reads it. Stores never wait for each other. (SQLite has one writer per file.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection, or_, select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.models import Circuit, CircuitPolicy, ProofRecord, SolvencyCircuitPolicy, utc_now
from api.schemas import CircuitPolicyCreate
from api.services.audit import record_write
from api.services.circuits import MARGIN_PUBLIC_INPUTS
from api.services.errors import ConflictError, StatementError
from api.services.policy_lock import lock_policy
from api.services.provenance import UnsafeKeyError
from api.services.verification import CircuitCache
from api.writer import GroupCommitter
from verifier.provenance import KeyProvenance


@dataclass(frozen=True)
class Declared:
    """The circuit declared for an epoch, with what its verdicts rest on."""

    circuit_id: str
    fingerprint: str
    provenance: str
    retired: bool


_PolicyRow = TypeVar("_PolicyRow", CircuitPolicy, SolvencyCircuitPolicy)
"""A margin or solvency circuit-policy row (the same columns)."""

_DECLARED_AT = (
    select(
        CircuitPolicy.circuit_id,
        CircuitPolicy.fingerprint,
        Circuit.provenance,
        Circuit.retired_at,
    )
    .join(Circuit, Circuit.circuit_id == CircuitPolicy.circuit_id)
    .order_by(CircuitPolicy.id.desc())
    .limit(1)
)


def declared_circuit(connection: Connection | Session, epoch: int) -> Declared | None:
    """Return the circuit declared for ``epoch`` (the latest declaration covering it), or None."""
    query = _DECLARED_AT.where(
        CircuitPolicy.from_epoch <= epoch,
        or_(CircuitPolicy.to_epoch.is_(None), CircuitPolicy.to_epoch >= epoch),
    )
    row = connection.execute(query).first()
    if row is None:
        return None
    return Declared(row[0], row[1], row[2], row[3] is not None)


def declare_circuit(
    *,
    writer: GroupCommitter,
    principal: Principal,
    body: CircuitPolicyCreate,
    cache: CircuitCache,
    allow_unsafe: bool,
) -> CircuitPolicy:
    """Record that ``body.circuit_id`` counts for margin statements over the epoch range.

    Raises:
        StatementError: unknown, non-margin or retired circuit, wrong fingerprint, or an
            empty range.
        UnsafeKeyError: the circuit's key is unsafe and the server refuses unsafe keys.
        ConflictError: an epoch of the range already has verdicts under another circuit.
    """
    return record_declaration(
        CircuitPolicy, writer=writer, principal=principal, body=body, cache=cache,
        allow_unsafe=allow_unsafe, margin=True, refuse_moving=_refuse_moving_verdicts,
        action="policy.declare",
    )  # fmt: skip


def record_declaration(
    row_type: type[_PolicyRow],
    *,
    writer: GroupCommitter,
    principal: Principal,
    body: CircuitPolicyCreate,
    cache: CircuitCache,
    allow_unsafe: bool,
    margin: bool,
    refuse_moving: Callable[[Session, CircuitPolicyCreate], None],
    action: str,
) -> _PolicyRow:
    """Append one policy row of ``row_type`` declaring ``body`` and audit-log it as ``action``.

    The circuit must be declarable (:func:`declarable_fingerprint`, a margin circuit or not
    as ``margin`` says); ``refuse_moving`` raises ConflictError when the range would move an
    epoch whose stored results were made under another circuit.
    """
    if body.to_epoch is not None and body.to_epoch < body.from_epoch:
        raise StatementError("to_epoch is before from_epoch")

    def job(session: Session) -> _PolicyRow:
        lock_policy(session, margin=margin, exclusive=True)  # stores in flight finish first
        fingerprint = declarable_fingerprint(
            session, body, cache=cache, allow_unsafe=allow_unsafe, margin=margin
        )
        refuse_moving(session, body)
        declared = row_type(
            circuit_id=body.circuit_id,
            fingerprint=fingerprint,
            from_epoch=body.from_epoch,
            to_epoch=body.to_epoch,
            declared_by=principal.key_id,
            declared_at=utc_now(),
        )
        session.add(declared)
        session.flush()
        record_write(
            session=session,
            key_id=principal.key_id,
            role=principal.role.value,
            action=action,
            target=f"circuit={body.circuit_id}",
            detail={
                "fingerprint": fingerprint,
                "from_epoch": body.from_epoch,
                "to_epoch": body.to_epoch,
            },
        )
        return declared

    return writer.run(job)


def declarable_fingerprint(
    session: Session,
    body: CircuitPolicyCreate,
    *,
    cache: CircuitCache,
    allow_unsafe: bool,
    margin: bool,
) -> str:
    """Return the key fingerprint of ``body.circuit_id`` if it may be declared for its kind.

    ``margin`` says which kind the declaration is for: margin statements (True) or venues'
    solvency bundles (False, a ``SolvencyChunk`` circuit registered with ``margin: false``).

    Raises:
        StatementError: unknown circuit, one of the other kind, retired, or a ``fingerprint``
            that is not its key's.
        UnsafeKeyError: the circuit's key is unsafe and the server refuses unsafe keys.
    """
    kind = "margin" if margin else "solvency (non-margin)"
    record = session.get(Circuit, body.circuit_id)
    if record is None or record.margin != margin:
        raise StatementError(f"circuit {body.circuit_id!r} is not a registered {kind} circuit")
    if record.retired_at is not None:
        raise StatementError(f"circuit {body.circuit_id!r} is retired")
    if KeyProvenance(record.provenance).is_unsafe and not allow_unsafe:
        raise UnsafeKeyError(
            f"circuit {body.circuit_id} has an unsafe ({record.provenance}) key and this"
            " server refuses unsafe keys"
        )
    fingerprint = cache.get(session=session, circuit_id=body.circuit_id).vk.fingerprint()
    if body.fingerprint not in (None, fingerprint):
        raise StatementError(
            f"circuit {body.circuit_id}'s key fingerprint is {fingerprint}, not the one given"
        )
    return fingerprint


def _refuse_moving_verdicts(session: Session, body: CircuitPolicyCreate) -> None:
    query = select(ProofRecord.epoch, ProofRecord.circuit_id).where(
        ProofRecord.epoch >= body.from_epoch, ProofRecord.circuit_id != body.circuit_id
    )
    if body.to_epoch is not None:
        query = query.where(ProofRecord.epoch <= body.to_epoch)
    clash = session.execute(query.limit(1)).first()
    if clash is not None:
        raise ConflictError(
            f"epoch {clash[0]} already has verdicts under circuit {clash[1]};"
            " its circuit cannot change"
        )


def list_declarations(*, session: Session) -> Sequence[CircuitPolicy]:
    """Return every declaration, oldest first."""
    return session.scalars(select(CircuitPolicy).order_by(CircuitPolicy.id)).all()


def require_declared(
    connection: Connection | Session, *, circuit_id: str, epoch: int, margin: bool, n_public: int,
    allow_unsafe: bool,
) -> Declared:  # fmt: skip
    """Return the declaration admitting a margin proof under ``circuit_id`` at ``epoch``.

    Raises:
        StatementError: not a margin circuit, no circuit declared for the epoch, another
            circuit declared, the circuit retired, or its key unsafe on a server refusing them.
    """
    if not margin or n_public != MARGIN_PUBLIC_INPUTS:
        raise StatementError(f"circuit {circuit_id!r} is not a margin circuit")
    declared = declared_circuit(connection, epoch)
    if declared is None:
        raise StatementError(f"no circuit is declared for margin statements at epoch {epoch}")
    if declared.circuit_id != circuit_id:
        raise StatementError(
            f"circuit {circuit_id!r} does not count for margin statements at epoch {epoch}"
            f" (declared: {declared.circuit_id})"
        )
    if declared.retired:
        raise StatementError(f"circuit {circuit_id!r} is retired: it takes no new proofs")
    if KeyProvenance(declared.provenance).is_unsafe and not allow_unsafe:
        raise StatementError(
            f"circuit {circuit_id!r} has an unsafe key and this server refuses unsafe keys"
        )
    return declared
