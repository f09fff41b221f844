"""Oracle signing keys: the admin ties an oracle's Ed25519 public key to its API key.

A snapshot signed by a registered key is accepted only from the oracle API key the key
was registered for (so a leaked API key alone cannot post a snapshot that verifies, and a
signature cannot be replayed by another oracle). Registration is insert-only and
idempotent; a key id already tied to another API key is a conflict.

Revocation (a leaked or retired signing key) stamps the row ``revoked_at``/``revoked_by``
and never deletes it: from then on no post signed by the key is accepted (by any worker:
the key is read from the database on every post), the snapshots it signed before keep
naming it and serve the revocation time beside their provenance, and a revoked key cannot
be registered again. An oracle rotates by registering its new key, then revoking the old.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from algebra.errors import ZkError
from api.auth import Principal, Role
from api.models import ApiKey, OracleSigningKey, utc_now
from api.schemas import SigningKeyCreate, SigningKeyPublic
from api.services.audit import record_write
from api.services.errors import ConflictError, NotFoundError, ServiceError
from api.writer import GroupCommitter


class SigningKeyError(ServiceError):
    """The public key is not an Ed25519 PEM public key, or the API key is not an oracle's."""

    status_code = 422


def _parsed(public_pem: str) -> tuple[str, str]:
    """Return (key id, canonical PEM) of a PEM public key; SigningKeyError if it is not one."""
    from cryptography.exceptions import UnsupportedAlgorithm

    from zkmargin.riskdesk.signing import canonical_public_pem, key_id

    try:
        data = public_pem.encode("utf-8")
        return key_id(data), canonical_public_pem(data).decode("ascii")
    except ZkError as error:
        raise SigningKeyError(str(error)) from None
    except (UnsupportedAlgorithm, ValueError, TypeError):
        raise SigningKeyError("the public key is not an Ed25519 PEM public key") from None


def register_signing_key(
    *, writer: GroupCommitter, principal: Principal, body: SigningKeyCreate
) -> tuple[OracleSigningKey, bool]:
    """Register ``body.public_key`` for the oracle API key ``body.api_key_id``; return
    (record, created). Registering the same pair again is a no-op.

    Raises:
        SigningKeyError: not an Ed25519 public key, or the API key is not an oracle key.
        NotFoundError: no API key has that id.
        ConflictError: the signing key is already registered for another API key.
    """
    # Stored re-encoded: text around or inside the PEM block as sent is never kept.
    signer, public_pem = _parsed(body.public_key)

    def job(session: Session) -> tuple[OracleSigningKey, bool]:
        api_key = session.get(ApiKey, body.api_key_id)
        if api_key is None:
            raise NotFoundError(f"no API key with id {body.api_key_id}")
        if api_key.role != Role.ORACLE.value:
            raise SigningKeyError(
                f"API key {body.api_key_id} is a {api_key.role} key; signing keys belong to"
                " oracle keys"
            )
        existing = session.get(OracleSigningKey, signer)
        if existing is not None:
            if existing.revoked_at is not None:
                raise ConflictError(
                    f"signing key {signer} was revoked at {_instant(existing.revoked_at)}; a"
                    " revoked key cannot be registered again (register a new key)"
                )
            if existing.api_key_id != body.api_key_id:
                raise ConflictError(
                    f"signing key {signer} is already registered for oracle key"
                    f" {existing.api_key_id}"
                )
            return existing, False
        record = OracleSigningKey(
            signer_key_id=signer,
            public_key=public_pem,
            api_key_id=body.api_key_id,
            registered_by=principal.key_id,
            registered_at=utc_now(),
        )
        session.add(record)
        record_write(
            session=session,
            key_id=principal.key_id,
            role=principal.role.value,
            action="signing_key.register",
            target=f"signer={signer}",
            detail={"signer_key_id": signer, "api_key_id": body.api_key_id},
        )
        return record, True

    return writer.run(job)


def revoke_signing_key(
    *, writer: GroupCommitter, principal: Principal, signer: str
) -> tuple[OracleSigningKey, bool]:
    """Revoke the registered signing key ``signer``; return (record, newly revoked).

    Revoking twice changes nothing (the first time and revoker are kept). The revocation is
    audit-logged as ``signing_key.revoke``.

    Raises:
        NotFoundError: no signing key ``signer`` is registered.
    """

    def job(session: Session) -> tuple[OracleSigningKey, bool]:
        # Locked before the time is read: a post holding the row commits first, so every
        # snapshot the key was accepted for is dated before its revocation.
        record = session.get(OracleSigningKey, signer, with_for_update=True)
        if record is None:
            raise NotFoundError(f"no signing key {signer} is registered")
        if record.revoked_at is not None:
            return record, False
        record.revoked_at = utc_now()
        record.revoked_by = principal.key_id[:32]
        record_write(
            session=session,
            key_id=principal.key_id,
            role=principal.role.value,
            action="signing_key.revoke",
            target=f"signer={signer}",
            detail={"signer_key_id": signer, "api_key_id": record.api_key_id},
        )
        return record, True

    return writer.run(job)


def _instant(moment: datetime) -> str:
    """Return ``moment`` as an ISO 8601 UTC instant to the second (``…Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def get_signing_key(*, session: Session, signer: str) -> OracleSigningKey:
    """Return the registered signing key ``signer`` (NotFoundError when none)."""
    record = session.get(OracleSigningKey, signer)
    if record is None:
        raise NotFoundError(f"no signing key {signer} is registered")
    return record


def list_signing_keys(*, session: Session) -> Sequence[OracleSigningKey]:
    """Return every registered signing key, oldest first."""
    query = select(OracleSigningKey).order_by(
        OracleSigningKey.registered_at, OracleSigningKey.signer_key_id
    )
    return session.scalars(query).all()


def public_of(session: Session, record: OracleSigningKey) -> SigningKeyPublic:
    """Return the public view of ``record`` with the markets its oracle key serves."""
    api_key = session.get(ApiKey, record.api_key_id)
    markets = json.loads(api_key.markets) if api_key is not None and api_key.markets else []
    return SigningKeyPublic(
        signer_key_id=record.signer_key_id,
        public_key=record.public_key,
        api_key_id=record.api_key_id,
        markets=markets,
        registered_by=record.registered_by,
        registered_at=record.registered_at,
        revoked_at=record.revoked_at,
        revoked_by=record.revoked_by,
    )
