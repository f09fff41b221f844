"""Venue solvency bundles: verified on arrival, stored once per (venue, epoch), read by anyone.

A bundle is taken only under the circuit the admin declared for its epoch
(:mod:`api.services.solvency_policy`; none declared: refused). It is checked with
:func:`zkmargin.solvency.verify.verify_statement` — the same checks ``zkm solvency verify``
makes — against the venue's frozen registry (:mod:`api.services.registry`), the epoch's
posted snapshot and the declared circuit's verifying key; any finding refuses it (422, every
finding listed) and nothing is stored. A valid bundle is stored with its verdict (SOLVENT or
INSOLVENT for the venue's reserves and insurance) and is immutable: posting the same bundle
again is a no-op, a different one a conflict.

The verification lives in :mod:`zkmargin.solvency` (it is margin-specific and needs the
verifier); it is imported lazily, as :mod:`api.services.signed_snapshots` imports
:mod:`zkmargin.riskdesk`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from api.auth import Principal
from api.models import Circuit, RegistryFreeze, SolvencyRecord, utc_now
from api.services.audit import record_write
from api.services.errors import ConflictError, NotFoundError, ServiceError, StatementError
from api.services.policy_lock import lock_policy
from api.services.provenance import verdict_of
from api.services.registry import frozen_at, frozen_registry
from api.services.snapshots import get_snapshot
from api.services.solvency_policy import declared_solvency_circuit, require_declared_solvency
from api.services.verification import CircuitCache, LoadedCircuit
from api.solvency_schemas import SolvencyPost, SolvencyPublic, SolvencySummary
from api.writer import GroupCommitter

if TYPE_CHECKING:
    from zkmargin.solvency.bundle import ChunkProof, EpochStatement
    from zkmargin.solvency.verify import SolvencyReport


class SolvencyInvalidError(ServiceError):
    """The posted bundle does not prove the epoch's totals; ``findings`` says why."""

    status_code = 422

    def __init__(self, findings: list[str]) -> None:
        self.findings = findings
        more = f" (and {len(findings) - 1} more finding(s))" if len(findings) > 1 else ""
        super().__init__(f"the solvency bundle is invalid: {findings[0]}{more}")


NO_SOLVENCY = "no solvency bundle posted for this venue at this epoch"


@dataclass(frozen=True)
class _Parsed:
    statement: EpochStatement
    chunks: list[ChunkProof]
    reserves: int
    insurance: int
    statement_json: str
    chunks_json: str


def _parse(body: SolvencyPost, epoch: int) -> _Parsed:
    from zkmargin.solvency.bundle import EpochStatement, parse_chunk

    statement = EpochStatement.from_json(body.statement.model_dump())
    if statement.epoch != epoch:
        raise StatementError(f"the bundle is for epoch {statement.epoch}, not {epoch}")
    chunks = [
        parse_chunk(c.model_dump(exclude_none=True), f"chunk {n}")
        for n, c in enumerate(body.chunks)
    ]
    chunks.sort(key=lambda c: c.index)
    stored_chunks = [
        {"index": c.index, "public": [str(v) for v in c.public], "proof": c.proof} for c in chunks
    ]
    return _Parsed(
        statement=statement,
        chunks=chunks,
        reserves=int(body.reserves),
        insurance=int(body.insurance),
        statement_json=json.dumps(statement.to_json(), sort_keys=True),
        chunks_json=json.dumps(stored_chunks, sort_keys=True),
    )


def _solvency_circuit(session: Session, cache: CircuitCache, circuit_id: str) -> LoadedCircuit:
    try:
        loaded = cache.get(session=session, circuit_id=circuit_id)
    except NotFoundError as error:
        raise StatementError(str(error)) from error
    if loaded.record.margin:
        raise StatementError(f"circuit {circuit_id!r} is a margin circuit, not SolvencyChunk")
    current = session.get(Circuit, circuit_id)
    if current is not None and current.retired_at is not None:
        raise StatementError(f"circuit {circuit_id!r} is retired")
    return loaded


def _same(record: SolvencyRecord, parsed: _Parsed, circuit_id: str) -> bool:
    return (record.statement, record.chunks, record.reserves, record.insurance,
            record.circuit_id) == (parsed.statement_json, parsed.chunks_json,
                                   str(parsed.reserves), str(parsed.insurance),
                                   circuit_id)  # fmt: skip


def _verify(
    session: Session, loaded: LoadedCircuit, parsed: _Parsed, registry: list[int], epoch: int
) -> SolvencyReport:
    from circuits.margin.loading import load_snapshot
    from zkmargin.solvency.verify import verify_statement

    snapshot = load_snapshot(json.loads(get_snapshot(session=session, epoch=epoch).snapshot))
    report = verify_statement(
        parsed.statement, parsed.chunks, loaded.vk, snapshot, reserves=parsed.reserves,
        insurance=parsed.insurance, registry=registry,
    )  # fmt: skip
    if not report.valid:
        raise SolvencyInvalidError(report.findings)
    return report


