"""The per-app state every request shares: settings, database, caches, limiter, backend, policy."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from algebra.backend import Backend
from api.auth import KeyCache
from api.ratelimit import RateLimiter
from api.services.proofs import Policy, RegisteredCache
from api.services.verification import CircuitCache
from api.settings import Settings
from api.shared_limits import SharedLimiter
from api.writer import GroupCommitter


@dataclass
class ServiceState:
    """Everything built once per app by :func:`api.main.create_app`."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    backend: Backend
    limiter: RateLimiter
    policy: Policy
    writer: GroupCommitter
    shared_limits: SharedLimiter
    circuits: CircuitCache = field(default_factory=CircuitCache)
    keys: KeyCache = field(default_factory=KeyCache)
    registered: RegisteredCache = field(default_factory=RegisteredCache)
    clock: Callable[[], float] = time.time
    """"Now" for the freshness of signed snapshots (tests and replays fix it)."""
