"""The circuit-policy lock: declarations and retirements against the stores relying on them.

See :mod:`api.services.policy` for what it serialises. PostgreSQL only: SQLite has one
writer per database file, which already orders every write.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

POLICY_LOCK_KEYS = {True: 0x7A6B_6D00_0001, False: 0x7A6B_6D00_0002}
"""The transaction-level advisory lock keys (bigint) of the margin (True) and solvency (False)
circuit policies: outside the (int, int) key space the registry's locks use."""


def lock_policy(connection: Connection | Session, *, margin: bool, exclusive: bool) -> None:
    """Take the margin (or solvency) policy lock until the transaction ends: exclusively to
    change the policy, shared to store a result that relies on it (PostgreSQL only)."""
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    if bind.dialect.name != "postgresql":
        return
    kind = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    connection.execute(text(f"SELECT {kind}(:key)"), {"key": POLICY_LOCK_KEYS[margin]})
