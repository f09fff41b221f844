"""Verify an epoch's solvency bundle: every check of ``zkm solvency verify``, as findings.

Checks, in order (each failure is a finding; any finding makes the bundle invalid):

1. the commitment list is in canonical order, distinct and non-zero, and — with a registry —
   exactly the registered set (nothing left out, nothing unregistered);
2. the list root is the Merkle root of that list, and chunk ``i``'s public ``chunk_root`` is the
   tree's node for chunk ``i`` (so chunks cannot be dropped, repeated or re-ordered);
3. every chunk's ``snapshot_hash`` is the hash of the epoch's snapshot (whose epoch matches);
4. the accumulator chain: chunk 0 starts at ``ACC_0 = acc_k(0…)``, each ``acc_in`` is the previous
   ``acc_out``, the last ``acc_out`` opens to the published totals whose count is the list's length;
5. every Groth16 proof verifies (one random-linear-combination batch, bisected on failure).

The verdict is ``reserves + insurance ≥ liabilities + deficit``.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from algebra.errors import MalformedInputError, ZkError
from circuits.margin.model import MarketSnapshot
from circuits.margin.witness import cached_snapshot_hash
from circuits.solvency.epoch import canonical_order, epoch_tree
from circuits.solvency.totals import SolvencyTotals, acc_zero, accumulator
from verifier.keys import VerifyingKey
from zkmargin.solvency.bundle import ChunkProof, EpochStatement, read_chunks, read_statement

N_PUBLIC = 4


@dataclass
class SolvencyReport:
    """The outcome of verifying a bundle, with the disclosed totals and the verdict."""

    epoch: int
    n_accounts: int
    n_chunks: int
    list_root: int
    totals: SolvencyTotals
    reserves: int
    insurance: int
    key_fingerprint: str
    registry_checked: bool = False
    findings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    snapshot_hash: int = 0
    """The statement's snapshot hash (what an auditor's on-chain attestation signs)."""

    @property
    def valid(self) -> bool:
        """Whether every check passed."""
        return not self.findings

    @property
    def covered(self) -> int:
        """``liabilities + deficit``: what reserves and insurance must cover."""
        return self.totals.liabilities + self.totals.deficit

    @property
    def solvent(self) -> bool:
        """``reserves + insurance ≥ liabilities + deficit`` (meaningful only when valid)."""
        return self.reserves + self.insurance >= self.covered

    def verdict(self) -> str:
        """Return ``SOLVENT``, ``INSOLVENT`` or ``INVALID``."""
        if not self.valid:
            return "INVALID"
        return "SOLVENT" if self.solvent else "INSOLVENT"

    def to_json(self) -> dict[str, Any]:
        """Return the JSON report (big integers as decimal strings)."""
        return {
            "verdict": self.verdict(),
            "valid": self.valid,
            "solvent": self.valid and self.solvent,
            "epoch": self.epoch,
            "n_accounts": self.n_accounts,
            "n_chunks": self.n_chunks,
            "list_root": str(self.list_root),
            "snapshot_hash": str(self.snapshot_hash),
            "totals": self.totals.to_json(),
            "reserves": str(self.reserves),
            "insurance": str(self.insurance),
            "covered": str(self.covered),
            "surplus": str(self.reserves + self.insurance - self.covered),
            "key_fingerprint": self.key_fingerprint,
            "registry_checked": self.registry_checked,
            "findings": list(self.findings),
            "seconds": round(self.seconds, 3),
        }


def verify_bundle(
    bundle: Path,
    vk: VerifyingKey,
    snapshot: MarketSnapshot,
    *,
    reserves: int,
    insurance: int,
    registry: Collection[int] | None = None,
) -> SolvencyReport:
    """Return the report of every check on the bundle directory ``bundle`` (module docstring).

    Raises:
        ZkError: unreadable statement, or a key with the wrong number of public inputs.
    """
    start = time.perf_counter()
    chunks, unreadable = read_chunks(bundle)
    report = verify_statement(
        read_statement(bundle), chunks, vk, snapshot, reserves=reserves, insurance=insurance,
        registry=registry, unreadable=unreadable,
    )  # fmt: skip
    report.seconds = time.perf_counter() - start
    return report


def verify_statement(
    statement: EpochStatement,
    chunks: list[ChunkProof],
    vk: VerifyingKey,
    snapshot: MarketSnapshot,
    *,
    reserves: int,
    insurance: int,
    registry: Collection[int] | None = None,
    unreadable: list[str] | None = None,
) -> SolvencyReport:
    """Return the report of every check on a bundle held in memory: ``statement`` and its
    ``chunks`` in index order (``unreadable``: findings for chunk files that did not parse).

    Raises:
        MalformedInputError: negative reserves or insurance, or a key with the wrong number of
            public inputs.
    """
    start = time.perf_counter()
    if reserves < 0 or insurance < 0:
        raise MalformedInputError("reserves and insurance must be non-negative")
    if vk.n_public != N_PUBLIC:
        raise MalformedInputError(f"the key has {vk.n_public} public inputs; SolvencyChunk has 4")
    findings = list(unreadable or [])
    report = SolvencyReport(
        statement.epoch, len(statement.commitments), statement.n_chunks, statement.list_root,
        statement.totals, reserves, insurance, vk.fingerprint(), registry is not None, findings,
    )  # fmt: skip
    report.snapshot_hash = statement.snapshot_hash
    findings += _list_findings(statement, registry)
    findings += _snapshot_findings(statement, snapshot)
    if not findings:
        findings += _chunk_findings(statement, chunks)
    if not findings:
        findings += _proof_findings(vk, chunks)
    report.seconds = time.perf_counter() - start
    return report


def _list_findings(statement: EpochStatement, registry: Collection[int] | None) -> list[str]:
    listed = statement.commitments
    try:
        ordered = canonical_order(listed)
    except MalformedInputError as error:
        return [f"commitment list: {error} (an account would be counted twice or is a dummy)"]
    if ordered != listed:
        return ["commitment list is not in canonical (ascending) order"]
    out = []
    if registry is not None:
        registered = set(registry)
        missing = registered - set(listed)
        extra = set(listed) - registered
        if missing:
            out.append(f"{len(missing)} registered account(s) left out, e.g. C = {min(missing)}")
        if extra:
            out.append(f"{len(extra)} listed commitment(s) not registered for epoch"
                       f" {statement.epoch} (dummy accounts), e.g. C = {min(extra)}")  # fmt: skip
    if statement.totals.count != len(listed):
        out.append(f"totals count {statement.totals.count} differs from the {len(listed)} listed")
    return out


def _snapshot_findings(statement: EpochStatement, snapshot: MarketSnapshot) -> list[str]:
    out = []
    if snapshot.epoch != statement.epoch:
        out.append(f"the snapshot given is for epoch {snapshot.epoch}, the bundle is epoch"
                   f" {statement.epoch}")  # fmt: skip
    if cached_snapshot_hash(snapshot) != statement.snapshot_hash:
        out.append("the statement's snapshot hash is not the hash of the epoch's snapshot")
    return out


def _chunk_findings(statement: EpochStatement, chunks: list[ChunkProof]) -> list[str]:
    tree = epoch_tree(statement.commitments, statement.chunk)
    out = []
    if tree.root != statement.list_root:
        out.append("the published list root is not the Merkle root of the commitment list")
    if len(chunks) != tree.n_chunks or statement.n_chunks != tree.n_chunks:
        out.append(f"{len(chunks)} chunk proofs for {tree.n_chunks} chunks of {statement.chunk}")
        return out
    acc = acc_zero(statement.chunk)
    for position, (chunk, root) in enumerate(zip(chunks, tree.chunk_roots(), strict=True)):
        where = f"chunk {position}"
        if chunk.index != position or len(chunk.public) != N_PUBLIC:
            out.append(f"{where}: file holds index {chunk.index} or a malformed statement")
            continue
        acc_in, acc_out, chunk_root, snapshot_hash = chunk.public
        if chunk_root != root:
            out.append(f"{where}: covers other commitments than the list's chunk {position}"
                       " (left out, repeated or re-ordered)")  # fmt: skip
        if snapshot_hash != statement.snapshot_hash:
            out.append(f"{where}: proven against another snapshot (another epoch's prices)")
        if acc_in != acc:
            out.append(f"{where}: acc_in does not continue the accumulator chain")
        acc = acc_out
    if acc != accumulator(statement.totals, statement.chunk):
        out.append("the published totals are not the opening of the final accumulator")
    return out


def _proof_findings(vk: VerifyingKey, chunks: list[ChunkProof]) -> list[str]:
    from verifier.batch import batch_verify
    from verifier.snarkjs_json import proof_from_json

    items = []
    out = []
    for chunk in chunks:
        try:
            items.append((proof_from_json(chunk.proof), chunk.public))
        except ZkError as error:
            out.append(f"chunk {chunk.index}: malformed proof ({error})")
    if out:
        return out
    result = batch_verify(vk, items)
    return (
        [
            f"chunk {chunks[k].index}: the Groth16 proof does not verify ({reason})"
            for k, reason in sorted(result.reasons.items())
        ]
        if not result.all_valid
        else []
    )
