"""The error answers every route can give, as the OpenAPI document states them.

Every error body is JSON with a string ``detail``; a 422 adds ``errors``, the list of
field-level problems (empty when the refusal is about registered state, not the request's
shape). :func:`document_errors` adds these to each operation of the generated document,
by what it takes: authentication (401, 403, 429), a path or a body (404), a POST (413, 415), a body
(409), and any parameter or body (422). FastAPI's own default 422 entry, an array
``detail`` that the service never sends, is thereby replaced.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel


class ErrorBody(BaseModel):
    """Any refused request: one readable line."""

    detail: str


class FieldError(BaseModel):
    """One field-level problem: where (``body.epoch``), what, and pydantic's error type."""

    loc: str
    msg: str
    type: str


class ValidationErrorBody(BaseModel):
    """A 422: a one-line summary and the field-level problems (empty for a refused statement)."""

    detail: str
    errors: list[FieldError]


_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}}
_AUTHENTICATE = {"WWW-Authenticate": {"description": "`Bearer`.", "schema": {"type": "string"}}}
_DESCRIPTIONS = {
    401: "Missing or invalid API key.",
    403: "The key's role or scope does not allow this.",
    404: "No such resource (or none the key may see).",
    409: "Conflicts with an immutable registered resource.",
    413: "Request body over the configured limit.",
    415: "Request body is not `application/json`.",
    422: "Invalid request, or a statement the registered state or policy refuses.",
    429: "Rate limit, failed-authentication budget or invalid-proof cap reached.",
}
_HEADERS = {401: _AUTHENTICATE, 429: _RETRY_AFTER}
_REF = "#/components/schemas/{model}"


def statuses_of(method: str, operation: dict[str, Any]) -> list[int]:
    """Return the error statuses of an OpenAPI ``operation`` (by what it takes)."""
    statuses: set[int] = set()
    parameters = operation.get("parameters", [])
    if operation.get("security"):
        statuses |= {401, 403, 429}
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if method in ("post", "put", "patch"):
        statuses |= {413, 415}
    if "requestBody" in operation:
        # A body names resources too (an account of the key's venue, a circuit): 404.
        statuses |= {404, 409}
    if parameters or "requestBody" in operation:
        statuses.add(422)
    return sorted(statuses)


def _response(status: int) -> dict[str, Any]:
    model = ValidationErrorBody if status == 422 else ErrorBody
    answer: dict[str, Any] = {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": _REF.format(model=model.__name__)}}},
    }
    if status in _HEADERS:
        answer["headers"] = _HEADERS[status]
    return answer


def with_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Return the OpenAPI ``schema`` with every operation's error answers stated."""
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            if "201" in responses and "200" not in responses:
                # Registering what is already registered (or a replayed statement) is a 200.
                responses["200"] = {**responses["201"], "description": "Already recorded."}
            for status in statuses_of(method, operation):
                responses[str(status)] = _response(status)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorBody, ValidationErrorBody):
        definition = model.model_json_schema(ref_template=_REF)
        for name, nested in definition.pop("$defs", {}).items():
            components[name] = nested
        components[model.__name__] = definition
    # FastAPI's default 422 models describe a body the service never sends.
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def document_errors(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document state the error answers of every route."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_error_responses(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
