"""Venues' state commitments ``C`` per (account, epoch), immutable once registered."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from api.auth import Principal
from api.models import Commitment, utc_now
from api.schemas import CommitmentCreate
from api.services.audit import record_write
from api.services.errors import ConflictError, NotFoundError
from api.services.registry import require_registry_open
from api.services.tenancy import (
    EpochSchedule,
    add_scheduled,
    may_see_account,
    require_open_epoch,
    require_venue_account,
)
from api.writer import GroupCommitter

NO_SUCH_COMMITMENT = "no commitment registered for this account at this epoch"


def field_element(text: str, what: str) -> int:
    """Return the canonical field element written in decimal ``text``.

    Raises:
        MalformedInputError: the value is not below the scalar field modulus r.
    """
    value = int(text)
    if value >= SCALAR_FIELD_R:
        raise MalformedInputError(f"{what} must be below the BN254 scalar field modulus r")
    return value


def register_commitment(
    *,
    writer: GroupCommitter,
    principal: Principal,
    body: CommitmentCreate,
    schedule: EpochSchedule | None = None,
) -> tuple[Commitment, bool]:
    """Store ``C`` for (account, epoch); return (record, created). The same ``C`` again is a no-op.

    The account must be one of the key's venue's, the epoch open, and ``C`` not registered
    for another account at the epoch (one proof would otherwise speak for both).

    Raises:
        MalformedInputError: ``C`` is not a canonical field element.
        NotFoundError: the account is not the venue's (or not enrolled at all).
        EpochNotOpenError: the admin has not opened the epoch.
        ConflictError: a different ``C`` is registered for (account, epoch), or this ``C``
            for another account.
        RegistryFrozenError: the account's venue froze its registry at the epoch (409).
    """
    value = str(field_element(body.commitment, "commitment"))

    def job(session: Session) -> tuple[Commitment, bool]:
        require_venue_account(session, principal, body.account_id)
        existing = session.get(Commitment, (body.account_id, body.epoch))
        if existing is not None:
            if existing.commitment != value:
                raise ConflictError(
                    f"account {body.account_id} already has a different commitment"
                    f" at epoch {body.epoch} (void it first if it was wrong)"
                )
            return existing, False
        require_registry_open(session, body.account_id, body.epoch)
        epoch, scheduled = require_open_epoch(session, body.epoch, schedule)
        taken = select(Commitment.account_id).where(
            Commitment.epoch == body.epoch, Commitment.commitment == value
        )
        if session.scalar(taken) is not None:
            raise ConflictError(
                f"this commitment value is already registered for another account"
                f" at epoch {body.epoch}"
            )
        if scheduled:
            add_scheduled(session, epoch)
        record = Commitment(
            account_id=body.account_id,
            epoch=body.epoch,
            commitment=value,
            created_at=utc_now(),
            posted_by=principal.key_id,
        )
        session.add(record)
        record_write(
            session=session,
            key_id=principal.key_id,
            role=principal.role.value,
            action="commitment.register",
            target=f"account={body.account_id} epoch={body.epoch}",
            detail={"commitment": value},
        )
        return record, True

    return writer.run(job)


def get_commitment(
    *, session: Session, principal: Principal, account_id: str, epoch: int
) -> Commitment:
    """Return the commitment of (account, epoch) if ``principal`` may see the account.

    The scope is checked before anything is loaded, and an account outside it answers
    exactly as a missing commitment does.

    Raises:
        NotFoundError: none is registered, or the caller may not see the account.
    """
    if not may_see_account(session, principal, account_id):
        raise NotFoundError(NO_SUCH_COMMITMENT)
    record = session.get(Commitment, (account_id, epoch))
    if record is None:
        raise NotFoundError(NO_SUCH_COMMITMENT)
    return record
