"""Pure-ASGI middleware: the request-size limit (413) and the structured access log."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logs import get_logger


class BodySizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413, by header or while streaming."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _send_413(send, self.max_bytes)
            return
        received = 0
        refused = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Answer 413 now; the app sees a disconnected client and its reply is dropped.
                    refused = True
                    await _send_413(send, self.max_bytes)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not refused:
                raise


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_413(send: Send, max_bytes: int) -> None:
    body = json.dumps({"detail": f"request body exceeds {max_bytes} bytes"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """Log method, path, status, duration and the caller's key id (never the key) per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            _log_request(scope, status["code"], time.perf_counter() - start)


def _log_request(scope: Scope, status: int, seconds: float) -> None:
    logger = get_logger()
    if not logger.isEnabledFor(logging.INFO):
        return
    state: dict[str, Any] = scope.get("state") or {}
    fields = {
        "method": scope.get("method"),
        "path": scope.get("path"),
        "status": status,
        "ms": round(seconds * 1000, 2),
        "key_id": state.get("key_id"),
    }
    # makeRecord + handle is what Logger.info does, minus the stack walk that finds the
    # caller's file and line: they would always name this function.
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 0, "request", (), None)
    record.__dict__.update(fields)
    logger.handle(record)
