"""The audit report: what was checked, how, how fast, and which proofs are invalid and why.

:class:`AuditReport` is plain data; :meth:`AuditReport.to_json` gives the ``--report``
file (schema ``zkmargin/audit-report/v1``) and :mod:`zkmargin.audit.html_report` renders
the same data as a self-contained HTML page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from zkmargin.audit.coverage import Coverage
from zkmargin.audit.stats import EpochStats

SCHEMA = "zkmargin/audit-report/v1"
InvalidKind = Literal["malformed", "statement", "verification"]


@dataclass(frozen=True)
class InvalidEntry:
    """One invalid proof: where it is in the source, its id, and why it is invalid."""

    position: int
    item_id: str
    reason: str
    kind: InvalidKind
    epoch: int | None = None
    service_valid: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form (the service's verdict only when there is one)."""
        out: dict[str, Any] = {
            "id": self.item_id,
            "position": self.position,
            "kind": self.kind,
            "reason": self.reason,
            "epoch": self.epoch,
        }
        if self.service_valid is not None:
            out["service_valid"] = self.service_valid
        return out


@dataclass(frozen=True)
class KeyInfo:
    """The verifying key audited against."""

    fingerprint: str
    n_public: int
    margin: bool


@dataclass
class AuditReport:
    """The outcome of one audit (see the module docstring)."""

    source: str
    backend: str
    method: str
    runner: str
    chunk_size: int
    key: KeyInfo
    entries: int = 0
    valid: int = 0
    invalid: list[InvalidEntry] = field(default_factory=list)
    epochs: list[EpochStats] = field(default_factory=list)
    sample: dict[str, Any] | None = None
    service: dict[str, Any] | None = None
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    coverage: Coverage | None = None
    findings: list[str] = field(default_factory=list)
    """Epoch-level findings beyond single proofs (a snapshot hash or signature that fails)."""
    started_at: str = ""
    total_seconds: float = 0.0

    @property
    def checked(self) -> int:
        """How many proofs were audited (all entries, or the sample)."""
        return self.valid + len(self.invalid)

    @property
    def all_valid(self) -> bool:
        """Whether every audited proof is valid (:attr:`clean` also needs no findings)."""
        return not self.invalid

    @property
    def clean(self) -> bool:
        """Whether every audited proof is valid and nothing was found against the source."""
        return self.all_valid and not self.findings

    def headline(self) -> str:
        """Return the one-line verdict: proofs, then (service audits) accounts and findings.

        E.g. ``All 5 proofs valid · 5 of 10 registered accounts proven valid · 0 invalid ·
        5 missing``: a count of valid proofs alone hides the accounts that never proved.
        """
        if self.all_valid:
            parts = [f"All {self.checked:,} proofs valid"]
        else:
            parts = [f"{len(self.invalid):,} of {self.checked:,} proofs invalid"]
        if self.coverage is not None:
            parts.append(self.coverage.headline())
        if self.findings:
            parts.append(f"{len(self.findings)} finding(s) against the service")
        return " · ".join(parts)

    @property
    def proofs_per_second(self) -> float:
        """Audited proofs per second of wall time, reading included."""
        return self.checked / self.total_seconds if self.total_seconds > 0 else 0.0

    def invalid_counts(self) -> dict[str, int]:
        """Return the number of invalid proofs per kind."""
        counts = {"malformed": 0, "statement": 0, "verification": 0}
        for entry in self.invalid:
            counts[entry.kind] += 1
        return counts

    def _verdict(self) -> str:
        if self.invalid:
            return "invalid proofs found"
        return "findings against the service" if self.findings else "all valid"

    def to_json(self) -> dict[str, Any]:
        """Return the ``--report`` JSON object."""
        return {
            "schema": SCHEMA,
            "verdict": self._verdict(),
            "headline": self.headline(),
            "source": self.source,
            "counts": {
                "entries": self.entries,
                "checked": self.checked,
                "valid": self.valid,
                "invalid": len(self.invalid),
                "invalid_by_kind": self.invalid_counts(),
            },
            "invalid": [entry.to_json() for entry in self.invalid],
            "backend": self.backend,
            "method": self.method,
            "runner": self.runner,
            "chunk_size": self.chunk_size,
            "key": {
                "fingerprint": self.key.fingerprint,
                "n_public": self.key.n_public,
                "margin": self.key.margin,
            },
            "sample": self.sample,
            "epochs": [stats.to_json(self.key.margin) for stats in self.epochs],
            "service": self.service,
            "service_disagreements": self.disagreements if self.service is not None else None,
            "coverage": None if self.coverage is None else self.coverage.to_json(),
            "findings": list(self.findings),
            "timing": {
                "started_at": self.started_at,
                "total_seconds": round(self.total_seconds, 6),
                "proofs_per_second": round(self.proofs_per_second, 1),
            },
        }
