"""``/v1/proofs``: traders submit margin proofs for their own accounts."""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from starlette.concurrency import run_in_threadpool

from api.deps import ProofReaderKey, SessionDep, StateDep, TraderKey, require_account
from api.models import ProofRecord
from api.schemas import ProofPublic, ProofSubmit, Verdict
from api.services import proofs as service
from api.services.provenance import verdict_of

router = APIRouter(prefix="/v1/proofs", tags=["proofs"])


def proof_public(record: ProofRecord, *, verdict: Verdict, replay: bool = False) -> ProofPublic:
    """Return the public view of a proof record verified under ``verdict``'s circuit."""
    return ProofPublic(
        proof_id=record.id,
        account_id=record.account_id,
        epoch=record.epoch,
        circuit_id=record.circuit_id,
        valid=record.valid,
        requirement_kind=record.requirement_kind,
        buffer_ppm=record.buffer_ppm,
        public_inputs=json.loads(record.public_inputs),
        created_at=record.created_at,
        replay=replay,
        verdict=verdict,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProofPublic)
async def submit_proof(body: ProofSubmit, principal: TraderKey, state: StateDep) -> Response:
    """Check, verify and record a proof (201); an already accepted statement answers 200."""
    # The blocking work (database, pairing, durable commit) is one call on a worker thread,
    # and the reply is serialised straight from the ProofPublic the service built: this is
    # the service's hot path, and every extra thread hop or model round trip costs CPU.
    require_account(principal, body.account_id)
    public, created = await run_in_threadpool(
        partial(
            service.submit_proof,
            sessions=state.sessions,
            writer=state.writer,
            principal=principal,
            body=body,
            cache=state.circuits,
            registered=state.registered,
            backend=state.backend,
            policy=state.policy,
        )
    )
    return Response(
        public.model_dump_json(),
        status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        media_type="application/json",
    )


@router.get("/{proof_id}")
def get_proof(
    proof_id: Annotated[int, Path(ge=1, le=2**62)],
    principal: ProofReaderKey,
    session: SessionDep,
    state: StateDep,
) -> ProofPublic:
    """Return one proof record; traders may read their own accounts' only (others: 404)."""
    record = service.get_proof(session=session, principal=principal, proof_id=proof_id)
    loaded = state.circuits.get(session=session, circuit_id=record.circuit_id)
    verdict = verdict_of(record.circuit_id, loaded.vk.fingerprint(), loaded.record.provenance)
    return proof_public(record, verdict=verdict)
