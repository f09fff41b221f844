"""Shared checks of the venue tests: fixtures, ``zkm margin report`` and the circuit boundary.

Every venue test reproduces its fixture's numbers three ways: the reference engine, the CLI
(``zkm margin report --json``), and the circuit — which accepts the account at exactly the
requirement and refuses it one quote quantum (QQ) below.
"""

from __future__ import annotations

import json
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from algebra.errors import NotCompliantError, UnsatisfiedConstraintError
from circuits.frontend import CompiledCircuit, compile
from circuits.margin.circuit import MarginCircuit, margin_params
from circuits.margin.commitment import state_commitment
from circuits.margin.loading import dump_json
from circuits.margin.model import AccountState, MarketSnapshot, Opening
from circuits.margin.reference import is_compliant, margin_report
from circuits.margin.sizes import STANDARD, TINY, MarginSize, pad_snapshot, pad_state, shape_of
from circuits.margin.units import U
from circuits.margin.witness import build_assignment, raw_assignment
from zkmargin.cli import main
from zkmargin.margin.workflow import compiled_margin, prove_margin, verify_margin

FIXTURES = Path(__file__).parent / "fixtures"
SALT = 0x5EED_0F_7E57
COMPLIANCE_ROW = "compliance/buffered_equity_covers_requirement"


def fixture(venue: str) -> dict[str, Any]:
    """Return the transcribed fixture of ``venue``."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{venue}.json").read_text())
    assert data["read_on"] == "2026-12-03" and data["sources"], venue
    return data


def example(venue: str, example_id: str) -> dict[str, Any]:
    """Return one worked example of ``venue``'s fixture."""
    for item in fixture(venue)["examples"]:
        if item["id"] == example_id:
            return dict(item)
    raise KeyError(example_id)


def to_qq(amount: str, decimals: int) -> int:
    """Return a published decimal amount in QQ; the test fails if it is not whole."""
    value = Fraction(amount.replace(",", "")) * 10**decimals
    assert value.denominator == 1, f"{amount} is not a whole number of QQ"
    return int(value.numerator)


def cli_report(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    state: AccountState,
    snapshot: MarketSnapshot,
) -> dict[str, Any]:
    """Return ``zkm margin report --json`` of ``state`` under ``snapshot`` (files in tmp)."""
    (tmp_path / "state.json").write_text(dump_json(state))
    (tmp_path / "snapshot.json").write_text(dump_json(snapshot))
    capsys.readouterr()
    code = main(["margin", "report", str(tmp_path / "state.json"),
                 str(tmp_path / "snapshot.json"), "--json"])  # fmt: skip
    assert code == 0
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


def with_equity_at_requirement(
    state: AccountState, snapshot: MarketSnapshot, kind: int, cash_slot: int, delta: int = 0
) -> AccountState:
    """Return ``state`` with the quote-cash balance set so that equity = requirement + delta.

    ``cash_slot`` must be a collateral slot worth exactly its balance (price 1, scale 1,
    weight and liability weight U), so one QQ of balance moves equity by one QQ.
    """
    report = margin_report(state, snapshot)
    balances = list(state.balances)
    balances[cash_slot] += report.requirement(kind) - report.equity + delta
    shifted = AccountState(positions=state.positions, balances=balances)
    after = margin_report(shifted, snapshot)
    assert after.equity == after.requirement(kind) + delta
    return shifted


@lru_cache(maxsize=8)
def _custom_circuit(size: MarginSize) -> CompiledCircuit:
    return compile(MarginCircuit, margin_params(size))


def _fit(snapshot: MarketSnapshot) -> tuple[MarginSize, MarketSnapshot]:
    """Return the smallest named size the snapshot pads to, else its own shape."""
    for size in (TINY, STANDARD):
        shape = shape_of(snapshot)
        if (
            shape.n_scenarios == size.n_scenarios
            and shape.n_instruments <= size.n_instruments
            and shape.n_collateral <= size.n_collateral
            and shape.tier_slots <= size.tier_slots
            and shape.haircut_tier_slots <= size.haircut_tier_slots
            and shape.features == size.features
        ):
            return size, pad_snapshot(snapshot, size)
    return shape_of(snapshot), snapshot


def _opening(state: AccountState, size: MarginSize) -> Opening:
    padded = pad_state(state, size) if size.name != "custom" else state
    return Opening(state=padded, salt=SALT, commitment=state_commitment(padded, SALT))


def assert_circuit_boundary(
    state: AccountState,
    snapshot: MarketSnapshot,
    kind: int,
    cash_slot: int,
    keys: Path | None = None,
) -> str:
    """Check the circuit accepts equity = requirement and refuses requirement − 1 QQ.

    With ``keys`` (tiny dev keys) and a snapshot that pads to tiny, the accepted case is a
    real Groth16 proof that verifies; otherwise the circuit's R1CS decides (standard or a
    custom shape). Returns the size name used.
    """
    size, padded = _fit(snapshot)
    at = _opening(with_equity_at_requirement(state, snapshot, kind, cash_slot), size)
    below = _opening(with_equity_at_requirement(state, snapshot, kind, cash_slot, -1), size)
    assert is_compliant(margin_report(at.state, padded), kind, U)
    assert not is_compliant(margin_report(below.state, padded), kind, U)
    if keys is not None and size is TINY:
        proof, public = prove_margin(at, padded, keys, kind, U)
        assert verify_margin(proof, public, padded, keys, at.commitment).valid
        with pytest.raises(NotCompliantError):
            prove_margin(below, padded, keys, kind, U)
    circuit = compiled_margin(size) if size.name != "custom" else _custom_circuit(size)
    witness = circuit.solve(build_assignment(at, padded, kind, U))
    assert circuit.r1cs.which_is_unsatisfied(witness) is None
    with pytest.raises(UnsatisfiedConstraintError) as caught:
        circuit.solve(raw_assignment(below, padded, kind, U))
    assert caught.value.label.startswith(COMPLIANCE_ROW), caught.value.label
    return size.name
