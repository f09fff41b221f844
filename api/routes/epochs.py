"""``/v1/epochs/{epoch}``: the auditor's JSON-lines export and the epoch report."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from api.deps import AuditorKey, ClearingOrAuditorKey, SessionDep, StateDep
from api.routes.params import EpochPath
from api.schemas import EpochReport, ProofExport
from api.services.status import epoch_commitments, epoch_report, iter_epoch_proofs
from api.state import ServiceState

router = APIRouter(prefix="/v1/epochs", tags=["epochs"])
JSON_LINES = "application/x-ndjson"


def _export_lines(state: ServiceState, epoch: int) -> Iterator[bytes]:
    # The request's session is closed once the handler returns, so the stream has its own.
    with state.sessions() as session:
        registered = epoch_commitments(session=session, epoch=epoch)
        for record in iter_epoch_proofs(session=session, epoch=epoch):
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
