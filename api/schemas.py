"""Request and response models, in families per resource (``XCreate`` in, ``XPublic`` out).

Field elements travel as decimal strings, as in snarkjs's ``public.json``; their range
(``< r``) is checked by the service, which answers 422 for anything out of range.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.auth import ACCOUNT_PATTERN, SCOPE_NAME_PATTERN
from api.strict import StrictRequest
from circuits.margin.units import MAX_SLOTS, MAX_TIER_SLOTS

MAX_EPOCH = 2**62
MAX_PUBLIC_INPUTS = 64

ProvenanceValue = Literal["dev", "uncontributed", "ceremony-verified"]
"""A :class:`verifier.provenance.KeyProvenance` value."""
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
FileName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
ScopeName = Annotated[str, StringConstraints(pattern=SCOPE_NAME_PATTERN)]

AccountId = Annotated[str, StringConstraints(pattern=ACCOUNT_PATTERN)]
CircuitId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Epoch = Annotated[int, Field(ge=0, le=MAX_EPOCH)]
DecimalStr = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,80}$")]
G1Json = Annotated[list[DecimalStr], Field(min_length=2, max_length=3)]
Fq2Json = Annotated[list[DecimalStr], Field(min_length=2, max_length=2)]
G2Json = Annotated[list[Fq2Json], Field(min_length=2, max_length=3)]
PublicInputs = Annotated[list[DecimalStr], Field(min_length=1, max_length=MAX_PUBLIC_INPUTS)]


class SnarkjsProof(StrictRequest):
    """A Groth16 proof in snarkjs's ``proof.json`` layout (projective coordinates, z = 1)."""

    pi_a: G1Json
    pi_b: G2Json
    pi_c: G1Json
    protocol: Literal["groth16"] = "groth16"
    curve: Literal["bn128"] = "bn128"


SlotCount = Annotated[int, Field(ge=1, le=MAX_SLOTS)]
TierSlotCount = Annotated[int, Field(ge=1, le=MAX_TIER_SLOTS)]


class MarginShape(StrictRequest):
    """The five slot counts a margin circuit was set up with (``zkm margin setup``): the
    snapshots it proves against have exactly this shape."""

    n_instruments: SlotCount
    n_collateral: SlotCount
    n_scenarios: SlotCount
    tier_slots: TierSlotCount
    haircut_tier_slots: TierSlotCount


class SnarkjsVerifyingKey(StrictRequest):
    """A Groth16 verifying key in snarkjs's ``verification_key.json`` layout.

    Strict types, but fields beyond snarkjs's are ignored rather than refused: this is a
    file format other tools extend (snarkjs ignores them too, and the exported key carries
    its provenance in one), and only the declared fields are stored.
    """

    model_config = ConfigDict(strict=True, extra="ignore")

    protocol: Literal["groth16"] = "groth16"
    curve: Literal["bn128"] = "bn128"
    nPublic: int = Field(ge=0, le=MAX_PUBLIC_INPUTS)  # noqa: N815 (snarkjs field name)
    vk_alpha_1: G1Json
    vk_beta_2: G2Json
    vk_gamma_2: G2Json
    vk_delta_2: G2Json
    IC: Annotated[list[G1Json], Field(min_length=1, max_length=MAX_PUBLIC_INPUTS + 1)]
    vk_alphabeta_12: Annotated[list[list[Fq2Json]], Field(max_length=2)] | None = None
    zkm_provenance: ProvenanceValue | None = None
    """The key file's own provenance claim (only its author's word)."""
    zkm_margin_shape: MarginShape | None = None
    """The margin circuit's shape, as ``zkm margin setup`` writes it into the key file."""


# --- circuits ---------------------------------------------------------------------------
class CeremonyEvidence(StrictRequest):
    """Why a key is ``ceremony-verified``: files the service verifies, or an admin's attestation.

    Either name the transcript (final ``.zkey``), ``.r1cs`` and ``.ptau`` inside the server's
    ``ceremony_dir`` — the service then runs ``zkm zkey verify`` itself — or set
    ``attested_offline`` with the transcript's SHA-256: the registering admin states they ran
    the verification and is recorded as the attester.
    """

    transcript_sha256: Sha256Hex | None = None
    attested_offline: bool = False
    zkey: FileName | None = None
    r1cs: FileName | None = None
    ptau: FileName | None = None


