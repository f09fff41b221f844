"""Voiding a wrongly posted commitment or snapshot, before any proof references it.

Only the key that posted it, or the admin, may void it, and only while no proof of its
(account, epoch) — for a snapshot, of its epoch — is recorded: once a verdict rests on it,
it is immutable. The row moves, whole, to ``voided_registrations`` with an audit entry, and
the slot is free for the right registration. The row is locked (``FOR UPDATE`` on
PostgreSQL) before the check, and proof submissions read it ``FOR SHARE`` before inserting,
so a void and a submission racing on it are serialised.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from api.auth import Principal, Role
from api.models import Commitment, ProofRecord, Snapshot, VoidedRegistration, utc_now
from api.services.audit import record_write
from api.services.commitments import NO_SUCH_COMMITMENT
from api.services.errors import ConflictError, NotFoundError
from api.services.registry import require_registry_open
from api.services.tenancy import ScopeError, may_see_account
from api.writer import GroupCommitter


def _require_poster(principal: Principal, posted_by: str | None, what: str) -> None:
    if principal.role is not Role.ADMIN and principal.key_id != posted_by:
        raise ScopeError(f"only the key that posted this {what}, or the admin, may void it")


def void_commitment(
    *, writer: GroupCommitter, principal: Principal, account_id: str, epoch: int, reason: str
) -> VoidedRegistration:
    """Void the commitment of (account, epoch) while no proof references it.

    Raises:
        NotFoundError: none is registered, or the caller may not see the account.
        ScopeError: the caller is neither its poster nor the admin.
        ConflictError: a proof of (account, epoch) is recorded: it is immutable now.
        RegistryFrozenError: the account's venue froze its registry at the epoch (409).
    """

    def job(session: Session) -> VoidedRegistration:
        if not may_see_account(session, principal, account_id):
            raise NotFoundError(NO_SUCH_COMMITMENT)
        locked = select(Commitment).where(
            Commitment.account_id == account_id, Commitment.epoch == epoch
        )
        record = session.scalars(locked.with_for_update()).first()
        if record is None:
            raise NotFoundError(NO_SUCH_COMMITMENT)
        _require_poster(principal, record.posted_by, "commitment")
        require_registry_open(session, account_id, epoch)
        used = exists().where(ProofRecord.account_id == account_id, ProofRecord.epoch == epoch)
        if session.scalar(select(used)):
            raise ConflictError("a proof references this commitment: it is immutable now")
        voided = VoidedRegistration(
            kind="commitment",
            epoch=epoch,
            account_id=account_id,
            value=record.commitment,
            content=None,
            posted_by=record.posted_by,
            posted_at=record.created_at,
            voided_by=principal.key_id,
            voided_at=utc_now(),
            reason=reason,
        )
        session.delete(record)
        session.add(voided)
        record_write(
            session=session,
            key_id=principal.key_id,
            role=principal.role.value,
            action="commitment.void",
            target=f"account={account_id} epoch={epoch}",
            detail={"commitment": record.commitment, "reason": reason},
        )
        return voided

    return writer.run(job)


def void_snapshot(
    *, writer: GroupCommitter, principal: Principal, epoch: int, reason: str
) -> VoidedRegistration:
    """Void the epoch's snapshot while no proof of the epoch is recorded.

    Raises:
        NotFoundError: no snapshot is posted for the epoch.
        ScopeError: the caller is neither its poster nor the admin.
        ConflictError: a proof of the epoch is recorded: the snapshot is immutable now.
    """

    def job(session: Session) -> VoidedRegistration:
        locked = select(Snapshot).where(Snapshot.epoch == epoch).with_for_update()
        record = session.scalars(locked).first()
        if record is None:
            raise NotFoundError(f"no snapshot posted for epoch {epoch}")
        _require_poster(principal, record.posted_by, "snapshot")
        if session.scalar(select(exists().where(ProofRecord.epoch == epoch))):
            raise ConflictError("a proof references this snapshot: it is immutable now")
        voided = VoidedRegistration(
            kind="snapshot",
            epoch=epoch,
            account_id=None,
            value=record.snapshot_hash,
            content=record.snapshot,
            posted_by=record.posted_by,
            posted_at=record.created_at,
            voided_by=principal.key_id,
            voided_at=utc_now(),
            reason=reason,
        )
        session.delete(record)
        session.add(voided)
        record_write(
            session=session,
            key_id=principal.key_id,
            role=principal.role.value,
            action="snapshot.void",
            target=f"epoch={epoch}",
            detail={"snapshot_hash": record.snapshot_hash, "reason": reason},
        )
        return voided

    return writer.run(job)
