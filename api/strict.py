"""Strict request input: exact JSON types, no unknown fields, no control characters, JSON only.

Every request body model derives from :class:`StrictRequest`, which

- validates in pydantic's strict mode, so an integer field takes a JSON integer only
  (``"1"``, ``1.0`` and ``true`` are refused, where lax mode would read each as 1);
- forbids fields the model does not declare (a misspelt field is an error, not a no-op);
- refuses any string, anywhere in the body (nested objects and object keys included), that
  holds a control character (Unicode category Cc: NUL, newline, tab, DEL, C1) or a lone
  surrogate (Cs). PostgreSQL cannot store NUL in text and cannot encode a surrogate, so
  either would fail at INSERT time on one database and not the other; refusing them at the
  boundary gives both the same 422.

:class:`JsonOnly` is the ASGI middleware answering 415 to a request body that is not
declared ``application/json``, before FastAPI tries (and fails) to read it as JSON.
:class:`KnownQueryOnly` answers 422 to a query parameter the route does not declare
(the query string's counterpart of refusing unknown body fields).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, ClassVar
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, model_validator
from starlette.types import ASGIApp, Receive, Scope, Send

# Categories refused in every text field: Cc (C0/C1 controls incl. NUL, DEL) and Cs
# (lone surrogates, which JSON's \uD800 escapes can produce and UTF-8 cannot encode).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})
_ASCII_CONTROLS = frozenset(chr(c) for c in (*range(0x20), 0x7F))


def bad_character(text: str) -> str | None:
    """Return the first control character or lone surrogate in ``text``, or None."""
    if text.isascii():
        # Fast path: ASCII text can only hold C0 controls and DEL.
        return next((ch for ch in text if ch in _ASCII_CONTROLS), None)
    return next((ch for ch in text if unicodedata.category(ch) in _REFUSED_CATEGORIES), None)


def _check_strings(value: Any, where: str, multiline: frozenset[str] = frozenset()) -> None:
    if isinstance(value, str):
        # A declared multi-line field (a PEM block) may hold line feeds, nothing else.
        text = value.replace("\n", "") if where in multiline else value
        found = bad_character(text)
        if found is not None:
            raise ValueError(f"{where or 'value'} holds control character U+{ord(found):04X}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, f"{where}.<key>" if where else "<key>")
            _check_strings(item, f"{where}.{key}" if where else str(key), multiline)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_strings(item, f"{where}[{index}]")


class StrictRequest(BaseModel):
    """Base of request bodies: strict JSON types, unknown fields refused, no control characters.

    ``multiline_fields`` names top-level fields whose format has lines (a PEM public key):
    those may hold line feeds (U+000A) and no other control character; the route must parse
    such a field fully and store its canonical form.
    """

    model_config = ConfigDict(strict=True, extra="forbid")
    multiline_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        _check_strings(data, "", cls.multiline_fields)
        return data


JSON_MEDIA_TYPES = ("application/json",)


def is_json_media_type(content_type: str) -> bool:
    """Return whether a Content-Type header value names JSON (``application/json``, ``…+json``)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in JSON_MEDIA_TYPES:
        return True
    return media.startswith("application/") and media.endswith("+json")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _has_body(scope: Scope) -> bool:
    length = _header(scope, b"content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return _header(scope, b"transfer-encoding") is not None


class JsonOnly:
    """Answer 415 to a POST/PUT/PATCH whose body is not declared ``application/json``.

    A request without a body is let through (routes without a body model, such as key
    revocation, take none; routes with one answer 422 for the missing body).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in ("POST", "PUT", "PATCH"):
            content_type = _header(scope, b"content-type")
            declared_json = content_type is not None and is_json_media_type(content_type)
            if not declared_json and (content_type is not None or _has_body(scope)):
                await _send_415(send, content_type)
                return
        await self.app(scope, receive, send)


async def _send_415(send: Send, content_type: str | None) -> None:
    shown = (content_type or "none")[:100]
    body = json.dumps(
        {"detail": f"request body must be application/json (Content-Type: {shown!r})"}
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 415, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _query_table(openapi: dict[str, Any]) -> list[tuple[str, re.Pattern[str], frozenset[str]]]:
    table = []
    for path, item in openapi.get("paths", {}).items():
        pattern = re.compile("^" + re.sub(r"\\{[^/}]+\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in item.items():
            names = frozenset(
                p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"
            )
            table.append((method.upper(), pattern, names))
    return table


class KnownQueryOnly:
    """Answer 422 to a query parameter that the matched route does not declare.

    The routes and their parameters are read from the app's own OpenAPI document on the
    first request; a path no route matches is left to the router (404).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._table: list[tuple[str, re.Pattern[str], frozenset[str]]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            unknown = self._unknown(scope)
            if unknown:
                await _send_unknown_query(send, unknown)
                return
        await self.app(scope, receive, send)

    def _unknown(self, scope: Scope) -> list[str]:
        if self._table is None:
            self._table = _query_table(scope["app"].openapi())
        path, method = scope.get("path", ""), scope.get("method", "")
        query = scope["query_string"].decode("latin-1")
        names = {name for name, _ in parse_qsl(query, keep_blank_values=True)}
        for route_method, pattern, known in self._table:
            if route_method == method and pattern.match(path):
                return sorted(names - known)
        return []


async def _send_unknown_query(send: Send, unknown: list[str]) -> None:
    errors = [
        {"loc": f"query.{name[:50]}", "msg": "unknown query parameter", "type": "extra_forbidden"}
        for name in unknown[:10]
    ]
    summary = "; ".join(f"{e['loc']}: {e['msg']}" for e in errors)
    body = json.dumps({"detail": summary, "errors": errors}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": body})
