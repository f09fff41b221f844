"""Exception handlers: every failure a client can cause becomes a 4xx JSON ``{"detail": …}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from algebra.errors import ZkError
from api.logs import get_logger
from api.services.errors import ServiceError


def _location(loc: Any) -> str:
    return ".".join(str(part) for part in loc) if isinstance(loc, list | tuple) else str(loc)


def readable_errors(errors: Any) -> tuple[str, list[dict[str, str]]]:
    """Return a one-line summary and a JSON-safe list of pydantic validation errors."""
    items = [
        {
            "loc": _location(e.get("loc", ())),
            "msg": str(e.get("msg", "invalid")),
            "type": str(e.get("type", "")),
        }
        for e in errors
    ]
    summary = "; ".join(f"{item['loc']}: {item['msg']}" for item in items[:10])
    if len(items) > 10:
        summary += f"; and {len(items) - 10} more"
    return summary or "invalid request", items


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    summary, items = readable_errors(error.errors())
    return JSONResponse(status_code=422, content={"detail": summary, "errors": items})


async def _zk_error(_: Request, error: Exception) -> JSONResponse:
    status = error.status_code if isinstance(error, ServiceError) else 422
    content: dict[str, Any] = {"detail": str(error) or type(error).__name__}
    if status == 422:
        content["errors"] = []  # every 422 has one shape; this refusal names no single field
    if isinstance(error, ServiceError):  # e.g. the declared circuit a bundle missed
        content.update(error.body_extra())
    findings = getattr(error, "findings", None)
    if isinstance(findings, list):  # a refused solvency bundle lists every finding
        content["findings"] = [str(f) for f in findings]
    return JSONResponse(status_code=status, content=content)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    get_logger().error(
        "unhandled error",
        exc_info=error,
        extra={"path": request.url.path, "method": request.method},
    )
    return JSONResponse(status_code=500, content={"detail": "internal error"})


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers for validation errors, ZkErrors and anything unexpected."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ZkError, _zk_error)
    app.add_exception_handler(Exception, _unexpected)
