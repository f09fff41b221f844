"""Issuing API keys: the stored hash plus its append-only audit-log entry, in one commit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.auth import Role, create_key
from api.services.audit import record_write


def issue_key(*, session: Session, role: Role, accounts: list[str], label: str = "") -> str:
    """Store a new key for ``role``, log the write, commit, and return the key (shown once).

    Raises:
        KeyCreationError: a trader key without accounts, or an account name that is not allowed.
    """
    key, principal = create_key(session=session, role=role, accounts=accounts, label=label)
    record_write(
        session=session,
        key_id=principal.key_id,
        role="operator",
        action="key.create",
        target=f"key={principal.key_id}",
        detail={"role": role.value, "accounts": sorted(principal.accounts)},
    )
    session.commit()
    return key
