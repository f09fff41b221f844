"""Checking a posted snapshot's signed metadata: registered signer, signature, bindings, age.

A signed post carries the risk desk's signed metadata, the market inputs and the policy
(:class:`api.schemas.SignedParts`). It is accepted only when, in this order:

1. the metadata, inputs and policy are well-formed (422);
2. the signer key id is registered (``POST /v1/oracle-keys``) for the posting oracle API
   key and not revoked (403 otherwise: not registered, registered to another oracle, or
   revoked);
3. the Ed25519 signature verifies under that key and binds this snapshot, these inputs
   and this policy (hashes, epoch, as-of time) (422 naming what differs);
4. the inputs are fresh: ``now - max_age <= as_of <= now + skew`` by the service's clock
   (422, stale).

The stored forms are canonical JSON (:func:`zkmargin.riskdesk.canonical.canonical_json`),
so what the service serves hashes to exactly what was signed and ``zkm riskdesk check``
runs on it unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from algebra.errors import ZkError
from api.auth import Principal
from api.models import OracleSigningKey
from api.schemas import SignedParts
from api.services.errors import ServiceError


class SnapshotSignatureError(ServiceError):
    """The signed metadata is malformed, its signature does not verify, or it binds another
    snapshot, other market inputs or another policy."""

    status_code = 422


class SignerNotAllowedError(ServiceError):
    """The snapshot's signing key is not registered for the oracle key that posts it, or it
    was revoked."""

    status_code = 403


class StaleSnapshotError(ServiceError):
    """The snapshot's market inputs are older than the configured maximum age."""

    status_code = 422


class UnsignedSnapshotError(ServiceError):
    """An unsigned snapshot was posted to a service that requires signatures."""

    status_code = 422


@dataclass(frozen=True)
class CheckedSignature:
    """A verified signed post, in the canonical forms the service stores."""

    signer_key_id: str
    metadata: str
    market_inputs: str
    policy: str


def canonical_text(value: Any) -> str:
    """Return the canonical JSON text of a parsed document or model."""
    from zkmargin.riskdesk.canonical import canonical_json

    return canonical_json(value).decode("utf-8")


def _parse(parts: SignedParts) -> tuple[Any, Any, Any]:
    from zkmargin.riskdesk.loading import load_market, load_policy
    from zkmargin.riskdesk.signing import load_metadata

    try:
        return (
            load_metadata(parts.metadata),
            load_market(parts.market_inputs),
            load_policy(parts.policy),
        )
    except ZkError as error:
        raise SnapshotSignatureError(str(error)) from None


def _registered_signer(session: Session, principal: Principal, signer: str) -> OracleSigningKey:
    # Locked until the post commits (PostgreSQL; one writer on SQLite): a revocation racing
    # the post is stamped after the snapshot's acceptance time, never before it.
    record = session.get(OracleSigningKey, signer, with_for_update=True)
    if record is None:
        raise SignerNotAllowedError(
            f"signing key {signer} is not registered (the admin registers it for the oracle's"
            " API key: POST /v1/oracle-keys)"
        )
    if record.api_key_id != principal.key_id:
        raise SignerNotAllowedError(
            f"signing key {signer} is registered for another oracle key, not for {principal.key_id}"
        )
    if record.revoked_at is not None:
        raise SignerNotAllowedError(
            f"signing key {signer} was revoked at {record.revoked_at:%Y-%m-%dT%H:%M:%SZ}; sign"
            " with a key the admin registered since"
        )
    return record


def check_signed_snapshot(
    *,
    session: Session,
    principal: Principal,
    snapshot: dict[str, Any],
    parts: SignedParts,
    max_age_seconds: int | None,
    clock: Callable[[], float],
) -> CheckedSignature:
    """Verify a signed post (see the module docstring) and return what is to be stored.

    Raises:
        SnapshotSignatureError: malformed metadata/inputs/policy, a signature that does not
            verify, or a snapshot, inputs or policy other than the ones signed.
        SignerNotAllowedError: the signer is not registered for ``principal``, or revoked.
        StaleSnapshotError: the inputs are older than ``max_age_seconds`` (or in the future).
    """
    from circuits.margin.loading import load_snapshot
    from zkmargin.riskdesk.errors import StaleInputError
    from zkmargin.riskdesk.freshness import check_fresh
    from zkmargin.riskdesk.signing import verify_signed_snapshot

    metadata, market, policy = _parse(parts)
    signer = _registered_signer(session, principal, metadata.signer_key_id)
    try:
        verify_signed_snapshot(
            load_snapshot(snapshot),
            metadata,
            signer.public_key.encode("utf-8"),
            market=market,
            policy=policy,
        )
    except ZkError as error:
        raise SnapshotSignatureError(f"signed snapshot refused: {error}") from None
    if max_age_seconds is not None:
        try:
            check_fresh(metadata.as_of, max_age_seconds=max_age_seconds, clock=clock)
        except StaleInputError as error:
            raise StaleSnapshotError(f"snapshot refused: {error}") from None
    return CheckedSignature(
        signer_key_id=metadata.signer_key_id,
        metadata=canonical_text(metadata),
        market_inputs=canonical_text(market),
        policy=canonical_text(policy),
    )
