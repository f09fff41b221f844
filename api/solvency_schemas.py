"""Request and response models of venue-level solvency (issue #18): the registry freeze and
export, and the solvency bundle a venue posts (``statement.json`` plus its chunk proofs, as
:mod:`zkmargin.solvency.bundle` writes them)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from api.schemas import (
    CircuitId,
    CircuitPolicyCreate,
    CircuitPolicyPublic,
    DecimalStr,
    Epoch,
    SnarkjsProof,
    Verdict,
)
from api.strict import StrictRequest

MAX_SOLVENCY_CHUNK = 1 << 12
"""Largest chunk size (accounts per proof) a posted statement may name."""
SizeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
VerdictValue = Literal["SOLVENT", "INSOLVENT"]


class RegistryFreezePublic(BaseModel):
    """A venue's cut-off for its commitment registry at an epoch."""

    venue_id: str
    epoch: int
    frozen_at: datetime
    frozen_by: str
    n_commitments: int
    list_sha256: str
    """SHA-256 (hex) of the canonical list, one decimal commitment per line."""


class RegistryExport(RegistryFreezePublic):
    """The frozen registry of (venue, epoch): its commitments in canonical (ascending) order.

    ``{"epoch", "commitments"}`` is the registry file ``zkm solvency verify --registry``
    reads, so the export can be saved and checked offline.
    """

    frozen: Literal[True] = True
    commitments: list[str]


class SolvencyTotalsBody(StrictRequest):
    """The opening of the final accumulator (decimal strings)."""

    liabilities: DecimalStr
    deficit: DecimalStr
    at_risk: DecimalStr
    maintenance: DecimalStr
    initial: DecimalStr
    count: DecimalStr


class SolvencyStatementBody(StrictRequest):
    """A bundle's ``statement.json`` (version 2: the domain-separated list root)."""

    version: Literal[2] = 2
    epoch: Epoch
    size: SizeName
    chunk: int = Field(ge=1, le=MAX_SOLVENCY_CHUNK)
    snapshot_hash: DecimalStr
    list_root: DecimalStr
    n_chunks: int = Field(ge=1)
    totals: SolvencyTotalsBody
    commitments: Annotated[list[DecimalStr], Field(min_length=1)]


class SolvencyChunkBody(StrictRequest):
    """One chunk file: its index, public inputs ``[acc_in, acc_out, chunk_root, snapshot_hash]``
    and snarkjs proof."""

    index: int = Field(ge=0)
    public: Annotated[list[DecimalStr], Field(min_length=4, max_length=4)]
    proof: SnarkjsProof


class SolvencyPost(StrictRequest):
    """A venue's solvency bundle of an epoch, the circuit it is proven under, and the venue's
    reserves and insurance fund (its own figures, in QQ)."""

    circuit_id: CircuitId
    reserves: DecimalStr
    insurance: DecimalStr
    statement: SolvencyStatementBody
    chunks: Annotated[list[SolvencyChunkBody], Field(min_length=1)]


class SolvencySummary(BaseModel):
    """The verified verdict of (venue, epoch) and the totals it discloses — the clearing view.

    ``verdict`` is ``reserves + insurance ≥ liabilities + deficit``; the totals are proven,
    reserves and insurance are the venue's claim. ``circuit`` names the key the chunk proofs
    were verified under (``unsafe`` for a dev key), ``declared`` whether it is the circuit the
    admin declared for the epoch.
    """

    venue_id: str
    epoch: int
    verdict: VerdictValue
    solvent: bool
    totals: dict[str, str]
    reserves: str
    insurance: str
    covered: str
    """``liabilities + deficit``."""
    surplus: str
    """``reserves + insurance − covered`` (negative when insolvent)."""
    n_accounts: int
    n_chunks: int
    list_root: str
    snapshot_hash: str
    circuit: Verdict
    declared: bool
    """Whether ``circuit`` is the one the admin declared for solvency bundles at the epoch
    (``GET /v1/policy/solvency-circuits``). Always true for a bundle accepted since
    declarations exist; false only for a bundle stored before (an epoch the v0007 migration
    could not attribute to one circuit)."""
    registry_frozen_at: datetime
    posted_at: datetime


class SolvencyPublic(SolvencySummary):
    """The stored bundle with its verdict: anyone can re-verify it offline."""

    statement: dict[str, object]
    chunks: list[dict[str, object]]


class SolvencyCircuitPolicyCreate(CircuitPolicyCreate):
    """The admin's declaration: ``circuit_id`` (a registered ``SolvencyChunk`` circuit,
    ``margin: false``) counts for venues' solvency bundles from ``from_epoch`` to ``to_epoch``
    (inclusive; None: onward). ``fingerprint``, if given, must be the key's."""


class SolvencyCircuitPolicyPublic(CircuitPolicyPublic):
    """A recorded solvency declaration; the latest one covering an epoch decides it."""
