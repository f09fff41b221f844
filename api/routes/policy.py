"""``/v1/policy/margin-circuits``: which circuit counts for margin statements at each epoch."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import AdminKey, CurrentKey, SessionDep, StateDep
from api.models import CircuitPolicy
from api.schemas import CircuitPolicyCreate, CircuitPolicyPublic
from api.services import policy as service

router = APIRouter(prefix="/v1/policy", tags=["policy"])


def _public(record: CircuitPolicy) -> CircuitPolicyPublic:
    return CircuitPolicyPublic.model_validate(record, from_attributes=True)


@router.post("/margin-circuits", status_code=status.HTTP_201_CREATED)
def declare_margin_circuit(
    body: CircuitPolicyCreate, principal: AdminKey, state: StateDep
) -> CircuitPolicyPublic:
    """Declare the circuit that counts for margin statements over an epoch range (admin)."""
    record = service.declare_circuit(
        writer=state.writer,
        principal=principal,
        body=body,
        cache=state.circuits,
        allow_unsafe=state.settings.allow_unsafe_keys,
    )
    return _public(record)


@router.get("/margin-circuits")
def list_margin_circuits(_: CurrentKey, session: SessionDep) -> list[CircuitPolicyPublic]:
    """List every declaration, oldest first (the latest covering an epoch decides it)."""
    return [_public(record) for record in service.list_declarations(session=session)]
