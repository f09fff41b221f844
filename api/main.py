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
from api.db import make_engine, make_session_factory, upgrade_database
from api.errors import install_error_handlers
from api.logs import configure_logging
from api.middleware import AccessLog, BodySizeLimit
from api.ratelimit import RateLimiter
from api.routes import ROUTERS
from api.services.proofs import Policy
from api.settings import Settings
from api.state import ServiceState
from api.writer import GroupCommitter

API_VERSION = "1.0.0"


def build_state(settings: Settings) -> ServiceState:
    """Open the database (migrating it when configured) and build the shared state."""
    engine = make_engine(settings.database_url)
    if settings.migrate_on_startup:
        upgrade_database(engine)
    sessions = make_session_factory(engine)
    return ServiceState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        writer=GroupCommitter(sessions),
        backend=get_backend(settings.verifier_backend),
        limiter=RateLimiter(rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst),
        policy=Policy(
            allowed_kinds=frozenset(settings.allowed_kinds),
            min_buffer_ppm=settings.min_buffer_ppm,
            allow_unsafe_keys=settings.allow_unsafe_keys,
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
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=chosen.max_request_bytes)
    app.add_middleware(AccessLog)
    return app
