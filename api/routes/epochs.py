"""``/v1/epochs/{epoch}``: the auditor's JSON-lines export and the epoch report."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter, Response, status
from fastapi.responses import StreamingResponse

from api.deps import AdminKey, AuditorKey, ClearingOrAuditorKey, CurrentKey, SessionDep, StateDep
from api.models import Epoch
from api.routes.params import EpochPath
from api.schemas import EpochOpen, EpochPublic, EpochReport, ProofExport, Verdict
from api.services import tenancy
from api.services.provenance import verdict_of
from api.services.snapshots import snapshot_signature
from api.services.status import (
    epoch_commitments,
    epoch_report,
    epoch_verdict,
    iter_epoch_proofs,
)
from api.state import ServiceState

router = APIRouter(prefix="/v1/epochs", tags=["epochs"])
JSON_LINES = "application/x-ndjson"


def _export_lines(state: ServiceState, epoch: int) -> Iterator[bytes]:
    # The request's session is closed once the handler returns, so the stream has its own.
    with state.sessions() as session:
        registered = epoch_commitments(session=session, epoch=epoch)
        declared = epoch_verdict(session, epoch).circuit_id
        signer, signature = snapshot_signature(session=session, epoch=epoch)
        verdicts: dict[str, Verdict] = {}
        for record in iter_epoch_proofs(session=session, epoch=epoch):
            if record.circuit_id not in verdicts:
                loaded = state.circuits.get(session=session, circuit_id=record.circuit_id)
                verdicts[record.circuit_id] = verdict_of(
                    record.circuit_id, loaded.vk.fingerprint(), loaded.record.provenance
                )
            line = ProofExport(
                proof_id=record.id,
                account_id=record.account_id,
                epoch=record.epoch,
                circuit_id=record.circuit_id,
                valid=record.valid,
                public_inputs=json.loads(record.public_inputs),
                proof=json.loads(record.proof),
                created_at=record.created_at,
                registered_commitment=registered.get(record.account_id),
                verdict=verdicts[record.circuit_id],
                counts=record.circuit_id == declared,
                snapshot_signer_key_id=signer,
                snapshot_signature=signature,
            )
            yield line.model_dump_json().encode() + b"\n"


@router.get(
    "/{epoch}/proofs",
    response_class=StreamingResponse,
    responses={200: {"content": {JSON_LINES: {}}, "description": "One ProofExport per line."}},
)
def export_proofs(epoch: EpochPath, _: AuditorKey, state: StateDep) -> StreamingResponse:
    """Stream every proof of the epoch as JSON lines (``ProofExport``), oldest first."""
    return StreamingResponse(_export_lines(state, epoch), media_type=JSON_LINES)


@router.get("/{epoch}/report")
def report(epoch: EpochPath, _: ClearingOrAuditorKey, session: SessionDep) -> EpochReport:
    """Counts per status and the non-compliant and missing accounts of the epoch."""
    return epoch_report(session=session, epoch=epoch)


def _epoch_public(session: SessionDep, record: Epoch) -> EpochPublic:
    return EpochPublic(
        epoch=record.epoch,
        market=record.market,
        opened_by=record.opened_by,
        opened_at=record.opened_at,
        circuit=epoch_verdict(session, record.epoch),
    )


@router.post("", status_code=status.HTTP_201_CREATED)
def open_epoch(
    body: EpochOpen, principal: AdminKey, session: SessionDep, state: StateDep, response: Response
) -> EpochPublic:
    """Open an epoch for a market (admin): only then are its snapshot and commitments taken."""
    record, created = tenancy.open_epoch(
        writer=state.writer, principal=principal, epoch=body.epoch, market=body.market
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return _epoch_public(session, record)


@router.get("/{epoch}")
def get_epoch(epoch: EpochPath, _: CurrentKey, session: SessionDep) -> EpochPublic:
    """Return an opened epoch, its market and the circuit declared for it."""
    return _epoch_public(session, tenancy.get_epoch(session=session, epoch=epoch))
