"""The solvency totals in plain Python integers: the specification ``SolvencyChunk`` must match.

Per account, from :func:`circuits.margin.reference.margin_report`: ``liabilities =
max(0, equity)``, ``deficit = max(0, −equity)``, ``at_risk = max(0, MM − equity)``, and the
maintenance and initial requirements ``max(Level-1/2, Req3)`` of each kind.
"""

from __future__ import annotations

from collections.abc import Iterable

from circuits.margin.model import AccountState, MarketSnapshot
from circuits.margin.reference import margin_report
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.solvency.totals import SolvencyTotals


def account_totals(state: AccountState, snapshot: MarketSnapshot) -> SolvencyTotals:
    """Return one account's contribution to the venue totals (count 1)."""
    report = margin_report(state, snapshot)
    maintenance = report.requirement(REQUIREMENT_MAINTENANCE)
    return SolvencyTotals(
        liabilities=max(0, report.equity),
        deficit=max(0, -report.equity),
        at_risk=max(0, maintenance - report.equity),
        maintenance=maintenance,
        initial=report.requirement(REQUIREMENT_INITIAL),
        count=1,
    )


def venue_totals(states: Iterable[AccountState], snapshot: MarketSnapshot) -> SolvencyTotals:
    """Return the totals over every account of the venue."""
    total = SolvencyTotals()
    for state in states:
        total = total + account_totals(state, snapshot)
    return total
