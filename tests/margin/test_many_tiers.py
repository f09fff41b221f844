"""Schedules of three or more pieces use the "max/min of affine pieces" form: check it."""

from __future__ import annotations

from functools import lru_cache

import pytest

from circuits.frontend import CompiledCircuit, compile
from circuits.margin.circuit import MarginCircuit, margin_params
from circuits.margin.commitment import state_commitment
from circuits.margin.model import MarketSnapshot, Opening
from circuits.margin.reference import margin_report
from circuits.margin.sizes import MarginSize
from circuits.margin.statement import REQUIREMENT_MAINTENANCE
from circuits.margin.units import U
from circuits.margin.witness import raw_assignment
from circuits.testing import forge_hint, hint_wires
from tests.margin.helpers import coll, inst, snap, state

THREE = MarginSize("three-pieces", 1, 1, 1, 3, 3)


@lru_cache(maxsize=1)
def _circuit() -> CompiledCircuit:
    return compile(MarginCircuit, margin_params(THREE))


def _snapshot() -> MarketSnapshot:
    tiers = [(10_000, 0), (20_000, 5), (40_000, 45)]  # breakpoints |N| = 500 and 2000
    haircuts = [(900_000, 0), (700_000, 20), (400_000, 320)]  # breakpoints X = 100 and 1000
    return snap(
        [inst(mark=1, mm=tiers, risk=[0])], [coll(haircuts=haircuts)], tier_slots=3,
        haircut_tier_slots=3,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("size", "balance", "requirement", "value"),
    [(300, 50, 3, 45), (1_000, 500, 15, 370), (5_000, 4_000, 155, 1_920)],
)
def test_each_piece_binds_in_its_range(
    size: int, balance: int, requirement: int, value: int
) -> None:
    account = state([(size, 0, 0)], [balance])
    report = margin_report(account, _snapshot())
    assert report.maintenance == requirement and report.collateral_values == [value]
    opening = Opening(state=account, salt=5, commitment=state_commitment(account, 5))
    circuit = _circuit()
    witness = circuit.solve(raw_assignment(opening, _snapshot(), REQUIREMENT_MAINTENANCE, U))
    assert [witness[w] for w in hint_wires(circuit, "margin/tier_max")] == [requirement]
    assert [witness[w] for w in hint_wires(circuit, "margin/haircut_min")] == [value]


@pytest.mark.parametrize(("hint", "shift", "label"), [
    ("margin/tier_max", -1, "instrument[0]/tiers/piece[2]"),
    ("margin/haircut_min", 1, "collateral[0]/haircut_tiers/piece[2]"),
])  # fmt: skip
def test_forged_extreme_is_rejected(hint: str, shift: int, label: str) -> None:
    account = state([(5_000, 0, 0)], [4_000])
    opening = Opening(state=account, salt=5, commitment=state_commitment(account, 5))
    assignment = raw_assignment(opening, _snapshot(), REQUIREMENT_MAINTENANCE, U)
    from circuits.frontend import get_hint

    original = get_hint(hint)
    witness = forge_hint(_circuit(), assignment, hint,
                         lambda xs, n: [(v + shift) for v in original(xs, n)])  # fmt: skip
    failure = _circuit().r1cs.which_is_unsatisfied(witness)
    assert failure is not None and failure[1].startswith(label), failure
