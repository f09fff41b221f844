"""``/v1/venues/{venue_id}/accounts``: the admin enrols accounts to the venue they belong to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from api.auth import SCOPE_NAME_PATTERN, Role
from api.deps import AdminKey, SessionDep, StateDep, VenueOrAdminKey
from api.schemas import AccountPublic, AccountsEnroll
from api.services import tenancy as service
from api.services.errors import NotFoundError

router = APIRouter(prefix="/v1/venues", tags=["venues"])
VenuePath = Annotated[str, Path(pattern=SCOPE_NAME_PATTERN, description="Venue id.")]


@router.post("/{venue_id}/accounts", status_code=status.HTTP_201_CREATED)
def enroll_accounts(
    venue_id: VenuePath, body: AccountsEnroll, principal: AdminKey, state: StateDep
) -> list[AccountPublic]:
    """Enrol accounts to the venue (admin); already enrolled ones are kept (409 if elsewhere)."""
    records = service.enroll_accounts(
        writer=state.writer, principal=principal, venue_id=venue_id, account_ids=body.account_ids
    )
    return [AccountPublic.model_validate(r, from_attributes=True) for r in records]


@router.get("/{venue_id}/accounts")
def list_accounts(
    venue_id: VenuePath, principal: VenueOrAdminKey, session: SessionDep
) -> list[AccountPublic]:
    """List the venue's accounts (its own venue keys, or the admin)."""
    if principal.role is Role.VENUE and principal.venue_id != venue_id:
        raise NotFoundError("no such venue for this key")
    records = service.venue_accounts(session=session, venue_id=venue_id)
    return [AccountPublic.model_validate(r, from_attributes=True) for r in records]
