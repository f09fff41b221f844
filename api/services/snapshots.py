"""The oracle's market snapshots: stored per epoch, hashed by the service, immutable once posted."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from algebra.errors import MalformedInputError, ZkError
from api.auth import Principal
from api.models import Snapshot, utc_now
from api.schemas import SnapshotCreate
from api.services.audit import record_write
from api.services.errors import ConflictError, NotFoundError
from api.services.snapshot_budget import check_snapshot_budget
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
    if inner is not None and inner != epoch:
        raise MalformedInputError(f"the snapshot's own epoch {inner!r} differs from epoch {epoch}")


def post_snapshot(
    *, writer: GroupCommitter, principal: Principal, body: SnapshotCreate
) -> tuple[Snapshot, bool]:
    """Store the epoch's snapshot; return (record, created). Re-posting the same content is a no-op.

    Raises:
        MalformedInputError: the snapshot is invalid or names another epoch.
        ConflictError: the epoch already has a different snapshot.
    """
    _check_epoch(body.snapshot, body.epoch)
    check_snapshot_budget(body.snapshot)
    content, digest = canonical_snapshot(body.snapshot)

    def job(session: Session) -> tuple[Snapshot, bool]:
        existing = session.get(Snapshot, body.epoch)
        if existing is not None:
            if existing.snapshot_hash != str(digest) or existing.snapshot != content:
                raise ConflictError(
                    f"epoch {body.epoch} already has a different snapshot (immutable)"
                )
            return existing, False
        record = Snapshot(
            epoch=body.epoch, snapshot=content, snapshot_hash=str(digest), created_at=utc_now()
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
