"""SQLAlchemy 2 ORM models: the service's durable state.

Every table except ``audit_log`` is insert-only by construction, with these exceptions: a
circuit may be retired (``retired_at`` set), a commitment or snapshot may be voided before any
proof uses it (its row moves to ``voided_registrations``), a key's row changes once, when it
is revoked, and ``rate_windows`` holds counters, not records. ``audit_log`` is additionally
protected by triggers that abort any UPDATE or DELETE (see the initial migration). Proofs are
identified by their statement — (account, epoch, circuit, public inputs) — never by proof
bytes, because Groth16 proofs are malleable.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

ROW_ID = BigInteger().with_variant(Integer(), "sqlite")
DECIMAL_LEN = 80


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return ``value`` as an aware UTC datetime."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_now() -> datetime:
    """Return the current time in UTC (timezone-aware)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base holding the metadata Alembic migrations are compared against."""


class ApiKey(Base):
    """An API key: the public ``key_id``, the SHA-256 of the full key, its role and scope."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    accounts: Mapped[str] = mapped_column(Text, nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    venue_id: Mapped[str | None] = mapped_column(String(64))
    """The venue a venue key acts for (None for other roles)."""
    markets: Mapped[str | None] = mapped_column(Text)
    """JSON list of the markets an oracle key serves (None for other roles)."""
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Account(Base):
    """An account and the venue it belongs to; only that venue's keys act for it."""

    __tablename__ = "accounts"

    account_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    venue_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    created_by: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)


class Epoch(Base):
    """An epoch opened by the admin for one market: snapshots and commitments need one."""

    __tablename__ = "epochs"

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    market: Mapped[str] = mapped_column(String(64), nullable=False)
    opened_by: Mapped[str] = mapped_column(String(32), nullable=False)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)


class Circuit(Base):
    """A registered circuit: its snarkjs verifying key, whether it proves margin statements
    and, for a margin circuit, the shape of the snapshots it proves against.

    ``provenance`` is a :class:`verifier.provenance.KeyProvenance` value and
    ``provenance_record`` the JSON evidence for it (who verified or attested what);
    a retired circuit takes no new proofs, and its old records keep their verdicts.
    """

    __tablename__ = "circuits"

    circuit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    verifying_key: Mapped[str] = mapped_column(Text, nullable=False)
    n_public: Mapped[int] = mapped_column(Integer, nullable=False)
    margin: Mapped[bool] = mapped_column(Boolean, nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    provenance: Mapped[str] = mapped_column(
        String(32), nullable=False, server_default=text("'dev'")
    )
    provenance_record: Mapped[str] = mapped_column(
        Text, nullable=False, server_default=text("'{}'")
    )
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    retired_by: Mapped[str | None] = mapped_column(String(32))
    margin_shape: Mapped[str | None] = mapped_column(Text)
    """The five slot counts (canonical JSON) the margin circuit was set up with; None when
    not recorded (circuits registered before shapes were, or keys from other tools)."""


class CircuitPolicy(Base):
    """An admin's declaration: circuit (and key fingerprint) that counts for margin statements
    from ``from_epoch`` to ``to_epoch`` (None: onward). The latest declaration covering an
    epoch wins."""

    __tablename__ = "circuit_policy"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    circuit_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("circuits.circuit_id"), nullable=False
    )
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    from_epoch: Mapped[int] = mapped_column(BigInteger, nullable=False)
    to_epoch: Mapped[int | None] = mapped_column(BigInteger)
    declared_by: Mapped[str] = mapped_column(String(32), nullable=False)
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)


