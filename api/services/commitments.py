"""Venues' state commitments ``C`` per (account, epoch), immutable once registered."""

from __future__ import annotations

from sqlalchemy.orm import Session

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from api.auth import Principal
from api.models import Commitment, utc_now
from api.schemas import CommitmentCreate
from api.services.audit import record_write
from api.services.errors import ConflictError, NotFoundError
from api.writer import GroupCommitter


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
    *, writer: GroupCommitter, principal: Principal, body: CommitmentCreate
) -> tuple[Commitment, bool]:
    """Store ``C`` for (account, epoch); return (record, created). The same ``C`` again is a no-op.

    Raises:
        MalformedInputError: ``C`` is not a canonical field element.
        ConflictError: a different ``C`` is already registered for (account, epoch).
    """
    value = str(field_element(body.commitment, "commitment"))

    def job(session: Session) -> tuple[Commitment, bool]:
        existing = session.get(Commitment, (body.account_id, body.epoch))
        if existing is not None:
            if existing.commitment != value:
                raise ConflictError(
                    f"account {body.account_id} already has a different commitment"
                    f" at epoch {body.epoch}"
                )
            return existing, False
        record = Commitment(
            account_id=body.account_id, epoch=body.epoch, commitment=value, created_at=utc_now()
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


def get_commitment(*, session: Session, account_id: str, epoch: int) -> Commitment:
    """Return the commitment of (account, epoch) (NotFoundError when none is registered)."""
    record = session.get(Commitment, (account_id, epoch))
    if record is None:
        raise NotFoundError(f"no commitment registered for {account_id} at epoch {epoch}")
    return record
