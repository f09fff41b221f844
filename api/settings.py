"""The service's configuration: one ``Settings`` object read from ``ZKM_*`` variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the verifier service; each field is also ``ZKM_<FIELD>`` in the environment.

    Attributes:
        database_url: SQLAlchemy URL; SQLite (WAL, synchronous=FULL) by default,
            ``postgresql+psycopg://…`` in production.
        max_request_bytes: request bodies larger than this are refused with 413.
        rate_limit_per_second: tokens added per second to each API key's bucket.
        rate_limit_burst: bucket capacity (requests a key may send at once).
        min_buffer_ppm: smallest ``buffer_ppm`` public input a proof may carry.
        allowed_kinds: accepted ``requirement_kind`` values (0 maintenance, 1 initial).
        verifier_backend: algebra backend name for verification (None: ``get_backend`` default).
        max_batch_items: most proofs one batch-verify request may carry.
        migrate_on_startup: run Alembic migrations to head when the app is built.
        key_cache_seconds: how long a worker trusts an authenticated key without re-reading
            it; a revoked key is refused by every worker within this bound.
        auth_failures_per_minute: failed authentications a client address may make per
            minute (summed over workers); past that its unauthenticated requests get 429
            without a database read.
        rate_sync_seconds: how often each worker adds its counts to the shared rate-limit
            table and reads the other workers' (see :mod:`api.shared_limits`).
        max_invalid_per_account_epoch: invalid proof records kept per (account, epoch); once
            reached, further submissions for it are refused with 429 before any pairing.
    """

    model_config = SettingsConfigDict(env_prefix="ZKM_", extra="ignore")

    database_url: str = "sqlite:///./zkmargin.db"
    max_request_bytes: int = Field(default=1_000_000, ge=1024)
    rate_limit_per_second: float = Field(default=500.0, gt=0)
    rate_limit_burst: int = Field(default=1000, ge=1)
    min_buffer_ppm: int = Field(default=1_000_000, ge=1_000_000)
    allowed_kinds: list[int] = Field(default_factory=lambda: [0, 1])
    verifier_backend: str | None = None
    max_batch_items: int = Field(default=1024, ge=1)
    migrate_on_startup: bool = True
    max_invalid_per_account_epoch: int = Field(default=32, ge=1)
    auth_failures_per_minute: int = Field(default=30, ge=1)
    rate_sync_seconds: float = Field(default=0.1, gt=0, le=10)
    key_cache_seconds: float = Field(default=5.0, ge=0, le=300)
