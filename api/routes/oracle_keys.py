"""``/v1/oracle-keys``: the admin registers (and revokes) each oracle's Ed25519 snapshot-signing
key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from api.deps import AdminKey, CurrentKey, SessionDep, StateDep
from api.schemas import SigningKeyCreate, SigningKeyPublic
from api.services import signing_keys as service

router = APIRouter(prefix="/v1/oracle-keys", tags=["oracle-keys"])
SignerPath = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="signing key id")]


@router.post("", status_code=status.HTTP_201_CREATED)
def register(
    body: SigningKeyCreate,
    principal: AdminKey,
    session: SessionDep,
    state: StateDep,
    response: Response,
) -> SigningKeyPublic:
    """Tie an Ed25519 public key to an oracle API key (200 if already registered so)."""
    record, created = service.register_signing_key(
        writer=state.writer, principal=principal, body=body
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return service.public_of(session, record)


@router.get("")
def list_keys(_: CurrentKey, session: SessionDep) -> list[SigningKeyPublic]:
    """Every registered signing key (public keys are public)."""
    return [service.public_of(session, r) for r in service.list_signing_keys(session=session)]


@router.get("/{signer_key_id}")
def get_key(signer_key_id: SignerPath, _: CurrentKey, session: SessionDep) -> SigningKeyPublic:
    """One registered signing key."""
    return service.public_of(
        session, service.get_signing_key(session=session, signer=signer_key_id)
    )


@router.post("/{signer_key_id}/revoke")
def revoke(
    signer_key_id: SignerPath, principal: AdminKey, session: SessionDep, state: StateDep
) -> SigningKeyPublic:
    """Revoke a signing key (idempotent): no snapshot signed by it is accepted from now on."""
    record, _ = service.revoke_signing_key(
        writer=state.writer, principal=principal, signer=signer_key_id
    )
    return service.public_of(session, record)
