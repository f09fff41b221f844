"""The service's configuration: one ``Settings`` object read from ``ZKM_*`` variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.services.tenancy import EpochSchedule


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
        allow_unsafe_keys: accept circuits whose key is not ``ceremony-verified`` with a
            provenance record (dev or uncontributed keys, whose trapdoor someone may know);
            for demos and tests only, and every verdict under such a key says UNSAFE.
        ceremony_dir: directory holding ceremony files (``.zkey`` transcript, ``.r1cs``,
            ``.ptau``) the service verifies itself when a circuit registration names them;
            None: only admin-attested ceremony records are possible.
        epoch_seconds: if set, epochs also open by the clock: epoch ``e`` starts at
            ``epoch_origin + e * epoch_seconds`` (Unix time), and the current and the next
            epoch are open for ``epoch_market`` (None: only the admin opens epochs).
        epoch_origin: Unix time at which epoch 0 of the schedule starts.
        epoch_market: the market of the epochs the schedule opens.
        key_cache_seconds: how long a worker trusts an authenticated key without re-reading
            it; a revoked key is refused by every worker within this bound.
        auth_failures_per_minute: failed authentications a client address may make per
            minute (summed over workers); past that its unauthenticated requests get 429
            without a database read.
        rate_sync_seconds: how often each worker adds its counts to the shared rate-limit
            table and reads the other workers' (see :mod:`api.shared_limits`).
        max_invalid_per_account_epoch: invalid proof records kept per (account, epoch); once
            reached, further submissions for it are refused with 429 before any pairing.
        allow_unsigned_snapshots: accept snapshots posted without the risk desk's signed
            metadata (no signature, no market inputs, no freshness check); for demos, tests
            and migrations only. Off: every snapshot must be signed by a signing key the
            admin registered for the posting oracle key.
        snapshot_max_age_seconds: a signed snapshot whose market inputs are older than
            this (by the service's clock) is refused as stale; 0 turns the check off (the
            demo and the docs, whose shipped sample data carries a fixed date).
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
    allow_unsafe_keys: bool = False
    ceremony_dir: str | None = None
    epoch_seconds: int | None = Field(default=None, ge=1)
    epoch_origin: int = Field(default=0, ge=0)
    epoch_market: str = Field(default="default", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    allow_unsigned_snapshots: bool = False
    snapshot_max_age_seconds: int = Field(default=86_400, ge=0)

    max_invalid_per_account_epoch: int = Field(default=32, ge=1)
    auth_failures_per_minute: int = Field(default=30, ge=1)
    rate_sync_seconds: float = Field(default=0.1, gt=0, le=10)
    key_cache_seconds: float = Field(default=5.0, ge=0, le=300)

    def epoch_schedule(self) -> EpochSchedule | None:
        """Return the configured epoch schedule, or None when only the admin opens epochs."""
        if self.epoch_seconds is None:
            return None
        return EpochSchedule(self.epoch_seconds, self.epoch_origin, self.epoch_market)
