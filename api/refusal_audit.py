"""Refused writes in the audit log: a 401/403/409/429 answer to a write becomes an audit entry.

The access log already has every request; the audit log is what an auditor reads to see
who tried to change what. A refused write (POST/PUT/PATCH/DELETE) is recorded with the
caller's key id and role when it authenticated (``-`` and ``anonymous`` otherwise, with
the key id the request claimed, if any), the method and path, the status and the
refusal's reason. The entry is written after the answer is sent, through the service's
single writer. To keep a flood of refusals from becoming a flood of writes, each client
address gets at most ``MAX_PER_MINUTE`` entries per minute (summed over workers); the
rest are only in the access log.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import KEY_PATTERN
from api.logs import get_logger
from api.services.audit import record_write

AUDITED_STATUSES = frozenset({401, 403, 409, 429})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_PER_MINUTE = 60
_REASON_CHARS = 300


def _claimed_key_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            token = value.decode("latin-1").removeprefix("Bearer ").strip()
            match = KEY_PATTERN.fullmatch(token)
            return match.group(1) if match else None
    return None


def _reason(body: bytes) -> str:
    try:
        detail = json.loads(body).get("detail", "")
    except (ValueError, AttributeError):
        return ""
    return str(detail)[:_REASON_CHARS]


class RefusalAudit:
    """Record refused writes (401/403/409/429) in the audit log after answering them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        seen: dict[str, Any] = {"status": 0, "body": b""}

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body" and seen["status"] in AUDITED_STATUSES:
                seen["body"] = (seen["body"] + message.get("body", b""))[:4096]
            await send(message)

        await self.app(scope, receive, recording_send)
        if seen["status"] in AUDITED_STATUSES:
            await _record(scope, seen["status"], _reason(seen["body"]))


async def _record(scope: Scope, status: int, reason: str) -> None:
    app = scope.get("app")
    zkm = getattr(getattr(app, "state", None), "zkm", None)
    if zkm is None:
        return
    client = scope.get("client")
    address = client[0] if client else "unknown"
    if zkm.shared_limits.hit(f"audit-refusal:{address}", limit=MAX_PER_MINUTE, window_seconds=60.0):
        return
    state: dict[str, Any] = scope.get("state") or {}
    key_id = state.get("key_id") or "-"
    role = state.get("role") or "anonymous"
    detail: dict[str, Any] = {"status": status, "reason": reason, "client": address}
    if key_id == "-":
        detail["claimed_key_id"] = _claimed_key_id(scope)
    target = f"{scope.get('method')} {scope.get('path')}"

    def job(session: Session) -> None:
        record_write(
            session=session,
            key_id=key_id,
            role=role,
            action="write.refused",
            target=target,
            detail=detail,
        )

    try:
        await run_in_threadpool(zkm.writer.run, job)
    except Exception as error:  # the refusal was answered; losing its entry must not crash
        get_logger().warning("refusal audit failed: %s", type(error).__name__)
