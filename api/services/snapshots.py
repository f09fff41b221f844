"""The oracle's market snapshots: stored per epoch, hashed by the service, immutable once posted."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from algebra.errors import MalformedInputError, ZkError
from api.auth import Principal
from api.models import Epoch, OracleSigningKey, Snapshot, utc_now
from api.schemas import SnapshotCreate, SnapshotProvenance
from api.services.audit import record_write
from api.services.errors import ConflictError, NotFoundError
from api.services.signed_snapshots import (
    SnapshotSignatureError,
    UnsignedSnapshotError,
    canonical_text,
    check_signed_snapshot,
)
from api.services.snapshot_budget import CEILING, check_snapshot_budget
from api.services.tenancy import (
    EpochSchedule,
    add_scheduled,
    require_market,
    require_open_epoch,
)
from api.writer import GroupCommitter
from circuits.margin.sizes import MarginSize


def canonical_snapshot(raw: dict[str, Any]) -> tuple[str, int]:
    """Return the snapshot's canonical JSON and its ``snapshot_hash`` (the circuit's public input).

    Raises:
        MalformedInputError: the object is not a valid ``MarketSnapshot``.
    """
    from circuits.margin.commitment import snapshot_hash
    from circuits.margin.loading import load_snapshot

    try:
        snapshot = load_snapshot(raw)
    except ZkError:
        raise
    except (ValueError, TypeError, KeyError) as error:
        raise MalformedInputError(f"invalid market snapshot: {error}") from error
    content = json.dumps(snapshot.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return content, int(snapshot_hash(snapshot))


def _check_epoch(raw: dict[str, Any], epoch: int) -> None:
    inner = raw.get("epoch")
    if inner is None or isinstance(inner, bool) or inner != epoch:
        raise MalformedInputError(f"the snapshot's own epoch {inner!r} differs from epoch {epoch}")


def _check_not_relabelled(session: Session, epoch: Epoch, content: str) -> None:
    """Refuse a snapshot not newer than every earlier epoch's of the same market.

    An old snapshot relabelled as a new epoch keeps its old timestamp, so it is refused.
    """
    timestamp = json.loads(content)["timestamp"]
    earlier = (
        select(Snapshot.snapshot)
        .join(Epoch, Epoch.epoch == Snapshot.epoch)
        .where(Epoch.market == epoch.market, Snapshot.epoch < epoch.epoch)
        .order_by(Snapshot.epoch.desc())
        .limit(1)
    )
    previous = session.scalar(earlier)
    if previous is not None and json.loads(previous)["timestamp"] >= timestamp:
        raise MalformedInputError(
            f"the snapshot's timestamp {timestamp} is not later than the previous epoch's"
            " snapshot of this market (an old snapshot cannot be relabelled)"
        )


@dataclass(frozen=True)
class SignaturePolicy:
    """Whether unsigned snapshots are taken, the inputs' maximum age, and the clock."""

    allow_unsigned: bool = False
    max_age_seconds: int | None = 86_400
    clock: Callable[[], float] = time.time


def _metadata_text(body: SnapshotCreate) -> str | None:
    """Return the canonical signed metadata of the post (None if unsigned)."""
    from zkmargin.riskdesk.signing import load_metadata

    if body.signed is None:
        return None
    try:
        return canonical_text(load_metadata(body.signed.metadata))
    except ZkError as error:
        raise SnapshotSignatureError(str(error)) from None


def _check_identical(existing: Snapshot, content: str, digest: int, metadata: str | None) -> None:
    if existing.snapshot_hash != str(digest) or existing.snapshot != content:
        raise ConflictError(
            f"epoch {existing.epoch} already has a different snapshot"
            " (void it first if it was wrong)"
        )
    if metadata is not None and existing.signed_metadata != metadata:
        raise ConflictError(
            f"epoch {existing.epoch} already has this snapshot with other signed metadata"
            " (or none): a posted snapshot is immutable (void it first if it was wrong)"
        )


