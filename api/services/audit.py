"""The append-only audit log: one row per write, in the same transaction as the write."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from api.models import AuditEntry, utc_now


def audit_row(
    *, key_id: str, role: str, action: str, target: str, detail: dict[str, Any]
) -> dict[str, Any]:
    """Return the column values of an audit entry for a write by ``key_id``, stamped now.

    ``detail`` must hold public facts only (hashes, verdicts, ids), never keys or witnesses.
    """
    return {
        "at": utc_now(),
        "key_id": key_id,
        "role": role,
        "action": action,
        "target": target[:256],
        "detail": json.dumps(detail, sort_keys=True, default=str),
    }


def record_write(
    *, session: Session, key_id: str, role: str, action: str, target: str, detail: dict[str, Any]
) -> None:
    """Add an audit entry (see :func:`audit_row`) to ``session``; it commits with the write."""
    row = audit_row(key_id=key_id, role=role, action=action, target=target, detail=detail)
    session.add(AuditEntry(**row))


def insert_write(
    *,
    connection: Connection,
    key_id: str,
    role: str,
    action: str,
    target: str,
    detail: dict[str, Any],
) -> None:
    """Insert an audit entry (see :func:`audit_row`) in ``connection``'s open transaction.

    A Core insert, for hot paths that bypass the ORM; it commits with the write.
    """
    row = audit_row(key_id=key_id, role=role, action=action, target=target, detail=detail)
    connection.execute(insert(AuditEntry), row)


def list_entries(*, session: Session, after_id: int, limit: int) -> Sequence[AuditEntry]:
    """Return up to ``limit`` audit entries with id greater than ``after_id``, oldest first."""
    query = select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id).limit(limit)
    return session.scalars(query).all()
