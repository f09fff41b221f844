"""``GET /v1/audit``: the append-only audit log, for auditors."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import AuditorKey, SessionDep
from api.schemas import AuditEntryPublic
from api.services.audit import list_entries

router = APIRouter(prefix="/v1", tags=["audit"])


@router.get("/audit")
def audit_log(
    _: AuditorKey,
    session: SessionDep,
    after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntryPublic]:
    """Return audit entries after ``after_id``, oldest first (page with the last id seen)."""
    return [
        AuditEntryPublic(
            id=e.id,
            at=e.at,
            key_id=e.key_id,
            role=e.role,
            action=e.action,
            target=e.target,
            detail=json.loads(e.detail),
        )
        for e in list_entries(session=session, after_id=after_id, limit=limit)
    ]
