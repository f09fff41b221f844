"""``/v1/accounts/{account_id}/status``: the clearing protocol's question."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ClearingOrAuditorKey, SessionDep
from api.routes.params import AccountPath, EpochQuery
from api.schemas import AccountStatus
from api.services.status import account_status

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])


@router.get("/{account_id}/status")
def get_status(
    account_id: AccountPath, epoch: EpochQuery, _: ClearingOrAuditorKey, session: SessionDep
) -> AccountStatus:
    """Is ``account_id`` compliant at ``epoch``? compliant / non_compliant / missing."""
    return account_status(session=session, account_id=account_id, epoch=epoch)
