"""Issuing API keys: the stored hash plus its append-only audit-log entry, in one commit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.auth import Role, create_key
from api.services.audit import record_write


def issue_key(
    *,
    session: Session,
    role: Role,
    accounts: list[str],
    label: str = "",
    venue: str | None = None,
    markets: list[str] | None = None,
) -> str:
    """Store a new key for ``role``, log the write, commit, and return the key (shown once).

    Raises:
        KeyCreationError: a missing or misplaced scope (see :func:`api.auth.create_key`).
    """
    key, principal = create_key(
        session=session, role=role, accounts=accounts, label=label, venue=venue, markets=markets
    )
    record_write(
        session=session,
        key_id=principal.key_id,
        role="operator",
        action="key.create",
        target=f"key={principal.key_id}",
        detail={
            "role": role.value,
            "accounts": sorted(principal.accounts),
            "venue": principal.venue_id,
            "markets": sorted(principal.markets),
        },
    )
    session.commit()
    return key
