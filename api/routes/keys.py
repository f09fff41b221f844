"""``POST /v1/keys/{key_id}/revoke``: an admin revokes a leaked or retired API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from api.deps import AdminKey, StateDep
from api.models import ApiKey
from api.schemas import KeyRevoked
from api.services.revocation import revoke_key

router = APIRouter(prefix="/v1/keys", tags=["keys"])
KeyIdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$", description="The key's public id.")]


@router.post("/{key_id}/revoke")
def revoke(key_id: KeyIdPath, principal: AdminKey, state: StateDep) -> KeyRevoked:
    """Revoke a key (idempotent): every worker refuses it within ``key_cache_seconds``."""

    def job(session: Session) -> ApiKey:
        record, _ = revoke_key(
            session=session, key_id=key_id, revoked_by=principal.key_id, role=principal.role.value
        )
        return record

    record = state.writer.run(job)
    state.keys.evict(key_id)
    assert record.revoked_at is not None
    return KeyRevoked(
        key_id=record.key_id,
        role=record.role,
        revoked_at=record.revoked_at,
        revoked_by=record.revoked_by or "",
        refused_everywhere_within_seconds=state.settings.key_cache_seconds,
    )