def post_snapshot(
    *,
    writer: GroupCommitter,
    principal: Principal,
    body: SnapshotCreate,
    schedule: EpochSchedule | None = None,
    signatures: SignaturePolicy | None = None,
    ceiling: MarginSize = CEILING,
) -> tuple[Snapshot, bool]:
    """Store the epoch's snapshot; return (record, created). Re-posting the same content
    (and the same signed metadata) is a no-op, even once its inputs are no longer fresh.

    The epoch must be open and of a market the oracle key serves, the snapshot newer than
    the previous epoch's of that market, and (unless ``signatures.allow_unsigned``) signed
    by a key registered for the posting oracle key, bound to the posted market inputs and
    policy, and fresh (see :mod:`api.services.signed_snapshots`). Its slot counts must be
    within ``ceiling`` (:mod:`api.services.snapshot_budget`), checked before hashing.

    Raises:
        MalformedInputError: the snapshot is invalid, names another epoch, or is not newer.
        UnsignedSnapshotError: no signed metadata, and the service requires it.
        SnapshotSignatureError: bad metadata or signature, or a binding that differs.
        SignerNotAllowedError: the signer is not registered for the posting key.
        StaleSnapshotError: the market inputs are too old.
        EpochNotOpenError: the admin has not opened the epoch.
        ScopeError: the epoch's market is not one the key serves.
        ConflictError: the epoch already has a different snapshot (or signed metadata).
    """
    rules = signatures if signatures is not None else SignaturePolicy()
    if body.signed is None and not rules.allow_unsigned:
        raise UnsignedSnapshotError(
            "unsigned snapshot refused: post the risk desk's signed metadata, market inputs"
            " and policy (zkm oracle post finds SNAPSHOT.sig.json; the service accepts"
            " unsigned snapshots only with ZKM_ALLOW_UNSIGNED_SNAPSHOTS)"
        )
    _check_epoch(body.snapshot, body.epoch)
    check_snapshot_budget(body.snapshot, ceiling)
    content, digest = canonical_snapshot(body.snapshot)
    metadata = _metadata_text(body)

    def job(session: Session) -> tuple[Snapshot, bool]:
        epoch, scheduled = require_open_epoch(session, body.epoch, schedule)
        require_market(principal, epoch)
        existing = session.get(Snapshot, body.epoch)
        if existing is not None:
            _check_identical(existing, content, digest, metadata)
            return existing, False
        checked = (
            None
            if body.signed is None
            else check_signed_snapshot(
                session=session,
                principal=principal,
                snapshot=body.snapshot,
                parts=body.signed,
                max_age_seconds=rules.max_age_seconds,
                clock=rules.clock,
            )
        )
        _check_not_relabelled(session, epoch, content)
        if scheduled:
            add_scheduled(session, epoch)
        record = Snapshot(
            epoch=body.epoch,
            snapshot=content,
            snapshot_hash=str(digest),
            created_at=utc_now(),
            posted_by=principal.key_id,
        )
        if checked is not None:
            record.signer_key_id = checked.signer_key_id
            record.signed_metadata = checked.metadata
            record.market_inputs = checked.market_inputs
            record.policy = checked.policy
        session.add(record)
        record_write(
            session=session,
            key_id=principal.key_id,
            role=principal.role.value,
            action="snapshot.post",
            target=f"epoch={body.epoch}",
            detail={
                "snapshot_hash": str(digest),
                "signer_key_id": None if checked is None else checked.signer_key_id,
            },
        )
        return record, True

    return writer.run(job)


def get_snapshot(*, session: Session, epoch: int) -> Snapshot:
    """Return the epoch's snapshot (NotFoundError when none was posted)."""
    record = session.get(Snapshot, epoch)
    if record is None:
        raise NotFoundError(f"no snapshot posted for epoch {epoch}")
    return record


def provenance_of(*, session: Session, record: Snapshot) -> SnapshotProvenance:
    """Return how ``record`` was made: signed metadata, signer, inputs, policy (or unsigned).

    Whatever is stored is served as stored, so an auditor notices a record whose signer is
    named but whose metadata, inputs or policy went missing.
    """
    if record.signed_metadata is None and record.signer_key_id is None:
        return SnapshotProvenance(
            epoch=record.epoch,
            snapshot_hash=record.snapshot_hash,
            signed=False,
            posted_at=record.created_at,
        )
    metadata = None if record.signed_metadata is None else json.loads(record.signed_metadata)
    signer = (
        None
        if record.signer_key_id is None
        else session.get(OracleSigningKey, record.signer_key_id)
    )
    return SnapshotProvenance(
        epoch=record.epoch,
        snapshot_hash=record.snapshot_hash,
        signed=True,
        signer_key_id=record.signer_key_id,
        signature=None if metadata is None else metadata.get("signature"),
        public_key=None if signer is None else signer.public_key,
        oracle_key_id=None if signer is None else signer.api_key_id,
        posted_at=record.created_at,
        signer_revoked_at=None if signer is None else signer.revoked_at,
        metadata=metadata,
        market_inputs=None if record.market_inputs is None else json.loads(record.market_inputs),
        policy=None if record.policy is None else json.loads(record.policy),
    )


def snapshot_signature(*, session: Session, epoch: int) -> tuple[str | None, str | None]:
    """Return the epoch snapshot's (signer key id, signature), or Nones if unsigned or none."""
    record = session.get(Snapshot, epoch)
    if record is None or record.signed_metadata is None:
        return (None if record is None else record.signer_key_id), None
    signature = json.loads(record.signed_metadata).get("signature")
    return record.signer_key_id, signature if isinstance(signature, str) else None
