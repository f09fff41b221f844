"""The auditor's check of an epoch snapshot's signature, from what the service serves.

The service keeps the oracle's signed metadata, the signer's registered public key and the
market inputs and policy beside each snapshot. The audit verifies the Ed25519 signature
and every binding itself (snapshot, hash, epoch, as-of time, inputs, policy), so a record
altered behind the service's back, or a service that lies about it, is a finding. An
unsigned snapshot (posted to a service that allowed it) is reported as unsigned, not as a
finding; one that claims a signer but whose signature is missing or invalid is.

A signer revoked *after* the snapshot was accepted (a key retired or leaked later) is
reported beside the status, not as a finding: the snapshot was accepted while the key was
in force, and voiding its epoch is the operator's decision. A snapshot dated at or after
its signer's revocation is a finding: the service accepts nothing a revoked key signed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from algebra.errors import ZkError
from api.schemas import SnapshotProvenance


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome: unsigned, signed and valid, or a problem (a finding)."""

    signed: bool
    signer_key_id: str | None = None
    problem: str | None = None
    signature: str | None = None
    """The served signature (base64), as the export lines should name it."""
    signer_revoked_at: datetime | None = None
    """When the service says the signer was revoked (None: in force)."""

    def to_json(self) -> dict[str, Any]:
        """Return the report's ``service.snapshot_signature`` object."""
        status = "unsigned" if not self.signed else ("valid" if self.problem is None else "invalid")
        revoked = self.signer_revoked_at
        return {
            "status": status,
            "signer_key_id": self.signer_key_id,
            "problem": self.problem,
            "signer_revoked_at": None if revoked is None else revoked.isoformat(),
        }


def _revocation_problem(provenance: SnapshotProvenance) -> str | None:
    """Return a finding when the snapshot is dated at or after its signer's revocation."""
    revoked, posted = provenance.signer_revoked_at, provenance.posted_at
    if revoked is None or posted is None or posted < revoked:
        return None
    return (
        f"the snapshot is dated {posted.isoformat()}, at or after its signing key's revocation"
        f" ({revoked.isoformat()}): the service accepts nothing a revoked key signed"
    )


def check_provenance(snapshot: dict[str, Any], provenance: SnapshotProvenance) -> SignatureCheck:
    """Verify ``provenance``'s signature over ``snapshot`` and its bound inputs and policy."""
    from circuits.margin.loading import load_snapshot
    from zkmargin.riskdesk.loading import load_market, load_policy
    from zkmargin.riskdesk.signing import load_metadata, verify_signed_snapshot

    claims = provenance.signed or provenance.signer_key_id is not None
    if not claims:
        return SignatureCheck(signed=False)
    signer, served = provenance.signer_key_id, provenance.signature
    missing = [
        name
        for name, value in (
            ("signed metadata", provenance.metadata),
            ("signature", provenance.signature),
            ("signer's public key", provenance.public_key),
            ("market inputs", provenance.market_inputs),
            ("policy", provenance.policy),
        )
        if not value
    ]
    if missing:
        return SignatureCheck(
            True, signer, f"the snapshot claims a signer but its {missing[0]} is missing", served
        )
    assert provenance.metadata is not None and provenance.public_key is not None
    assert provenance.market_inputs is not None and provenance.policy is not None
    try:
        metadata = load_metadata(provenance.metadata)
        if metadata.signer_key_id != signer or metadata.signature != provenance.signature:
            return SignatureCheck(
                True, signer, "the signer or signature differs from the metadata's", served
            )
        verify_signed_snapshot(
            load_snapshot(snapshot),
            metadata,
            provenance.public_key.encode("utf-8"),
            market=load_market(provenance.market_inputs),
            policy=load_policy(provenance.policy),
        )
    except ZkError as error:
        return SignatureCheck(True, signer, str(error), served, provenance.signer_revoked_at)
    return SignatureCheck(
        True, signer, _revocation_problem(provenance), served, provenance.signer_revoked_at
    )
