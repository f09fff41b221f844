"""Key revocation: a revoked key authenticates no more, in every worker within a bound.

The key's row is stamped ``revoked_at``/``revoked_by`` (never deleted: the audit log and
proof records keep naming it) and the revocation is audit-logged in the same commit.
Workers cache authenticated keys for ``Settings.key_cache_seconds`` (see
:class:`api.auth.KeyCache`): the revoking worker evicts the key at once, every other
worker refuses it once its cached entry expires, so within that many seconds.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.models import ApiKey, utc_now
from api.services.audit import record_write
from api.services.errors import NotFoundError


def revoke_key(*, session: Session, key_id: str, revoked_by: str, role: str) -> tuple[ApiKey, bool]:
    """Revoke ``key_id``; return (record, newly revoked). Revoking twice changes nothing.

    ``revoked_by`` is the revoking admin's key id (or ``operator`` for the CLI), ``role``
    the role written to the audit log. The caller commits.

    Raises:
        NotFoundError: no key has this id.
    """
    record = session.get(ApiKey, key_id)
    if record is None:
        raise NotFoundError(f"no API key with id {key_id}")
    if record.revoked_at is not None:
        return record, False
    record.revoked_at = utc_now()
    record.revoked_by = revoked_by[:32]
    record_write(
        session=session,
        key_id=revoked_by,
        role=role,
        action="key.revoke",
        target=f"key={key_id}",
        detail={"role": record.role},
    )
    return record, True
