"""Compliance status per (account, epoch) and the epoch report.

Only records under the circuit declared for the epoch count (:mod:`api.services.policy`).
An account is *compliant* at an epoch when it has an accepted proof there under that
circuit, *non_compliant* when such proofs were submitted but none verified, and *missing*
when none was submitted (its commitment may still be registered). Every answer names the
circuit, key fingerprint and provenance it rests on, and says UNSAFE when it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Commitment, ProofRecord, Snapshot
from api.schemas import AccountStatus, EpochReport, StatusValue, Verdict
from api.services.policy import declared_circuit
from api.services.provenance import verdict_of


def epoch_verdict(session: Session, epoch: int) -> Verdict:
    """Return what the epoch's verdicts rest on: its declared circuit (empty if none)."""
    declared = declared_circuit(session, epoch)
    if declared is None:
        return Verdict()
    return verdict_of(declared.circuit_id, declared.fingerprint, declared.provenance)


def _strongest(records: Iterable[ProofRecord]) -> ProofRecord | None:
    accepted = [r for r in records if r.valid]
    if not accepted:
        return None
    return max(accepted, key=lambda r: (r.requirement_kind, r.buffer_ppm, -r.id))


def _status_of(
    account_id: str,
    epoch: int,
    records: Sequence[ProofRecord],
    committed: bool,
    verdict: Verdict,
) -> AccountStatus:
    records = [r for r in records if r.circuit_id == verdict.circuit_id]
    best = _strongest(records)
    if best is None:
        status: StatusValue = "non_compliant" if records else "missing"
        return AccountStatus(
            account_id=account_id,
            epoch=epoch,
            status=status,
            commitment_registered=committed,
            verdict=verdict,
        )
    return AccountStatus(
        account_id=account_id,
        epoch=epoch,
        status="compliant",
        commitment_registered=committed,
        requirement_kind=best.requirement_kind,
        buffer_ppm=best.buffer_ppm,
        verified_at=best.created_at,
        proof_id=best.id,
        verdict=verdict,
    )


def account_status(*, session: Session, account_id: str, epoch: int) -> AccountStatus:
    """Return the compliance status of ``account_id`` at ``epoch``."""
    query = select(ProofRecord).where(
        ProofRecord.account_id == account_id, ProofRecord.epoch == epoch
    )
    records = session.scalars(query).all()
    committed = session.get(Commitment, (account_id, epoch)) is not None
    return _status_of(account_id, epoch, records, committed, epoch_verdict(session, epoch))


def epoch_report(*, session: Session, epoch: int) -> EpochReport:
    """Return counts per status and the accounts that are not compliant at ``epoch``."""
    committed = set(
        session.scalars(select(Commitment.account_id).where(Commitment.epoch == epoch)).all()
    )
    by_account: dict[str, list[ProofRecord]] = {account: [] for account in committed}
    for record in session.scalars(select(ProofRecord).where(ProofRecord.epoch == epoch)):
        by_account.setdefault(record.account_id, []).append(record)
    verdict = epoch_verdict(session, epoch)
    statuses = [
        _status_of(account, epoch, records, account in committed, verdict)
        for account, records in sorted(by_account.items())
    ]
    snapshot = session.get(Snapshot, epoch)
    return EpochReport(
        epoch=epoch,
        snapshot_hash=snapshot.snapshot_hash if snapshot else None,
        verdict=verdict,
        accounts=len(statuses),
        compliant=sum(s.status == "compliant" for s in statuses),
        non_compliant=sum(s.status == "non_compliant" for s in statuses),
        missing=sum(s.status == "missing" for s in statuses),
        non_compliant_accounts=[s.account_id for s in statuses if s.status == "non_compliant"],
        missing_accounts=[s.account_id for s in statuses if s.status == "missing"],
    )


def iter_epoch_proofs(*, session: Session, epoch: int, chunk: int = 500) -> Iterator[ProofRecord]:
    """Yield every proof record of ``epoch`` in id order, fetching ``chunk`` rows at a time."""
    last_id = 0
    while True:
        query = (
            select(ProofRecord)
            .where(ProofRecord.epoch == epoch, ProofRecord.id > last_id)
            .order_by(ProofRecord.id)
            .limit(chunk)
        )
        rows = session.scalars(query).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def epoch_commitments(*, session: Session, epoch: int) -> dict[str, str]:
    """Return every commitment registered at ``epoch``, by account id (decimal strings)."""
    rows = session.execute(
        select(Commitment.account_id, Commitment.commitment).where(Commitment.epoch == epoch)
    )
    return {account_id: commitment for account_id, commitment in rows}