class CircuitCreate(StrictRequest):
    """A circuit's verifying key; ``margin`` circuits take ``[C, snapshot_hash, kind, buffer]``.

    ``provenance`` defaults to the key file's ``zkm_provenance`` (else ``dev``); a
    ``ceremony-verified`` key needs ``ceremony`` evidence.
    """

    circuit_id: CircuitId
    verifying_key: SnarkjsVerifyingKey
    margin: bool = True
    description: Annotated[str, Field(max_length=500)] = ""
    provenance: ProvenanceValue | None = None
    ceremony: CeremonyEvidence | None = None
    margin_shape: MarginShape | None = None
    """Defaults to the key file's ``zkm_margin_shape``; snapshots proven against the circuit
    must have this shape (None: not recorded — any shape, as before)."""


class CircuitPublic(BaseModel):
    """A registered circuit as every role may read it, with the provenance of its key."""

    circuit_id: str
    n_public: int
    margin: bool
    description: str
    fingerprint: str
    created_at: datetime
    verifying_key: dict[str, Any]
    provenance: ProvenanceValue = "dev"
    provenance_record: dict[str, Any] = Field(default_factory=dict)
    unsafe: bool = True
    retired_at: datetime | None = None
    margin_shape: dict[str, int] | None = None


class CircuitPolicyCreate(StrictRequest):
    """The admin's declaration: ``circuit_id`` counts for margin statements from ``from_epoch``
    to ``to_epoch`` (inclusive; None: onward). ``fingerprint``, if given, must be the key's."""

    circuit_id: CircuitId
    fingerprint: Sha256Hex | None = None
    from_epoch: Epoch
    to_epoch: Epoch | None = None


class CircuitPolicyPublic(BaseModel):
    """A recorded declaration; the latest one covering an epoch decides it."""

    id: int
    circuit_id: str
    fingerprint: str
    from_epoch: int
    to_epoch: int | None
    declared_by: str
    declared_at: datetime


class Verdict(BaseModel):
    """What a verdict rests on: the circuit, its key's fingerprint and provenance."""

    circuit_id: str | None = None
    fingerprint: str | None = None
    provenance: ProvenanceValue | None = None
    unsafe: bool = False
    warning: str | None = None
    """``UNSAFE: …`` when the key is not ceremony-verified (someone may know its trapdoor)."""


# --- tenancy ----------------------------------------------------------------------------
class EpochOpen(StrictRequest):
    """The admin opens an epoch for one market; only then are snapshots and commitments taken."""

    epoch: Epoch
    market: ScopeName = "default"


class EpochPublic(BaseModel):
    """An opened epoch and the circuit that counts for it (if declared)."""

    epoch: int
    market: str
    opened_by: str
    opened_at: datetime
    circuit: Verdict


class AccountsEnroll(StrictRequest):
    """Accounts the admin enrols to a venue."""

    account_ids: Annotated[list[AccountId], Field(min_length=1, max_length=1000)]


class AccountPublic(BaseModel):
    """An account and its venue."""

    account_id: str
    venue_id: str
    created_at: datetime


