"""``/v1/commitments``: venues register each account's state commitment ``C`` per epoch."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CommitmentReaderKey, SessionDep, StateDep, VenueKey, VenueOrAdminKey
from api.routes.params import AccountPath, EpochPath
from api.schemas import CommitmentCreate, CommitmentPublic, VoidedPublic, VoidRequest
from api.services import commitments as service
from api.services.voiding import void_commitment

router = APIRouter(prefix="/v1/commitments", tags=["commitments"])


@router.post("", status_code=status.HTTP_201_CREATED)
def register_commitment(
    body: CommitmentCreate, principal: VenueKey, state: StateDep, response: Response
) -> CommitmentPublic:
    """Register ``C`` for (account, epoch) (200 if the same ``C`` is already registered)."""
    record, created = service.register_commitment(
        writer=state.writer,
        principal=principal,
        body=body,
        schedule=state.settings.epoch_schedule(),
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return CommitmentPublic.model_validate(record, from_attributes=True)


@router.get("/{account_id}/{epoch}")
def get_commitment(
    account_id: AccountPath, epoch: EpochPath, principal: CommitmentReaderKey, session: SessionDep
) -> CommitmentPublic:
    """Return the commitment of (account, epoch); traders and venues see their own accounts only."""
    record = service.get_commitment(
        session=session, principal=principal, account_id=account_id, epoch=epoch
    )
    return CommitmentPublic.model_validate(record, from_attributes=True)


@router.post("/{account_id}/{epoch}/void")
def void(
    account_id: AccountPath,
    epoch: EpochPath,
    body: VoidRequest,
    principal: VenueOrAdminKey,
    state: StateDep,
) -> VoidedPublic:
    """Void a wrongly registered commitment (its poster or the admin) before any proof uses it."""
    record = void_commitment(
        writer=state.writer,
        principal=principal,
        account_id=account_id,
        epoch=epoch,
        reason=body.reason,
    )
    return VoidedPublic.model_validate(record, from_attributes=True)