class Snapshot(Base):
    """The market snapshot of an epoch (canonical JSON) and its Poseidon snapshot hash."""

    __tablename__ = "snapshots"

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    snapshot: Mapped[str] = mapped_column(Text, nullable=False)
    snapshot_hash: Mapped[str] = mapped_column(String(DECIMAL_LEN), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    posted_by: Mapped[str | None] = mapped_column(String(32))
    signer_key_id: Mapped[str | None] = mapped_column(String(32))
    """The registered Ed25519 key that signed it (None: posted unsigned)."""
    signed_metadata: Mapped[str | None] = mapped_column(Text)
    """The oracle's signed metadata (canonical JSON, signature included)."""
    market_inputs: Mapped[str | None] = mapped_column(Text)
    """The canonical market inputs the snapshot was built from."""
    policy: Mapped[str | None] = mapped_column(Text)
    """The canonical risk-desk policy it was built under."""


class OracleSigningKey(Base):
    """An oracle's Ed25519 public key, registered by the admin for one oracle API key.

    ``signer_key_id`` is the risk desk's key id (first 16 bytes of SHA-256 of the raw
    public key, hex); snapshots signed by it are accepted only from ``api_key_id``, and
    none once ``revoked_at`` is set (the row is kept: snapshots it signed before still name
    it, and a revoked key can never be registered again).
    """

    __tablename__ = "oracle_signing_keys"

    signer_key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    public_key: Mapped[str] = mapped_column(Text, nullable=False)
    api_key_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("api_keys.key_id"), nullable=False, index=True
    )
    registered_by: Mapped[str] = mapped_column(String(32), nullable=False)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Commitment(Base):
    """The state commitment ``C`` a venue registered for (account, epoch).

    A value ``C`` is registered for at most one account per epoch: the same ``C`` for two
    accounts would let one proof speak for both.
    """

    __tablename__ = "commitments"
    __table_args__ = (Index("uq_commitments_epoch_commitment", "epoch", "commitment", unique=True),)

    account_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    commitment: Mapped[str] = mapped_column(String(DECIMAL_LEN), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    posted_by: Mapped[str | None] = mapped_column(String(32))


class VoidedRegistration(Base):
    """A commitment or snapshot voided by its poster (or the admin) before any proof used it.

    The voided row is moved here, whole, so the record of what was posted stays.
    """

    __tablename__ = "voided_registrations"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    epoch: Mapped[int] = mapped_column(BigInteger, nullable=False)
    account_id: Mapped[str | None] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(String(DECIMAL_LEN), nullable=False)
    content: Mapped[str | None] = mapped_column(Text)
    posted_by: Mapped[str | None] = mapped_column(String(32))
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    voided_by: Mapped[str] = mapped_column(String(32), nullable=False)
    voided_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    reason: Mapped[str] = mapped_column(String(500), nullable=False)


class ProofRecord(Base):
    """One verified submission and its verdict.

    ``accepted_digest`` equals ``statement_digest`` for valid proofs and is NULL for
    invalid ones, so its unique constraint admits one accepted proof per statement;
    ``rejected_digest`` does the same for invalid ones (one invalid record per statement),
    and ``invalid_slot`` numbers the invalid records of an (account, epoch), unique, so
    their cap holds across workers.
    """

    __tablename__ = "proofs"
    __table_args__ = (
        Index("ix_proofs_epoch_account", "epoch", "account_id"),
        Index("ux_proofs_invalid_slot", "account_id", "epoch", "invalid_slot", unique=True),
        Index("ux_proofs_rejected_digest", "rejected_digest", unique=True),
    )

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(128), nullable=False)
    epoch: Mapped[int] = mapped_column(BigInteger, nullable=False)
    circuit_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("circuits.circuit_id"), nullable=False
    )
    public_inputs: Mapped[str] = mapped_column(Text, nullable=False)
    proof: Mapped[str] = mapped_column(Text, nullable=False)
    statement_digest: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    accepted_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    valid: Mapped[bool] = mapped_column(Boolean, nullable=False)
    requirement_kind: Mapped[int] = mapped_column(Integer, nullable=False)
    buffer_ppm: Mapped[int] = mapped_column(BigInteger, nullable=False)
    submitted_by: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    rejected_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    invalid_slot: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AuditEntry(Base):
    """An append-only record of one write: who, what, on which resource, with which facts."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    key_id: Mapped[str] = mapped_column(String(32), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    target: Mapped[str] = mapped_column(String(256), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False)


class RateWindow(Base):
    """Requests counted against one limiter bucket in one time window, shared by all workers."""

    __tablename__ = "rate_windows"

    bucket: Mapped[str] = mapped_column(String(80), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hits: Mapped[int] = mapped_column(BigInteger, nullable=False)
    expires_at: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (Index("ix_rate_windows_expires_at", "expires_at"),)


class RegistryFreeze(Base):
    """A venue's cut-off for its commitment registry at an epoch (issue #18).

    Once the venue has frozen (venue, epoch), no commitment of its accounts is registered or
    voided at that epoch, so the list a solvency bundle must cover can no longer change.
    ``n_commitments`` and ``list_sha256`` (SHA-256 of the canonical list, one decimal per
    line) record what the registry held at the cut-off.
    """

    __tablename__ = "registry_freezes"

    venue_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    frozen_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
    frozen_by: Mapped[str] = mapped_column(String(32), nullable=False)
    n_commitments: Mapped[int] = mapped_column(BigInteger, nullable=False)
    list_sha256: Mapped[str] = mapped_column(String(64), nullable=False)


class SolvencyRecord(Base):
    """A venue's solvency bundle of an epoch, verified on arrival; immutable once stored.

    ``statement`` and ``chunks`` are the bundle's canonical JSON; ``verdict`` is SOLVENT or
    INSOLVENT (an invalid bundle is refused, never stored) for the venue's posted
    ``reserves`` and ``insurance``; the circuit, its key's fingerprint and provenance say
    what the verdict rests on.
    """

    __tablename__ = "solvency_bundles"

    venue_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    circuit_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("circuits.circuit_id"), nullable=False
    )
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    statement: Mapped[str] = mapped_column(Text, nullable=False)
    chunks: Mapped[str] = mapped_column(Text, nullable=False)
    list_root: Mapped[str] = mapped_column(String(DECIMAL_LEN), nullable=False)
    totals: Mapped[str] = mapped_column(Text, nullable=False)
    reserves: Mapped[str] = mapped_column(String(DECIMAL_LEN), nullable=False)
    insurance: Mapped[str] = mapped_column(String(DECIMAL_LEN), nullable=False)
    verdict: Mapped[str] = mapped_column(String(16), nullable=False)
    posted_by: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)


class SolvencyCircuitPolicy(Base):
    """An admin's declaration: circuit (and key fingerprint) that counts for venues' solvency
    bundles from ``from_epoch`` to ``to_epoch`` (None: onward). The latest declaration
    covering an epoch wins; a bundle under any other circuit is refused."""

    __tablename__ = "solvency_circuit_policy"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    circuit_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("circuits.circuit_id"), nullable=False
    )
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    from_epoch: Mapped[int] = mapped_column(BigInteger, nullable=False)
    to_epoch: Mapped[int | None] = mapped_column(BigInteger)
    declared_by: Mapped[str] = mapped_column(String(32), nullable=False)
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime(), nullable=False)
