"""The FastAPI application factory of the zkmargin verifier service.

``create_app(settings)`` migrates the database to head, chooses the verification
backend, and mounts the routes of :mod:`api.routes` behind the size-limit and
access-log middleware. ``zkm serve`` runs it under uvicorn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from algebra.backend import get_backend
from api.auth import KeyCache
from api.db import make_session_factory, open_database
from api.errors import install_error_handlers
from api.logs import configure_logging
from api.middleware import AccessLog, BodySizeLimit
from api.openapi_errors import document_errors
from api.ratelimit import RateLimiter
from api.refusal_audit import RefusalAudit
from api.routes import ROUTERS
from api.services.proofs import Policy
from api.settings import Settings
from api.shared_limits import SharedLimiter
from api.state import ServiceState
from api.strict import JsonOnly, KnownQueryOnly
from api.writer import GroupCommitter

API_VERSION = "1.0.0"


def build_state(settings: Settings) -> ServiceState:
    """Open the database (migrating it when configured) and build the shared state."""
    engine = open_database(settings.database_url, migrate=settings.migrate_on_startup)
    sessions = make_session_factory(engine)
    return ServiceState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        writer=GroupCommitter(sessions),
        keys=KeyCache(ttl=settings.key_cache_seconds),
        backend=get_backend(settings.verifier_backend),
        shared_limits=SharedLimiter(engine, sync_seconds=settings.rate_sync_seconds),
        limiter=RateLimiter(rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst),
        policy=Policy(
            allowed_kinds=frozenset(settings.allowed_kinds),
            min_buffer_ppm=settings.min_buffer_ppm,
            allow_unsafe_keys=settings.allow_unsafe_keys,
            max_invalid=settings.max_invalid_per_account_epoch,
        ),
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """Return the service app for ``settings`` (default: from ``ZKM_*`` environment variables)."""
    chosen = settings if settings is not None else Settings()
    configure_logging()
    state = build_state(chosen)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        state.shared_limits.close()
        state.writer.close()
        state.engine.dispose()

    app = FastAPI(
        title="zkmargin verifier service",
        version=API_VERSION,
        description="Margin-compliance proofs: snapshots, commitments, proofs, status and audit.",
        lifespan=lifespan,
    )
    app.state.zkm = state
    for router in ROUTERS:
        app.include_router(router)
    document_errors(app)
    install_error_handlers(app)
    app.add_middleware(KnownQueryOnly)
    app.add_middleware(JsonOnly)
    app.add_middleware(RefusalAudit)
    app.add_middleware(BodySizeLimit, max_bytes=chosen.max_request_bytes)
    app.add_middleware(AccessLog)
    return app