class VoidRequest(StrictRequest):
    """Why a commitment or snapshot is voided (kept in the audit log)."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class VoidedPublic(BaseModel):
    """A voided registration."""

    kind: Literal["commitment", "snapshot"]
    epoch: int
    account_id: str | None
    value: str
    voided_by: str
    voided_at: datetime
    reason: str


# --- snapshots --------------------------------------------------------------------------
class SignedParts(StrictRequest):
    """What the risk desk publishes beside a snapshot: its signed metadata (the oracle's
    Ed25519 signature over the hashes of the snapshot, inputs and policy), the market
    inputs and the policy it was built from (see ``docs/risk-desk.md``)."""

    metadata: dict[str, Any]
    market_inputs: dict[str, Any]
    policy: dict[str, Any]


class SnapshotCreate(StrictRequest):
    """The oracle's market snapshot for an epoch (the margin model's ``MarketSnapshot`` JSON),
    signed unless the service allows unsigned snapshots."""

    epoch: Epoch
    snapshot: dict[str, Any]
    signed: SignedParts | None = None


class SnapshotProvenance(BaseModel):
    """How an epoch's snapshot was made: its signed metadata, signer and published inputs,
    so anyone can re-check the signature and run ``zkm riskdesk check`` (all None when the
    snapshot was posted unsigned)."""

    epoch: int
    snapshot_hash: str
    signed: bool
    signer_key_id: str | None = None
    signature: str | None = None
    public_key: str | None = None
    """The signer's registered Ed25519 public key (PEM)."""
    oracle_key_id: str | None = None
    """The oracle API key the signer is registered for (and that posted the snapshot)."""
    posted_at: datetime | None = None
    """When the service accepted the snapshot."""
    signer_revoked_at: datetime | None = None
    """When the signer was revoked (None: in force). The service accepts nothing it signs
    after that, so a snapshot posted at or after it is a record altered behind the service."""
    metadata: dict[str, Any] | None = None
    market_inputs: dict[str, Any] | None = None
    policy: dict[str, Any] | None = None


SignerKeyId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class SigningKeyCreate(StrictRequest):
    """The admin ties an oracle's Ed25519 public key (PEM) to that oracle's API key.

    The PEM's line feeds are allowed (no other control character); the service stores the
    key re-encoded, never the text as sent.
    """

    multiline_fields = frozenset({"public_key"})

    api_key_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{12}$")]
    public_key: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class SigningKeyPublic(BaseModel):
    """A registered oracle signing key: its key id, public key and the API key it belongs to."""

    signer_key_id: str
    public_key: str
    api_key_id: str
    markets: list[str]
    registered_by: str
    registered_at: datetime
    revoked_at: datetime | None = None
    """When the admin revoked the key (None: in force); no post signed by it is accepted since."""
    revoked_by: str | None = None
    """The revoking admin's key id (``operator`` from the command line)."""


class SnapshotPublic(BaseModel):
    """A stored snapshot's identity: its epoch and Poseidon ``snapshot_hash`` (decimal)."""

    epoch: int
    snapshot_hash: str
    created_at: datetime


class SnapshotFull(SnapshotPublic):
    """A stored snapshot with its canonical content."""

    snapshot: dict[str, Any]


# --- commitments ------------------------------------------------------------------------
class CommitmentCreate(StrictRequest):
    """A venue's state commitment ``C`` for (account, epoch)."""

    account_id: AccountId
    epoch: Epoch
    commitment: DecimalStr


class CommitmentPublic(BaseModel):
    """A registered commitment."""

    account_id: str
    epoch: int
    commitment: str
    created_at: datetime


# --- proofs -----------------------------------------------------------------------------
class ProofSubmit(StrictRequest):
    """A margin proof for (account, epoch); inputs ``[C, snapshot_hash, kind, buffer_ppm]``."""

    account_id: AccountId
    epoch: Epoch
    circuit_id: CircuitId
    proof: SnarkjsProof
    public_inputs: PublicInputs


class ProofPublic(BaseModel):
    """The recorded verdict; ``replay`` is true when an earlier record of it was returned.

    A replay is the accepted record of the statement, or, for an invalid proof of a statement
    already recorded invalid, that invalid record.
    """

    proof_id: int
    account_id: str
    epoch: int
    circuit_id: str
    valid: bool
    requirement_kind: int
    buffer_ppm: int
    public_inputs: list[str]
    created_at: datetime
    replay: bool = False
    verdict: Verdict = Field(default_factory=Verdict)
    """The circuit, key fingerprint and provenance this verdict rests on."""


