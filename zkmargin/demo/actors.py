"""Each actor's part of the demo, over real HTTP to the service (:class:`api.client.ZkmClient`).

The admin registers the circuit's verifying key, the oracle posts the snapshot, the
venue commits to every account and registers the commitments, each trader proves on
"their machine" (this process) and submits, the clearing protocol asks for every
account's status, and the auditor pulls the epoch and batch-verifies it independently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from algebra.errors import ZkError
from api.auth import Role
from api.client import ServiceCallError, ZkmClient
from api.schemas import CircuitPublic
from api.services.provenance import sha256_file
from circuits.margin.commitment import commit, snapshot_hash
from circuits.margin.model import AccountState, MarketSnapshot, Opening
from verifier.audit.items import AuditItem
from verifier.keys import VerifyingKey
from zkmargin.audit.report import AuditReport
from zkmargin.demo.keys import DemoKeys
from zkmargin.demo.outcome import AccountOutcome, CheatAttempt
from zkmargin.demo.server import InProcessService
from zkmargin.demo.trader import ProverKit, Statement, TraderResult, prove_account

Advance = Callable[[], None]
VENUE = "demo-venue"
MARKET = "default"


class DemoCheckError(ZkError):
    """The service disagrees with what the demo computed locally (e.g. the snapshot hash)."""


def admin_setup(
    service: InProcessService,
    circuit_id: str,
    keys: DemoKeys,
    description: str,
    epoch: int,
    accounts: Sequence[str],
) -> CircuitPublic:
    """As the admin, register the margin circuit's verifying key under ``circuit_id``, declare
    it the circuit that counts at ``epoch``, open the epoch and enrol the venue's accounts.

    Dev keys are registered as ``dev`` (the service runs with ``--allow-unsafe-keys``, and
    every verdict under them says UNSAFE); the local ceremony's keys, whose transcript the
    demo verified with ``zkm zkey verify``, are registered with the admin's attestation.
    """
    ceremony = None
    if not keys.unsafe:
        ceremony = {"attested_offline": True, "transcript_sha256": sha256_file(keys.zkey)}
    with ZkmClient(service.url, service.issue_key(Role.ADMIN, label="demo admin")) as admin:
        circuit = admin.register_circuit(
            circuit_id,
            keys.verifying_key_json(),
            margin=True,
            description=description,
            provenance="dev" if keys.unsafe else "ceremony-verified",
            ceremony=ceremony,
        )
        admin.declare_margin_circuit(
            circuit_id, from_epoch=epoch, to_epoch=epoch, fingerprint=circuit.fingerprint
        )
        admin.open_epoch(epoch, market=MARKET)
        admin.enroll_accounts(VENUE, accounts)
    return circuit


def post_snapshot(service: InProcessService, snapshot: MarketSnapshot, desk: Path) -> int:
    """As the admin, register the risk desk's signing key for a new oracle key; as the
    oracle, post the epoch's snapshot with its signed metadata, market inputs and policy
    (from the risk desk's directory ``desk``); return its hash (checked against ours)."""
    from zkmargin.riskdesk.publication import signed_parts

    key = service.issue_key(Role.ORACLE, label="demo oracle", markets=[MARKET])
    with ZkmClient(service.url, service.issue_key(Role.ADMIN, label="demo admin")) as admin:
        admin.register_signing_key(key.split("_")[1], (desk / "oracle.pub.pem").read_text())
    signed = signed_parts(desk / "snapshot.sig.json", desk / "market.json", desk / "policy.json")
    with ZkmClient(service.url, key) as oracle:
        posted = oracle.post_snapshot(snapshot.epoch, snapshot.model_dump(mode="json"), signed)
    local = snapshot_hash(snapshot)
    if int(posted.snapshot_hash) != local:
        raise DemoCheckError("the service's snapshot hash differs from the locally computed one")
    return local


def register_commitments(
    service: InProcessService,
    epoch: int,
    books: Sequence[tuple[str, AccountState]],
    advance: Advance,
) -> dict[str, Opening]:
    """As the venue, commit to every account (fresh salt) and register ``C``; return the
    openings, which the venue hands to each trader privately."""
    openings: dict[str, Opening] = {}
    key = service.issue_key(Role.VENUE, label="demo venue", venue=VENUE)
    with ZkmClient(service.url, key) as venue:
        for account_id, state in books:
            opening = commit(state)
            venue.register_commitment(account_id, epoch, opening.commitment)
            openings[account_id] = opening
            advance()
    return openings


def trader_turn(
    service: InProcessService,
    kit: ProverKit,
    circuit_id: str,
    account_id: str,
    opening: Opening,
    snapshot: MarketSnapshot,
    statement: Statement,
) -> tuple[AccountOutcome, TraderResult, str]:
    """As the trader of ``account_id``, prove locally and submit; return the outcome, the
    local result and the trader's API key (scoped to this account)."""
    key = service.issue_key(Role.TRADER, accounts=[account_id], label=f"demo {account_id}")
    result = prove_account(kit, opening, snapshot, statement)
    outcome = AccountOutcome(
        account_id=account_id,
        reference_compliant=result.reference_compliant,
        prove_seconds=result.prove_seconds,
        circuit_refused=result.circuit_refused,
    )
    if result.proof is not None and result.public is not None:
        with ZkmClient(service.url, key) as trader:
            record = trader.submit_proof(
                account_id, snapshot.epoch, circuit_id, result.proof, result.public
            )
        outcome.accepted = record.valid
    return outcome, result, key


def attempt_cheat(
    service: InProcessService,
    circuit_id: str,
    epoch: int,
    cheater: tuple[str, str],
    victim: tuple[str, TraderResult],
) -> CheatAttempt:
    """As a non-compliant trader (``(account, key)``), submit another account's valid proof
    as one's own: the service must refuse it, because the proof is bound to the victim's C."""
    cheater_id, key = cheater
    victim_id, stolen = victim
    assert stolen.proof is not None and stolen.public is not None
    with ZkmClient(service.url, key) as trader:
        try:
            record = trader.submit_proof(cheater_id, epoch, circuit_id, stolen.proof, stolen.public)
        except ServiceCallError as error:
            return CheatAttempt(cheater_id, victim_id, refused=True, answer=error.detail)
    verdict = "accepted" if record.valid else "recorded as invalid"
    return CheatAttempt(cheater_id, victim_id, refused=not record.valid, answer=verdict)


def query_statuses(
    service: InProcessService,
    epoch: int,
    outcomes: Sequence[AccountOutcome],
    advance: Advance,
) -> tuple[dict[str, int], set[str]]:
    """As the clearing protocol, ask the status of every account; return the epoch's counts
    and the warnings the answers carried (the UNSAFE label of dev keys)."""
    key = service.issue_key(Role.CLEARING, label="demo clearing")
    warnings: set[str] = set()
    with ZkmClient(service.url, key) as clearing:
        for outcome in outcomes:
            answer = clearing.status(outcome.account_id, epoch)
            outcome.status = answer.status
            if answer.verdict.warning is not None:
                warnings.add(answer.verdict.warning)
            advance()
        report = clearing.epoch_report(epoch)
    if report.verdict.warning is not None:
        warnings.add(report.verdict.warning)
    return {
        "accounts": report.accounts,
        "compliant": report.compliant,
        "non_compliant": report.non_compliant,
        "missing": report.missing,
    }, warnings


def audit_epoch(
    service: InProcessService,
    vk: VerifyingKey,
    epoch: int,
    reports: tuple[Path, Path],
    expected: int,
    quiet: bool,
) -> tuple[AuditReport, float]:
    """As the auditor, pull every proof of the epoch, check each against the service's
    records and batch-verify them (``expected`` proofs, for the progress bar); write the
    JSON and HTML reports (``reports``). Return the report and the rate of the batch
    verification alone (proofs/s, the same proofs verified again without the HTTP pull)."""
    import json

    from zkmargin.audit.html_report import render_html
    from zkmargin.audit.progress import audit_progress
    from zkmargin.audit.run import AuditOptions, run_audit
    from zkmargin.audit.service_source import ServiceEpoch

    key = service.issue_key(Role.AUDITOR, label="demo auditor")
    kept: list[AuditItem] = []

    def keep(items: Iterator[AuditItem]) -> Iterator[AuditItem]:
        for item in items:
            kept.append(item)
            yield item

    with ZkmClient(service.url, key) as auditor:
        pulled = ServiceEpoch(client=auditor, epoch=epoch, vk=vk, url=service.url)
        source = f"service {service.url} epoch {epoch}"
        with audit_progress(expected, disabled=quiet) as advance:
            report = run_audit(vk, keep(pulled.items()), source=source, options=AuditOptions(),
                               advance=advance)  # fmt: skip
        pulled.annotate(report)
    json_path, html_path = reports
    json_path.write_text(json.dumps(report.to_json(), indent=2) + "\n")
    html_path.write_text(render_html(report), encoding="utf-8")
    return report, batch_rate(vk, kept)


def batch_rate(vk: VerifyingKey, items: Sequence[AuditItem]) -> float:
    """Return proofs/s of :func:`verifier.batch.batch_verify` alone over ``items``."""
    import time

    from verifier.batch import batch_verify

    statements = [
        (i.proof, i.public) for i in items if i.proof is not None and i.public is not None
    ]
    if not statements:
        return 0.0
    start = time.perf_counter()
    batch_verify(vk, statements)
    return len(statements) / max(time.perf_counter() - start, 1e-9)
