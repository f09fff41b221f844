"""Pull an epoch's proofs from the verifier service and check them against its records.

``GET /v1/epochs/{epoch}/proofs`` (auditor key) streams one ``ProofExport`` per line. Before
any pairing each line is checked against what the service holds: the circuit's registered
key must be the auditor's key (same fingerprint, else the audit stops: wrong key), the line
must belong to the epoch, and for margin proofs ``[C, snapshot_hash, kind, buffer_ppm]``
the ``C`` must be the commitment the venue registered for (account, epoch) and
``snapshot_hash`` the hash of the epoch's snapshot. A line failing those is an invalid
``statement`` item; the pairing check is left to the audit. The snapshot's signed
metadata (``GET /v1/snapshots/{epoch}/provenance``) is checked too: a signature that is
missing or invalid where the snapshot claims one is an epoch-level finding. The service's
own verdict is kept, so the report can show where the audit disagrees with it.
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
from zkmargin.audit.run import KeyMismatchError
from zkmargin.audit.snapshot_signature import SignatureCheck
from zkmargin.audit.stats import MARGIN_N_PUBLIC

T = TypeVar("T")
RETRY_STATUS = frozenset({429, 503})
RETRY_DELAYS = (0.1, 0.3, 1.0, 3.0)


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
    fingerprints: dict[str, str] = field(default_factory=dict)
    commitments: dict[str, int | None] = field(default_factory=dict)
    account_ids: set[str] = field(default_factory=set)
    lines: int = 0
    service_valid: int = 0
    signature: SignatureCheck | None = None
    export_mismatch: bool = False

    def load_snapshot(self) -> None:
        """Fetch the epoch's snapshot hash (None when the oracle posted no snapshot) and
        check its signature (see :func:`zkmargin.audit.snapshot_signature.check_provenance`)."""
        from zkmargin.audit.snapshot_signature import check_provenance

        try:
            snapshot = call_with_retry(lambda: self.client.get_snapshot(self.epoch))
        except ServiceCallError as error:
            if error.status_code != 404:
                raise
            return
        self.snapshot_hash = int(snapshot.snapshot_hash)
        provenance = call_with_retry(lambda: self.client.snapshot_provenance(self.epoch))
        self.signature = check_provenance(snapshot.snapshot, provenance)

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
        if self.snapshot_hash is None:
            return f"no snapshot posted for epoch {self.epoch}"
        if public[1] != self.snapshot_hash:
            return f"public input snapshot_hash differs from epoch {self.epoch}'s snapshot"
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

    def summary(self) -> dict[str, Any]:
        """Return what the report says about the service and its records."""
        return {
            "url": self.url,
            "epoch": self.epoch,
            "snapshot_hash": None if self.snapshot_hash is None else str(self.snapshot_hash),
            "exported_proofs": self.lines,
            "service_accepted": self.service_valid,
            "circuits": dict(self.fingerprints),
            "accounts": len(self.account_ids),
            "snapshot_signature": None if self.signature is None else self.signature.to_json(),
        }

    def findings(self) -> list[str]:
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
