"""Typed service errors; each carries the HTTP status the API answers with."""

from __future__ import annotations

from typing import Any

from algebra.errors import ZkError


class ServiceError(ZkError):
    """A request the service refuses; ``status_code`` is the HTTP status to answer with."""

    status_code = 422

    def body_extra(self) -> dict[str, Any]:
        """Return the JSON fields the error answer carries beside ``detail`` (none here)."""
        return {}


class NotFoundError(ServiceError):
    """The named resource does not exist."""

    status_code = 404


class ConflictError(ServiceError):
    """The resource exists with different content and is immutable."""

    status_code = 409


class StatementError(ServiceError):
    """A proof's public inputs do not match the registered state or the policy."""

    status_code = 422


class TooManyError(ServiceError):
    """A cap on stored or attempted work is reached (invalid submissions, failed logins)."""

    status_code = 429
