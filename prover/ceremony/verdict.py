"""The outcome of a transcript verification: valid, or the list of checks that failed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Verdict:
    """Accumulated check results; ``ok`` until the first failure is recorded."""

    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether every check passed."""
        return not self.failures

    def check(self, passed: bool, failure: str) -> bool:
        """Record ``failure`` unless ``passed``; return ``passed``."""
        if not passed:
            self.failures.append(failure)
        return passed
