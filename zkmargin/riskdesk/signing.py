"""Ed25519 signing of snapshots: keys, signed metadata and its verification.

The signed metadata sits beside the snapshot (it is not part of the in-circuit snapshot
hash, so circuits and keys are unchanged) and binds, under one Ed25519 signature
(RFC 8032, via ``cryptography``), the SHA-256 of the canonical policy, of the canonical
market inputs and of the canonical snapshot, the in-circuit snapshot hash, the epoch,
the inputs' as-of time and the signer's key id (the first 16 bytes of the SHA-256 of the
raw public key, in hex). The signature covers the canonical JSON of every other field.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from circuits.margin.loading import describe
from circuits.margin.model import MarketSnapshot
from zkmargin.riskdesk.canonical import canonical_json, sha256_hex
from zkmargin.riskdesk.errors import SignatureError
from zkmargin.riskdesk.schemas import MarketData, Policy

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

Hex64 = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]


class SignedSnapshotMetadata(BaseModel):
    """What the oracle signs about a snapshot, and the signature (base64)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    version: Literal[1] = 1
    algorithm: Literal["ed25519"] = "ed25519"
    signer_key_id: Annotated[str, Field(pattern="^[0-9a-f]{32}$")]
    epoch: Annotated[int, Field(ge=0)]
    as_of: Annotated[int, Field(ge=0)]
    policy_sha256: Hex64
    market_inputs_sha256: Hex64
    snapshot_sha256: Hex64
    snapshot_hash: Annotated[str, Field(pattern="^[0-9]{1,78}$")]
    signature: Annotated[str, Field(min_length=1, max_length=200)] = ""

    def signed_bytes(self) -> bytes:
        """Return the canonical JSON of every field but the signature."""
        return canonical_json(self.model_dump(mode="json", exclude={"signature"}))


def generate_key_pair() -> tuple[bytes, bytes]:
    """Return a fresh ``(private PEM (PKCS#8), public PEM (SubjectPublicKeyInfo))``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def _raw_public(public_pem: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = serialization.load_pem_public_key(public_pem)
    except ValueError:
        raise SignatureError("the public key is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SignatureError("the public key is not an Ed25519 key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def canonical_public_pem(public_pem: bytes) -> bytes:
    """Return ``public_pem`` re-encoded as the SubjectPublicKeyInfo PEM of its Ed25519 key.

    Raises:
        SignatureError: it is not an Ed25519 PEM public key.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(_raw_public(public_pem))
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id(public_pem: bytes) -> str:
    """Return the key id: hex of the first 16 bytes of SHA-256(raw public key)."""
    return hashlib.sha256(_raw_public(public_pem)).hexdigest()[:32]


def _private_key(private_pem: bytes) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError):
        raise SignatureError("the signing key is not an unencrypted PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError("the signing key is not an Ed25519 key")
    return key


def public_from_private(private_pem: bytes) -> bytes:
    """Return the public PEM of a private Ed25519 PEM; SignatureError if it is not one."""
    from cryptography.hazmat.primitives import serialization

    key = _private_key(private_pem)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def unsigned_metadata(
    snapshot: MarketSnapshot, market: MarketData, policy: Policy, signer_key_id: str
) -> SignedSnapshotMetadata:
    """Return the metadata binding ``snapshot`` to its inputs (signature still empty)."""
    from circuits.margin.commitment import snapshot_hash

    return SignedSnapshotMetadata(
        signer_key_id=signer_key_id,
        epoch=snapshot.epoch,
        as_of=market.as_of,
        policy_sha256=sha256_hex(policy),
        market_inputs_sha256=sha256_hex(market),
        snapshot_sha256=sha256_hex(snapshot),
        snapshot_hash=str(snapshot_hash(snapshot)),
    )


def sign_snapshot(
    snapshot: MarketSnapshot, market: MarketData, policy: Policy, private_pem: bytes
) -> SignedSnapshotMetadata:
    """Return the signed metadata of ``snapshot`` (Ed25519 is deterministic: same bytes)."""
    key = _private_key(private_pem)
    meta = unsigned_metadata(snapshot, market, policy, key_id(public_from_private(private_pem)))
    signature = key.sign(meta.signed_bytes())
    return meta.model_copy(update={"signature": base64.b64encode(signature).decode("ascii")})


def load_metadata(obj: object) -> SignedSnapshotMetadata:
    """Return validated signed metadata from a parsed JSON object; SignatureError if bad."""
    if not isinstance(obj, dict):
        raise SignatureError("signed metadata: expected a JSON object")
    try:
        return SignedSnapshotMetadata.model_validate(obj)
    except ValidationError as error:
        raise SignatureError(f"signed metadata: {describe(error)}") from None


def verify_signed_snapshot(
    snapshot: MarketSnapshot,
    metadata: SignedSnapshotMetadata,
    public_pem: bytes,
    *,
    market: MarketData | None = None,
    policy: Policy | None = None,
) -> None:
    """Check that ``metadata`` is signed by ``public_pem`` and binds ``snapshot`` (and the
    given market inputs and policy).

    Raises:
        SignatureError: wrong key, bad signature, or a snapshot, epoch, as-of time, market
            input or policy hash that differs from what was signed (the message names it).
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from circuits.margin.commitment import snapshot_hash

    if metadata.signer_key_id != key_id(public_pem):
        raise SignatureError(
            f"signed by key {metadata.signer_key_id}, not by the given key {key_id(public_pem)}"
        )
    try:
        signature = base64.b64decode(metadata.signature, validate=True)
        Ed25519PublicKey.from_public_bytes(_raw_public(public_pem)).verify(
            signature, metadata.signed_bytes()
        )
    except (InvalidSignature, binascii.Error, ValueError):
        raise SignatureError("the signature does not verify") from None
    checks = [
        ("snapshot (canonical SHA-256)", metadata.snapshot_sha256, sha256_hex(snapshot)),
        ("snapshot hash", metadata.snapshot_hash, str(snapshot_hash(snapshot))),
        ("epoch", metadata.epoch, snapshot.epoch),
        ("as-of time", metadata.as_of, snapshot.timestamp),
    ]
    if market is not None:
        checks.append(("market inputs", metadata.market_inputs_sha256, sha256_hex(market)))
        checks.append(("market as-of time", metadata.as_of, market.as_of))
    if policy is not None:
        checks.append(("policy", metadata.policy_sha256, sha256_hex(policy)))
    for what, signed, actual in checks:
        if signed != actual:
            raise SignatureError(f"the {what} differs from the one signed")


def read_key_file(path: Path, what: str) -> bytes:
    """Return the bytes of a PEM key file; SignatureError if unreadable."""
    try:
        return path.read_bytes()
    except OSError as error:
        raise SignatureError(f"cannot read the {what} {path}: {error.strerror or error}") from None