def post_solvency(
    *,
    writer: GroupCommitter,
    session: Session,
    cache: CircuitCache,
    principal: Principal,
    epoch: int,
    body: SolvencyPost,
    allow_unsafe: bool,
) -> tuple[SolvencyRecord, bool]:
    """Verify the key's venue's bundle of ``epoch`` and store it; return (record, created).

    Raises:
        StatementError: the bundle names another epoch, or an unknown, retired or margin
            circuit (422); MalformedInputError: a malformed statement or chunk (422).
        UndeclaredSolvencyCircuitError: no circuit is declared for solvency bundles at the
            epoch, or another one is (422, ``code`` and ``declared_circuit``).
        RegistryNotFrozenError: the venue has not frozen its registry at the epoch (409).
        NotFoundError: no snapshot is posted for the epoch (404).
        SolvencyInvalidError: any finding of the verification (422, ``findings``).
        ConflictError: a different bundle is already stored for (venue, epoch) (409).
    """
    venue_id = principal.venue_id
    assert venue_id is not None  # a venue key always names its venue (api.auth)
    parsed = _parse(body, epoch)
    existing = session.get(SolvencyRecord, (venue_id, epoch))
    if existing is not None:
        if _same(existing, parsed, body.circuit_id):
            return existing, False
        raise ConflictError(f"a different solvency bundle is stored for epoch {epoch}")
    _, registry = frozen_registry(session=session, venue_id=venue_id, epoch=epoch)
    loaded = _solvency_circuit(session, cache, body.circuit_id)
    declared = require_declared_solvency(
        session, circuit_id=body.circuit_id, epoch=epoch, allow_unsafe=allow_unsafe
    )
    fingerprint = loaded.vk.fingerprint()
    if declared.fingerprint != fingerprint:  # a circuit's key never changes once registered
        raise StatementError(f"circuit {body.circuit_id!r}'s key is not the declared one")
    report = _verify(session, loaded, parsed, registry, epoch)

    def job(session: Session) -> tuple[SolvencyRecord, bool]:
        stored = session.get(SolvencyRecord, (venue_id, epoch))
        if stored is not None:  # another request stored one meanwhile
            if _same(stored, parsed, body.circuit_id):
                return stored, False
            raise ConflictError(f"a different solvency bundle is stored for epoch {epoch}")
        # The admin may have declared another circuit (or retired this one) meanwhile; one
        # that starts now waits for this store (api.services.policy).
        lock_policy(session, margin=False, exclusive=False)
        require_declared_solvency(
            session, circuit_id=body.circuit_id, epoch=epoch, allow_unsafe=allow_unsafe
        )
        record = SolvencyRecord(
            venue_id=venue_id, epoch=epoch, circuit_id=body.circuit_id, fingerprint=fingerprint,
            statement=parsed.statement_json, chunks=parsed.chunks_json,
            list_root=str(parsed.statement.list_root),
            totals=json.dumps(parsed.statement.totals.to_json(), sort_keys=True),
            reserves=str(parsed.reserves), insurance=str(parsed.insurance),
            verdict=report.verdict(), posted_by=principal.key_id, created_at=utc_now(),
        )  # fmt: skip
        session.add(record)
        record_write(
            session=session,
            key_id=principal.key_id,
            role=principal.role.value,
            action="solvency.post",
            target=f"venue={venue_id} epoch={epoch}",
            detail={
                "verdict": record.verdict,
                "list_root": record.list_root,
                "circuit_id": body.circuit_id,
                "fingerprint": fingerprint,
            },
        )
        return record, True

    return writer.run(job)


def get_solvency(*, session: Session, venue_id: str, epoch: int) -> SolvencyRecord:
    """Return the stored bundle of (venue, epoch) (NotFoundError when none was posted)."""
    record = session.get(SolvencyRecord, (venue_id, epoch))
    if record is None:
        raise NotFoundError(NO_SOLVENCY)
    return record


def _is_declared(session: Session, record: SolvencyRecord) -> bool:
    declared = declared_solvency_circuit(session, record.epoch)
    return declared is not None and (declared.circuit_id, declared.fingerprint) == (
        record.circuit_id,
        record.fingerprint,
    )


def summary_of(session: Session, record: SolvencyRecord) -> SolvencySummary:
    """Return the clearing view of ``record``: verdict, totals and what they rest on."""
    statement: dict[str, Any] = json.loads(record.statement)
    totals: dict[str, str] = json.loads(record.totals)
    covered = int(totals["liabilities"]) + int(totals["deficit"])
    surplus = int(record.reserves) + int(record.insurance) - covered
    circuit = session.get(Circuit, record.circuit_id)
    provenance = circuit.provenance if circuit is not None else "dev"
    freeze = frozen_at(session, record.venue_id, record.epoch)
    assert isinstance(freeze, RegistryFreeze)  # a bundle is only stored over a frozen registry
    return SolvencySummary(
        venue_id=record.venue_id,
        epoch=record.epoch,
        verdict="SOLVENT" if record.verdict == "SOLVENT" else "INSOLVENT",
        solvent=record.verdict == "SOLVENT",
        totals=totals,
        reserves=record.reserves,
        insurance=record.insurance,
        covered=str(covered),
        surplus=str(surplus),
        n_accounts=len(statement["commitments"]),
        n_chunks=int(statement["n_chunks"]),
        list_root=record.list_root,
        snapshot_hash=str(statement["snapshot_hash"]),
        circuit=verdict_of(record.circuit_id, record.fingerprint, provenance),
        declared=_is_declared(session, record),
        registry_frozen_at=freeze.frozen_at,
        posted_at=record.created_at,
    )


def public_of(session: Session, record: SolvencyRecord) -> SolvencyPublic:
    """Return ``record`` whole: the summary plus the bundle's statement and chunk proofs."""
    summary = summary_of(session, record)
    return SolvencyPublic(
        **summary.model_dump(),
        statement=json.loads(record.statement),
        chunks=json.loads(record.chunks),
    )
