"""``/v1/snapshots``: the oracle posts one immutable, signed market snapshot per epoch."""

from __future__ import annotations

import json

from fastapi import APIRouter, Response, status

from api.deps import CurrentKey, OracleKey, OracleOrAdminKey, SessionDep, StateDep
from api.routes.params import EpochPath
from api.schemas import (
    SnapshotCreate,
    SnapshotFull,
    SnapshotProvenance,
    SnapshotPublic,
    VoidedPublic,
    VoidRequest,
)
from api.services import snapshots as service
from api.services.snapshot_budget import registered_ceiling
from api.services.voiding import void_snapshot

router = APIRouter(prefix="/v1/snapshots", tags=["snapshots"])


@router.post("", status_code=status.HTTP_201_CREATED)
def post_snapshot(
    body: SnapshotCreate,
    principal: OracleKey,
    state: StateDep,
    session: SessionDep,
    response: Response,
) -> SnapshotPublic:
    """Store the epoch's snapshot and return its ``snapshot_hash`` (200 if already identical)."""
    ceiling = registered_ceiling(session)
    session.close()  # the write goes through the writer; release the connection first
    record, created = service.post_snapshot(
        writer=state.writer,
        principal=principal,
        body=body,
        schedule=state.settings.epoch_schedule(),
        signatures=service.SignaturePolicy(
            allow_unsigned=state.settings.allow_unsigned_snapshots,
            max_age_seconds=state.settings.snapshot_max_age_seconds or None,
            clock=state.clock,
        ),
        ceiling=ceiling,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return SnapshotPublic(
        epoch=record.epoch, snapshot_hash=record.snapshot_hash, created_at=record.created_at
    )


@router.get("/{epoch}")
def get_snapshot(epoch: EpochPath, _: CurrentKey, session: SessionDep) -> SnapshotFull:
    """Return the epoch's snapshot, as traders need it to prove."""
    record = service.get_snapshot(session=session, epoch=epoch)
    return SnapshotFull(
        epoch=record.epoch,
        snapshot_hash=record.snapshot_hash,
        created_at=record.created_at,
        snapshot=json.loads(record.snapshot),
    )


@router.get("/{epoch}/provenance")
def get_provenance(epoch: EpochPath, _: CurrentKey, session: SessionDep) -> SnapshotProvenance:
    """Return the snapshot's signed metadata, signer key and the market inputs and policy it
    was built from, so anyone can check the signature and run ``zkm riskdesk check``."""
    record = service.get_snapshot(session=session, epoch=epoch)
    return service.provenance_of(session=session, record=record)


@router.post("/{epoch}/void")
def void(
    epoch: EpochPath, body: VoidRequest, principal: OracleOrAdminKey, state: StateDep
) -> VoidedPublic:
    """Void a wrongly posted snapshot (its poster or the admin) before any proof uses it."""
    record = void_snapshot(
        writer=state.writer, principal=principal, epoch=epoch, reason=body.reason
    )
    return VoidedPublic.model_validate(record, from_attributes=True)
