"""Coverage of a service audit: which registered accounts the audit found proven, and which not.

An audit that only counts the proofs it was given says "all 5 proofs valid" for an epoch of
10 registered accounts of which 5 never proved. Coverage is counted per account:

- *registered*: the accounts the service's epoch report covers (a commitment or a submission);
- *valid*: accounts with at least one proof the audit itself found valid;
- *invalid*: accounts with proofs, none of them valid in the audit;
- *missing*: registered accounts with no proof in the export.

Where the service's own figures disagree with what it exported (an account it calls missing
but exported a proof for, more compliant accounts than the audit can confirm, accounts it
counts but neither names nor exports), that is a finding against the service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ServiceAccounts:
    """What the service's epoch report says about its accounts."""

    accounts: int
    compliant: int
    missing: frozenset[str]
    non_compliant: frozenset[str]


@dataclass(frozen=True)
class Coverage:
    """Per-account outcome of a service audit (see the module docstring)."""

    registered: int
    valid: tuple[str, ...]
    invalid: tuple[str, ...]
    missing: tuple[str, ...]
    unnamed_missing: int = 0
    findings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def missing_count(self) -> int:
        """Registered accounts without a proof, named or not."""
        return len(self.missing) + self.unnamed_missing

    def headline(self) -> str:
        """Return e.g. ``5 of 10 registered accounts proven valid · 0 invalid · 5 missing``."""
        return (
            f"{len(self.valid):,} of {self.registered:,} registered accounts proven valid"
            f" · {len(self.invalid):,} invalid · {self.missing_count:,} missing"
        )

    def to_json(self) -> dict[str, Any]:
        """Return the report's ``coverage`` object."""
        return {
            "registered_accounts": self.registered,
            "valid": len(self.valid),
            "invalid": len(self.invalid),
            "missing": self.missing_count,
            "missing_accounts": list(self.missing),
            "unnamed_missing": self.unnamed_missing,
            "invalid_accounts": list(self.invalid),
        }


def account_coverage(
    service: ServiceAccounts,
    positions_by_account: Mapping[str, Iterable[int]],
    invalid_positions: set[int],
) -> Coverage:
    """Return the coverage of an audit of every exported proof.

    Args:
        service: the service's epoch report.
        positions_by_account: the export positions of each account's proofs.
        invalid_positions: the positions the audit found invalid.
    """
    valid = sorted(
        account
        for account, positions in positions_by_account.items()
        if any(p not in invalid_positions for p in positions)
    )
    invalid = sorted(set(positions_by_account) - set(valid))
    proved = set(positions_by_account)
    named = proved | service.missing | service.non_compliant
    missing = sorted(named - proved)
    unnamed = max(service.accounts - len(named), 0)
    findings: list[str] = []
    wrongly_missing = sorted(service.missing & proved)
    if wrongly_missing:
        findings.append(
            f"the service reports {len(wrongly_missing)} account(s) as missing although it"
            f" exported proofs for them: {', '.join(wrongly_missing[:10])}"
        )
    if unnamed:
        findings.append(
            f"the service's epoch report counts {service.accounts} accounts but names or"
            f" exports only {len(named)}"
        )
    if service.compliant > len(valid):
        findings.append(
            f"the service reports {service.compliant} compliant account(s); the audit finds a"
            f" valid proof for only {len(valid)}"
        )
    return Coverage(
        registered=max(service.accounts, len(named)),
        valid=tuple(valid),
        invalid=tuple(invalid),
        missing=tuple(missing),
        unnamed_missing=unnamed,
        findings=tuple(findings),
    )
