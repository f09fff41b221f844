"""``/v1/circuits``: verifying keys registered by admin, readable by every role."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import AdminKey, CurrentKey, SessionDep, StateDep
from api.routes.params import CircuitPath
from api.schemas import CircuitCreate, CircuitPublic
from api.services import circuits as service

router = APIRouter(prefix="/v1/circuits", tags=["circuits"])


@router.post("", status_code=status.HTTP_201_CREATED)
def register_circuit(
    body: CircuitCreate,
    principal: AdminKey,
    session: SessionDep,
    state: StateDep,
    response: Response,
) -> CircuitPublic:
    """Register a circuit (201), or return the identical one already registered (200)."""
    record, created = service.register_circuit(
        writer=state.writer,
        principal=principal,
        body=body,
        backend=state.backend,
        allow_unsafe=state.settings.allow_unsafe_keys,
        ceremony_dir=state.settings.ceremony_dir,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return service.circuit_public(
        session=session, cache=state.circuits, circuit_id=record.circuit_id
    )


@router.get("")
def list_circuits(_: CurrentKey, session: SessionDep, state: StateDep) -> list[CircuitPublic]:
    """List every registered circuit."""
    return [
        service.circuit_public(session=session, cache=state.circuits, circuit_id=c.circuit_id)
        for c in service.list_circuits(session=session)
    ]


@router.get("/{circuit_id}")
def get_circuit(
    circuit_id: CircuitPath, _: CurrentKey, session: SessionDep, state: StateDep
) -> CircuitPublic:
    """Return one circuit with its verifying key (snarkjs JSON)."""
    return service.circuit_public(session=session, cache=state.circuits, circuit_id=circuit_id)


@router.post("/{circuit_id}/retire")
def retire_circuit(
    circuit_id: CircuitPath, principal: AdminKey, session: SessionDep, state: StateDep
) -> CircuitPublic:
    """Retire a circuit: no new proofs under it; its records keep their verdicts."""
    service.retire_circuit(writer=state.writer, principal=principal, circuit_id=circuit_id)
    return service.circuit_public(session=session, cache=state.circuits, circuit_id=circuit_id)
