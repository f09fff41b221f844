"""Build ``SolvencyChunk`` assignments on the venue's machine (they hold every account's state).

A chunk is a list of k slots, each an :class:`~circuits.margin.model.Opening` or ``None``
(padding: commitment 0, zero state, salt 0).
"""

from __future__ import annotations

from collections.abc import Sequence

from algebra.constants import SCALAR_FIELD_R
from circuits.margin.commitment import state_commitment
from circuits.margin.errors import MarginInputError
from circuits.margin.loading import check_state_matches
from circuits.margin.model import AccountState, MarketSnapshot, Opening, Position
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.witness import Assignment, cached_snapshot_hash, snapshot_assignment
from circuits.solvency.epoch import chunk_root
from circuits.solvency.reference import account_totals
from circuits.solvency.totals import (
    SolvencyTotals,
    accumulator,
)


def empty_state(snapshot: MarketSnapshot) -> AccountState:
    """Return the zero state a padding slot holds."""
    return AccountState(
        positions=[Position()] * snapshot.n_instruments, balances=[0] * snapshot.n_collateral
    )


def chunk_commitments(slots: Sequence[Opening | None]) -> list[int]:
    """Return the chunk's commitment list (0 for a padding slot)."""
    return [0 if slot is None else slot.commitment for slot in slots]


def chunk_assignment(
    slots: Sequence[Opening | None], snapshot: MarketSnapshot, previous: SolvencyTotals
) -> tuple[Assignment, SolvencyTotals]:
    """Return the assignment of one chunk and the running totals after it.

    Raises:
        MarginInputError: a state's slot counts differ from the snapshot's, or an opening's
            commitment does not open.
    """
    totals = previous
    zero = empty_state(snapshot)
    states: list[AccountState] = []
    pads: list[int] = []
    for index, slot in enumerate(slots):
        if slot is None:
            states.append(zero)
            pads.append(state_commitment(zero, 0))
            continue
        check_state_matches(slot.state, snapshot)
        if state_commitment(slot.state, slot.salt) != slot.commitment:
            raise MarginInputError(f"slot {index}: the opening does not open its commitment")
        states.append(slot.state)
        pads.append(0)
        totals = totals + account_totals(slot.state, snapshot)
    commitments = chunk_commitments(slots)
    maintenance = snapshot_assignment(snapshot, REQUIREMENT_MAINTENANCE)
    initial = snapshot_assignment(snapshot, REQUIREMENT_INITIAL)
    assignment: Assignment = {
        "acc_in": accumulator(previous, len(slots)),
        "acc_out": accumulator(totals, len(slots)),
        "chunk_root": chunk_root(commitments),
        "snapshot_hash": cached_snapshot_hash(snapshot),
        "previous_totals": previous.to_list(),
        "commitments": commitments,
        "padding_openings": pads,
        "salts": [0 if slot is None else slot.salt for slot in slots],
        "sizes": _field([p.size for s in states for p in s.positions]),
        "cost_basis": _field([p.cost_basis for s in states for p in s.positions]),
        "funding_entry": _field([p.funding_entry for s in states for p in s.positions]),
        "balances": _field([b for s in states for b in s.balances]),
        **maintenance,
        "initial_rates": initial["tier_rates"],
        "initial_deductions": initial["tier_deductions"],
    }
    return assignment, totals


def _field(values: list[int]) -> list[int]:
    return [v % SCALAR_FIELD_R for v in values]
