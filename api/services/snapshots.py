"""The oracle's market snapshots: stored per epoch, hashed by the service, immutable once posted."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from algebra.errors import MalformedInputError, ZkError
from api.auth import Principal
from api.models import Epoch, Snapshot, utc_now
from api.schemas import SnapshotCreate
from api.services.audit import record_write
from api.services.errors import ConflictError, NotFoundError
from api.services.tenancy import (
    EpochSchedule,
    add_scheduled,
    require_market,
    require_open_epoch,
)
from api.writer import GroupCommitter


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


def post_snapshot(
    *,
    writer: GroupCommitter,
    principal: Principal,
    body: SnapshotCreate,
    schedule: EpochSchedule | None = None,
) -> tuple[Snapshot, bool]:
    """Store the epoch's snapshot; return (record, created). Re-posting the same content is a no-op.

    The epoch must be open and of a market the oracle key serves, and the snapshot newer
    than the previous epoch's of that market.

    Raises:
        MalformedInputError: the snapshot is invalid, names another epoch, or is not newer.
        EpochNotOpenError: the admin has not opened the epoch.
        ScopeError: the epoch's market is not one the key serves.
        ConflictError: the epoch already has a different snapshot.
    """
    _check_epoch(body.snapshot, body.epoch)
    content, digest = canonical_snapshot(body.snapshot)

    def job(session: Session) -> tuple[Snapshot, bool]:
        epoch, scheduled = require_open_epoch(session, body.epoch, schedule)
        require_market(principal, epoch)
        existing = session.get(Snapshot, body.epoch)
        if existing is not None:
            if existing.snapshot_hash != str(digest) or existing.snapshot != content:
                raise ConflictError(
                    f"epoch {body.epoch} already has a different snapshot"
                    " (void it first if it was wrong)"
                )
            return existing, False
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
        session.add(record)
        record_write(
            session=session,
            key_id=principal.key_id,
            role=principal.role.value,
            action="snapshot.post",
            target=f"epoch={body.epoch}",
            detail={"snapshot_hash": str(digest)},
        )
        return record, True

    return writer.run(job)


def get_snapshot(*, session: Session, epoch: int) -> Snapshot:
    """Return the epoch's snapshot (NotFoundError when none was posted)."""
    record = session.get(Snapshot, epoch)
    if record is None:
        raise NotFoundError(f"no snapshot posted for epoch {epoch}")
    return record
