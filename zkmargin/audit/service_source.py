"""Pull an epoch's proofs from the verifier service and check them against its records.

``GET /v1/epochs/{epoch}/proofs`` (auditor key) streams one ``ProofExport`` per line. Before
any pairing each line is checked against what the service holds: the circuit's registered
key must be the auditor's key (same fingerprint, else the audit stops: wrong key), the line
must belong to the epoch, and for margin proofs ``[C, snapshot_hash, kind, buffer_ppm]``
the ``C`` must be the commitment the venue registered for (account, epoch) and
``snapshot_hash`` the hash of the epoch's snapshot. A line failing those is an invalid
``statement`` item; the pairing check is left to the audit. The service's own verdict is
kept, so the report can show where the audit disagrees with it.

The snapshot hash is never taken on the service's word: the auditor validates the snapshot
body the service serves and hashes it itself (the circuit's Poseidon sponge). A service that
pairs the real snapshot with another snapshot's hash — so that proofs made at other prices
match its records — is a finding of its own, and those proofs are invalid statements.
After the audit, :meth:`ServiceEpoch.coverage` counts the registered accounts proven valid,
invalid and missing (:mod:`zkmargin.audit.coverage`).
The snapshot's signed metadata (``GET /v1/snapshots/{epoch}/provenance``) is checked too: a
signature that is missing or invalid where the snapshot claims one is an epoch-level finding.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from algebra.errors import ZkError
from api.client import ServiceCallError, ZkmClient
from api.schemas import ProofExport
from verifier.audit.items import AuditItem, parse_statement, rejected
from verifier.keys import VerifyingKey
from zkmargin.audit.coverage import Coverage, ServiceAccounts, account_coverage
from zkmargin.audit.report import AuditReport
from zkmargin.audit.run import KeyMismatchError
from zkmargin.audit.snapshot_signature import SignatureCheck
from zkmargin.audit.stats import MARGIN_N_PUBLIC

T = TypeVar("T")
RETRY_STATUS = frozenset({429, 503})
RETRY_DELAYS = (0.1, 0.3, 1.0, 3.0)


def snapshot_hash_of(body: dict[str, Any], epoch: int) -> int:
    """Return the Poseidon ``snapshot_hash`` of a snapshot body, validated as the circuit needs.

    Raises:
        MalformedInputError: the body is not a valid market snapshot, or names another epoch.
    """
    from algebra.errors import MalformedInputError
    from circuits.margin.commitment import snapshot_hash
    from circuits.margin.loading import load_snapshot

    inner = body.get("epoch")
    if inner is not None and inner != epoch:
        raise MalformedInputError(f"the snapshot's own epoch {inner!r} is not {epoch}")
    return int(snapshot_hash(load_snapshot(body)))


def call_with_retry(call: Callable[[], T]) -> T:
    """Return ``call()``, retrying after a back-off when the service says 429 or 503."""
    for delay in RETRY_DELAYS:
        try:
            return call()
        except ServiceCallError as error:
            if error.status_code not in RETRY_STATUS:
                raise
        time.sleep(delay)
    return call()


@dataclass
class ServiceEpoch:
    """An epoch pulled from the service, with the records each line is checked against."""

    client: ZkmClient
    epoch: int
    vk: VerifyingKey
    url: str
    snapshot_hash: int | None = None
    served_snapshot_hash: int | None = None
    findings: list[str] = field(default_factory=list)
    positions_by_account: dict[str, list[int]] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    commitments: dict[str, int | None] = field(default_factory=dict)
    account_ids: set[str] = field(default_factory=set)
    lines: int = 0
    service_valid: int = 0
    signature: SignatureCheck | None = None
    export_mismatch: bool = False

    def load_snapshot(self) -> None:
        """Fetch the epoch's snapshot and hash its body here; record a finding on a mismatch.

        ``snapshot_hash`` is the auditor's own hash of the served body (None when the oracle
        posted no snapshot or the body is not a valid snapshot). The snapshot's signature is
        checked too (:func:`zkmargin.audit.snapshot_signature.check_provenance`).
        """
        from zkmargin.audit.snapshot_signature import check_provenance

        try:
            snapshot = call_with_retry(lambda: self.client.get_snapshot(self.epoch))
        except ServiceCallError as error:
            if error.status_code != 404:
                raise
            return
        self.served_snapshot_hash = int(snapshot.snapshot_hash)
        provenance = call_with_retry(lambda: self.client.snapshot_provenance(self.epoch))
        self.signature = check_provenance(snapshot.snapshot, provenance)
        try:
            recomputed = snapshot_hash_of(snapshot.snapshot, self.epoch)
        except ZkError as error:
            self.findings.append(
                f"the snapshot the service serves for epoch {self.epoch} is not a valid market"
                f" snapshot ({error}); no margin proof of the epoch can be checked against it"
            )
            return
        self.snapshot_hash = recomputed
        if recomputed != self.served_snapshot_hash:
            self.findings.append(
                f"snapshot hash mismatch: the service gives snapshot_hash"
                f" {self.served_snapshot_hash} for epoch {self.epoch}, but the snapshot it serves"
                f" hashes to {recomputed}"
            )

    def items(self) -> Iterator[AuditItem]:
        """Yield one item per exported proof, in the service's order (oldest first)."""
        self.load_snapshot()
        for position, line in enumerate(self.client.epoch_proofs(self.epoch)):
            self.lines += 1
            self.service_valid += int(line.valid)
            yield self._item(position, line)

    def _item(self, position: int, line: ProofExport) -> AuditItem:
        item_id = f"proof {line.proof_id} ({line.account_id})"
        self._check_export_signature(line)
        self.account_ids.add(line.account_id)
        self.positions_by_account.setdefault(line.account_id, []).append(position)
        self._check_circuit(line.circuit_id)
        try:
            proof, public = parse_statement(line.proof, line.public_inputs)
        except (ZkError, TypeError, ValueError) as error:
            return _with_verdict(rejected(position, item_id, str(error), epoch=line.epoch), line)
        problem = self._statement_problem(line, public)
        if problem is not None:
            return _with_verdict(
                rejected(position, item_id, problem, "statement", line.epoch), line
            )
        return AuditItem(position, item_id, proof, public, line.epoch, service_valid=line.valid)

    def _check_export_signature(self, line: ProofExport) -> None:
        """Note an export line whose snapshot signer or signature is not the served one."""
        served = self.signature
        if served is None:
            return
        if (line.snapshot_signer_key_id, line.snapshot_signature) != (
            served.signer_key_id,
            served.signature,
        ):
            self.export_mismatch = True

    def _check_circuit(self, circuit_id: str) -> None:
        if circuit_id not in self.fingerprints:
            circuit = call_with_retry(lambda: self.client.get_circuit(circuit_id))
            self.fingerprints[circuit_id] = circuit.fingerprint
        if self.fingerprints[circuit_id] != self.vk.fingerprint():
            registered = self.fingerprints[circuit_id][:16]
            raise KeyMismatchError(
                f"circuit {circuit_id!r} is registered with key {registered}…, "
                f"but --vk is {self.vk.fingerprint()[:16]}…: wrong key"
            )

    def _statement_problem(self, line: ProofExport, public: tuple[int, ...]) -> str | None:
        if line.epoch != self.epoch:
            return f"exported under epoch {self.epoch} but belongs to epoch {line.epoch}"
        if len(public) != MARGIN_N_PUBLIC or self.vk.n_public != MARGIN_N_PUBLIC:
            return None
        registered = (
            int(line.registered_commitment)
            if line.registered_commitment is not None
            else self._commitment(line.account_id)
        )
        if registered is None:
            return f"no commitment registered for {line.account_id} at epoch {self.epoch}"
        if public[0] != registered:
            return f"public input C differs from the commitment registered for {line.account_id}"
        if self.snapshot_hash is None and self.served_snapshot_hash is None:
            return f"no snapshot posted for epoch {self.epoch}"
        if self.snapshot_hash is None:
            return f"epoch {self.epoch}'s snapshot is not a valid market snapshot"
        if public[1] != self.snapshot_hash:
            return (
                f"public input snapshot_hash differs from the hash of epoch {self.epoch}'s"
                " snapshot (recomputed by the auditor)"
            )
        return None

    def _commitment(self, account_id: str) -> int | None:
        if account_id not in self.commitments:
            try:
                record = call_with_retry(lambda: self.client.get_commitment(account_id, self.epoch))
                self.commitments[account_id] = int(record.commitment)
            except ServiceCallError as error:
                if error.status_code != 404:
                    raise
                self.commitments[account_id] = None
        return self.commitments[account_id]

    def coverage(self, report: AuditReport) -> Coverage | None:
        """Return the audit's per-account coverage of the epoch (None for a sampled audit).

        The registered accounts come from the service's epoch report (auditor key); its
        figures are checked against the export and the audit's verdicts.
        """
        if report.sample is not None:
            return None
        summary = call_with_retry(lambda: self.client.epoch_report(self.epoch))
        accounts = ServiceAccounts(
            accounts=summary.accounts,
            compliant=summary.compliant,
            missing=frozenset(summary.missing_accounts),
            non_compliant=frozenset(summary.non_compliant_accounts),
        )
        invalid_positions = {entry.position for entry in report.invalid}
        return account_coverage(accounts, self.positions_by_account, invalid_positions)

    def annotate(self, report: AuditReport) -> None:
        """Add the service's records, the coverage and every finding to ``report``.

        Call after the audit, with the client still open (the coverage reads the epoch report).
        """
        report.coverage = self.coverage(report)
        report.service = self.summary()
        coverage_findings = report.coverage.findings if report.coverage is not None else ()
        report.findings = [*self.findings, *self.signature_findings(), *coverage_findings]

    def summary(self) -> dict[str, Any]:
        """Return what the report says about the service and its records."""
        served = self.served_snapshot_hash
        return {
            "url": self.url,
            "epoch": self.epoch,
            "snapshot_hash": None if self.snapshot_hash is None else str(self.snapshot_hash),
            "served_snapshot_hash": None if served is None else str(served),
            "exported_proofs": self.lines,
            "service_accepted": self.service_valid,
            "circuits": dict(self.fingerprints),
            "accounts_with_proofs": len(self.account_ids),
            "snapshot_signature": None if self.signature is None else self.signature.to_json(),
        }

    def signature_findings(self) -> list[str]:
        """Return the epoch-level findings (a snapshot whose signature does not check out)."""
        found = []
        if self.signature is not None and self.signature.problem is not None:
            found.append(f"epoch {self.epoch} snapshot signature: {self.signature.problem}")
        if self.export_mismatch:
            found.append(
                f"epoch {self.epoch}: the export names another snapshot signer or signature"
                " than the snapshot's provenance"
            )
        return found


def _with_verdict(item: AuditItem, line: ProofExport) -> AuditItem:
    return AuditItem(
        item.position, item.item_id, None, None, item.epoch, item.error, item.error_kind, line.valid
    )
