"""What the demo observed, as plain data: per account, the cheat attempt, the audit, timings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from zkmargin.audit.report import AuditReport
from zkmargin.demo.keys import DemoKeys


@dataclass
class AccountOutcome:
    """One account's journey: reference verdict, proof, service verdict and status.

    Attributes:
        account_id: the account's id at the venue and the service.
        reference_compliant: the reference engine's verdict.
        prove_seconds: solve + prove wall time (None when no proof exists).
        circuit_refused: for a non-compliant account, whether the circuit refused it.
        accepted: the service's verdict on the submitted proof (None when none was sent).
        status: what the clearing protocol was told (compliant, non_compliant, missing).
    """

    account_id: str
    reference_compliant: bool
    prove_seconds: float | None = None
    circuit_refused: bool | None = None
    accepted: bool | None = None
    status: str | None = None

    @property
    def matches(self) -> bool:
        """Return whether every verdict about this account agrees with the reference engine."""
        if self.reference_compliant:
            return self.accepted is True and self.status == "compliant"
        return self.circuit_refused is True and self.accepted is None and self.status != "compliant"


@dataclass(frozen=True)
class CheatAttempt:
    """A non-compliant trader submitting a compliant account's proof as their own."""

    cheater: str
    victim: str
    refused: bool
    answer: str


@dataclass
class DemoResult:
    """Everything the summary shows; ``ok`` decides the exit code."""

    out_dir: Path
    database_url: str
    service_url: str
    epoch: int
    size: str
    keys: DemoKeys
    statement: str
    accounts: list[AccountOutcome] = field(default_factory=list)
    service_counts: dict[str, int] = field(default_factory=dict)
    cheat: CheatAttempt | None = None
    audit: AuditReport | None = None
    batch_rate: float = 0.0
    html_report: Path | None = None
    json_report: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def proofs(self) -> int:
        """Return how many proofs the traders submitted."""
        return sum(a.accepted is not None for a in self.accounts)

    @property
    def audit_ok(self) -> bool:
        """Return whether the audit found every submitted proof valid, as the service did."""
        audit = self.audit
        if audit is None:
            return False
        return audit.clean and not audit.disagreements and audit.checked == self.proofs

    @property
    def ok(self) -> bool:
        """Return whether every verdict matched the reference engine and every check held."""
        cheat_ok = self.cheat is None or self.cheat.refused
        return (
            bool(self.accounts)
            and all(a.matches for a in self.accounts)
            and cheat_ok
            and (self.audit_ok)
        )