class ProofExport(BaseModel):
    """One line of an epoch's JSON-lines export for offline audit."""

    proof_id: int
    account_id: str
    epoch: int
    circuit_id: str
    valid: bool
    public_inputs: list[str]
    proof: dict[str, Any]
    created_at: datetime
    registered_commitment: str | None = None
    """The commitment the venue registered for (account, epoch), so an auditor can check C
    without one request per account; None if none is registered."""
    verdict: Verdict = Field(default_factory=Verdict)
    """The circuit, key fingerprint and provenance the record was verified under."""
    counts: bool = True
    """Whether the record's circuit is the one declared for its epoch (only those count)."""
    snapshot_signer_key_id: str | None = None
    """The oracle signing key that signed the epoch's snapshot (None: unsigned or none)."""
    snapshot_signature: str | None = None
    """Its Ed25519 signature (base64); the full metadata, inputs and policy are at
    ``GET /v1/snapshots/{epoch}/provenance``."""


# --- accounts and epochs ----------------------------------------------------------------
StatusValue = Literal["compliant", "non_compliant", "missing"]


class AccountStatus(BaseModel):
    """Whether an account proved compliance at an epoch, with the strongest accepted statement."""

    account_id: str
    epoch: int
    status: StatusValue
    commitment_registered: bool
    requirement_kind: int | None = None
    buffer_ppm: int | None = None
    verified_at: datetime | None = None
    proof_id: int | None = None
    verdict: Verdict = Field(default_factory=Verdict)
    """The circuit declared for the epoch (the only one that counts), its key fingerprint and
    provenance; ``verdict.unsafe`` marks an answer that proves nothing outside a demo."""


class EpochReport(BaseModel):
    """Counts per status over the accounts with a commitment or a submission at the epoch."""

    epoch: int
    snapshot_hash: str | None
    verdict: Verdict = Field(default_factory=Verdict)
    """The circuit every verdict of the report rests on (the one declared for the epoch)."""
    accounts: int
    compliant: int
    non_compliant: int
    missing: int
    non_compliant_accounts: list[str]
    missing_accounts: list[str]


# --- stateless verification -------------------------------------------------------------
class VerifyRequest(StrictRequest):
    """A proof and public inputs to check against a registered circuit; nothing is stored."""

    circuit_id: CircuitId
    proof: SnarkjsProof
    public_inputs: PublicInputs


class VerifyResult(BaseModel):
    """The verdict: ``valid`` false for a well-formed proof that does not verify."""

    valid: bool
    verdict: Verdict = Field(default_factory=Verdict)
    """The circuit, key fingerprint and provenance the answer rests on (UNSAFE if it is)."""


class BatchItem(StrictRequest):
    """One proof of a batch; ``id`` is echoed back when the item is invalid."""

    id: Annotated[str, Field(max_length=128)] | None = None
    proof: SnarkjsProof
    public_inputs: PublicInputs


class BatchVerifyRequest(StrictRequest):
    """Many proofs against one registered circuit."""

    circuit_id: CircuitId
    items: Annotated[list[BatchItem], Field(min_length=1)]


class BatchInvalid(BaseModel):
    """An invalid batch item: its index, its id if given, and why."""

    index: int
    id: str | None
    reason: str


class BatchVerifyResult(BaseModel):
    """Per-item verdicts in input order, and the invalid items named."""

    valid: list[bool]
    all_valid: bool
    invalid: list[BatchInvalid]
    verdict: Verdict = Field(default_factory=Verdict)
    """The circuit, key fingerprint and provenance the answers rest on (UNSAFE if it is)."""


# --- audit ------------------------------------------------------------------------------
class AuditEntryPublic(BaseModel):
    """One append-only audit record."""

    id: int
    at: datetime
    key_id: str
    role: str
    action: str
    target: str
    detail: dict[str, Any]


class HealthPublic(BaseModel):
    """Liveness and the storage backend in use."""

    status: Literal["ok"]
    database: str


# --- keys -------------------------------------------------------------------------------
class KeyRevoked(BaseModel):
    """A revoked API key: who revoked it, when, and the bound on its refusal by every worker."""

    key_id: str
    role: str
    revoked_at: datetime
    revoked_by: str
    refused_everywhere_within_seconds: float
