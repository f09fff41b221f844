"""``/v1/epochs/{epoch}/…`` of venue-level solvency: the venue freezes its commitment
registry, anyone exports the frozen list, the venue posts its solvency bundle (verified on
arrival) and anyone reads it back — whole, or as the clearing protocol's summary."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from api.auth import SCOPE_NAME_PATTERN
from api.deps import CurrentKey, SessionDep, StateDep, VenueKey
from api.openapi_errors import ErrorBody
from api.routes.params import EpochPath
from api.services import registry, solvency
from api.solvency_schemas import (
    RegistryExport,
    RegistryFreezePublic,
    SolvencyPost,
    SolvencyPublic,
    SolvencySummary,
)

router = APIRouter(prefix="/v1/epochs", tags=["solvency"])
VenueQuery = Annotated[
    str, Query(pattern=SCOPE_NAME_PATTERN, description="The venue whose registry or bundle.")
]
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "The registry is frozen, or not frozen yet."}
}


@router.post("/{epoch}/freeze", status_code=status.HTTP_201_CREATED, responses=_CONFLICT)
def freeze(
    epoch: EpochPath, principal: VenueKey, state: StateDep, session: SessionDep, response: Response
) -> RegistryFreezePublic:
    """Freeze the key's venue's commitment registry at the epoch (the venue's cut-off): from
    now on no registration or void of its accounts' commitments at the epoch is accepted."""
    record, created = registry.freeze_registry(
        writer=state.writer,
        principal=principal,
        epoch=epoch,
        schedule=state.settings.epoch_schedule(),
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return RegistryFreezePublic.model_validate(record, from_attributes=True)


@router.get("/{epoch}/registry", responses=_CONFLICT)
def export_registry(
    epoch: EpochPath, venue: VenueQuery, _: CurrentKey, session: SessionDep
) -> RegistryExport:
    """The venue's frozen registry of the epoch, in canonical order (409 while not frozen)."""
    freeze, listed = registry.frozen_registry(session=session, venue_id=venue, epoch=epoch)
    base = RegistryFreezePublic.model_validate(freeze, from_attributes=True)
    return RegistryExport(**base.model_dump(), commitments=[str(c) for c in listed])


@router.post("/{epoch}/solvency", status_code=status.HTTP_201_CREATED, responses=_CONFLICT)
def post_solvency(
    epoch: EpochPath,
    body: SolvencyPost,
    principal: VenueKey,
    state: StateDep,
    session: SessionDep,
    response: Response,
) -> SolvencySummary:
    """Post the key's venue's solvency bundle of the epoch under the circuit the admin declared
    for it (another circuit, or none declared: 422 with ``code`` and ``declared_circuit``):
    every chunk proof, the accumulator chain, the totals and the list (= the frozen registry)
    are verified first; any finding refuses it (422 with ``findings``) and nothing is
    stored."""
    record, created = solvency.post_solvency(
        writer=state.writer,
        session=session,
        cache=state.circuits,
        principal=principal,
        epoch=epoch,
        body=body,
        allow_unsafe=state.settings.allow_unsafe_keys,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return solvency.summary_of(session, record)


@router.get("/{epoch}/solvency")
def get_solvency(
    epoch: EpochPath, venue: VenueQuery, _: CurrentKey, session: SessionDep
) -> SolvencyPublic:
    """The venue's stored solvency bundle of the epoch with its verdict and totals."""
    record = solvency.get_solvency(session=session, venue_id=venue, epoch=epoch)
    return solvency.public_of(session, record)


@router.get("/{epoch}/solvency/summary")
def solvency_summary(
    epoch: EpochPath, venue: VenueQuery, _: CurrentKey, session: SessionDep
) -> SolvencySummary:
    """The clearing protocol's question: is the venue solvent at the epoch? Verdict and totals."""
    record = solvency.get_solvency(session=session, venue_id=venue, epoch=epoch)
    return solvency.summary_of(session, record)
