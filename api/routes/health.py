"""``GET /v1/health``: liveness without authentication (used to wait for a started server)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import SessionDep
from api.schemas import HealthPublic

router = APIRouter(prefix="/v1", tags=["health"])


@router.get("/health")
def health(session: SessionDep) -> HealthPublic:
    """Answer ok once the database answers."""
    session.execute(text("SELECT 1"))
    dialect = session.get_bind().dialect.name
    return HealthPublic(status="ok", database=dialect)
