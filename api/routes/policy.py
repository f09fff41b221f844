"""``/v1/policy/margin-circuits`` and ``/v1/policy/solvency-circuits``: which circuit counts
for margin statements, and which for venues' solvency bundles, at each epoch."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import AdminKey, CurrentKey, SessionDep, StateDep
from api.models import CircuitPolicy, SolvencyCircuitPolicy
from api.schemas import CircuitPolicyCreate, CircuitPolicyPublic
from api.services import policy as service
from api.services import solvency_policy
from api.solvency_schemas import SolvencyCircuitPolicyCreate, SolvencyCircuitPolicyPublic

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


def _solvency_public(record: SolvencyCircuitPolicy) -> SolvencyCircuitPolicyPublic:
    return SolvencyCircuitPolicyPublic.model_validate(record, from_attributes=True)


@router.post("/solvency-circuits", status_code=status.HTTP_201_CREATED)
def declare_solvency_circuit(
    body: SolvencyCircuitPolicyCreate, principal: AdminKey, state: StateDep
) -> SolvencyCircuitPolicyPublic:
    """Declare the SolvencyChunk circuit that counts for venues' solvency bundles over an
    epoch range (admin); a bundle under any other circuit is refused."""
    record = solvency_policy.declare_solvency_circuit(
        writer=state.writer,
        principal=principal,
        body=body,
        cache=state.circuits,
        allow_unsafe=state.settings.allow_unsafe_keys,
    )
    return _solvency_public(record)


@router.get("/solvency-circuits")
def list_solvency_circuits(_: CurrentKey, session: SessionDep) -> list[SolvencyCircuitPolicyPublic]:
    """List every solvency declaration, oldest first (the latest covering an epoch decides it)."""
    return [
        _solvency_public(record)
        for record in solvency_policy.list_solvency_declarations(session=session)
    ]
