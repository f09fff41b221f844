"""``POST /v1/batch-verify``: the auditor's random-linear-combination batch check."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AuditorKey, SessionDep, StateDep
from api.schemas import BatchInvalid, BatchVerifyRequest, BatchVerifyResult
from api.services.errors import NotFoundError, StatementError
from api.services.provenance import verdict_of
from api.services.verification import verify_many

router = APIRouter(prefix="/v1", tags=["verify"])


@router.post("/batch-verify")
def batch_verify(
    body: BatchVerifyRequest, _: AuditorKey, session: SessionDep, state: StateDep
) -> BatchVerifyResult:
    """Verify many proofs at once and name the invalid ones (by index and id)."""
    if len(body.items) > state.settings.max_batch_items:
        raise StatementError(f"a batch holds at most {state.settings.max_batch_items} items")
    try:
        loaded = state.circuits.get(session=session, circuit_id=body.circuit_id)
    except NotFoundError as error:
        raise StatementError(str(error)) from error
    outcome = verify_many(
        vk=loaded.vk,
        statements=[(item.proof.model_dump(), item.public_inputs) for item in body.items],
        backend=state.backend,
    )
    invalid = [
        BatchInvalid(index=i, id=body.items[i].id, reason=reason)
        for i, reason in outcome.reasons.items()
    ]
    verdict = verdict_of(body.circuit_id, loaded.vk.fingerprint(), loaded.record.provenance)
    return BatchVerifyResult(
        valid=outcome.valid, all_valid=not invalid, invalid=invalid, verdict=verdict
    )
