"""``POST /v1/verify``: stateless verification against a registered circuit, for any role."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentKey, SessionDep, StateDep
from api.schemas import VerifyRequest, VerifyResult
from api.services.errors import NotFoundError, StatementError
from api.services.provenance import verdict_of
from api.services.verification import parse_statement, verify_statement

router = APIRouter(prefix="/v1", tags=["verify"])


@router.post("/verify")
def verify_proof(
    body: VerifyRequest, _: CurrentKey, session: SessionDep, state: StateDep
) -> VerifyResult:
    """Verify one proof, storing nothing: malformed input is 422, a bad proof ``valid: false``."""
    try:
        loaded = state.circuits.get(session=session, circuit_id=body.circuit_id)
    except NotFoundError as error:
        raise StatementError(str(error)) from error
    proof, public = parse_statement(body.proof.model_dump(), body.public_inputs)
    valid = verify_statement(vk=loaded.vk, proof=proof, public_inputs=public, backend=state.backend)
    verdict = verdict_of(body.circuit_id, loaded.vk.fingerprint(), loaded.record.provenance)
    return VerifyResult(valid=valid, verdict=verdict)
