"""MarginCircuit: honest proofs solve, the circuit agrees with the reference engine, and
dishonest witnesses (tampered values, forged hints) are rejected by the R1CS itself."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import NotCompliantError, UnsatisfiedConstraintError
from circuits.frontend import CompiledCircuit, HintFn, get_hint
from circuits.margin.model import AccountState
from circuits.margin.reference import is_compliant, margin_report
from circuits.margin.sizes import TINY
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.units import U
from circuits.margin.witness import Assignment, build_assignment, raw_assignment
from circuits.testing import forge_hint, hint_wires
from tests.margin.circuit_fixtures import (
    example_account,
    example_snapshot,
    opening_for,
    tiny_circuit,
)
from tests.margin.strategies import snapshots, states

R = SCALAR_FIELD_R
MM, IM = REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL
TINY_CONSTRAINTS = 9055


def test_tiny_constraint_count_is_pinned() -> None:
    assert tiny_circuit().n_constraints == TINY_CONSTRAINTS
    assert tiny_circuit().r1cs.n_public_inputs == 4


@pytest.mark.parametrize("kind", [MM, IM])
def test_compliant_account_solves_and_satisfies_the_r1cs(kind: int) -> None:
    circuit = tiny_circuit()
    witness = circuit.solve(build_assignment(opening_for(example_account()), example_snapshot(),
                                             kind, 1_250_000))  # fmt: skip
    assert circuit.r1cs.which_is_unsatisfied(witness) is None
    assert circuit.public_inputs(witness)[2:] == [kind, 1_250_000]


def test_witness_builder_refuses_a_non_compliant_account() -> None:
    poor = opening_for(example_account(cash=-600_000))
    with pytest.raises(NotCompliantError, match="maintenance"):
        build_assignment(poor, example_snapshot(), MM, U)


def _equity_offset(kind: int, buffer_ppm: int, delta: int) -> AccountState:
    """Return the example account with the option slot's cost basis (1:1 in equity) set so
    that equity is ``delta`` QQ above the least compliant equity ⌈buffer·Req/U⌉."""
    base = example_account()
    report = margin_report(opening_for(base).state, example_snapshot())
    target = -(-buffer_ppm * report.requirement(kind) // U)
    positions = list(base.positions)
    shift = target - report.equity + delta
    positions[1] = positions[1].model_copy(update={"cost_basis": positions[1].cost_basis + shift})
    return AccountState(positions=positions, balances=base.balances)


@pytest.mark.parametrize("kind", [MM, IM])
def test_boundary_one_quantum_below_requirement_is_rejected(kind: int) -> None:
    circuit, snapshot = tiny_circuit(), example_snapshot()
    at_limit = opening_for(_equity_offset(kind, 1_300_000, 0))
    assert is_compliant(margin_report(at_limit.state, snapshot), kind, 1_300_000)
    circuit.solve(build_assignment(at_limit, snapshot, kind, 1_300_000))
    below = opening_for(_equity_offset(kind, 1_300_000, -1))
    assert not is_compliant(margin_report(below.state, snapshot), kind, 1_300_000)
    _assert_rejected(circuit, raw_assignment(below, snapshot, kind, 1_300_000),
                     "compliance/buffered_equity_covers_requirement")  # fmt: skip


def test_negative_equity_is_rejected_even_with_zero_requirement() -> None:
    from tests.margin.helpers import state

    empty = opening_for(state([(0, 0, 0), (0, 0, 0)], [0, -1]))
    report = margin_report(empty.state, example_snapshot())
    assert report.equity < 0 and report.requirement(MM) == 0
    _assert_rejected(tiny_circuit(), raw_assignment(empty, example_snapshot(), MM, U),
                     "compliance/buffered_equity_covers_requirement")  # fmt: skip


def _assert_rejected(circuit: CompiledCircuit, assignment: Assignment, label: str) -> None:
    with pytest.raises(UnsatisfiedConstraintError) as caught:
        circuit.solve(assignment)
    assert caught.value.label.startswith(label), caught.value.label
    witness = circuit.solve(assignment, check=False)
    failure = circuit.r1cs.which_is_unsatisfied(witness)
    assert failure is not None and failure[1].startswith(label), failure


def _honest(kind: int = MM) -> Assignment:
    return raw_assignment(opening_for(example_account()), example_snapshot(), kind, U)


def _first_failure(witness: Sequence[int]) -> str:
    failure = tiny_circuit().r1cs.which_is_unsatisfied(witness)
    assert failure is not None, "the R1CS accepted a dishonest witness"
    return failure[1]


def _shifted(name: str, call: int, shifts: Sequence[int]) -> HintFn:
    """Return hint ``name`` with the outputs of its ``call``-th invocation shifted."""
    original, counter = get_hint(name), [0]

    def forged(inputs: Sequence[int], n_outputs: int) -> list[int]:
        out = original(inputs, n_outputs)
        if counter[0] == call:
            out = [(v + s) % R for v, s in zip(out, shifts, strict=False)] + out[len(shifts) :]
        counter[0] += 1
        return out

    return forged


@pytest.mark.parametrize("size", [1 << 63, -(1 << 63) - 1, R // 2, (1 << 64) + 3])
def test_size_outside_64_bits_is_rejected(size: int) -> None:
    assignment = dict(_honest())
    sizes = list(assignment["sizes"])  # type: ignore[arg-type]
    sizes[0] = size % R
    assignment["sizes"] = sizes
    witness = tiny_circuit().solve(assignment, check=False)
    assert _first_failure(witness).startswith("instrument[0]/signed64")


@pytest.mark.parametrize("balance", [R - (1 << 64), (1 << 63) + 7])
def test_balance_wrapped_around_the_field_is_rejected(balance: int) -> None:
    assignment = dict(_honest())
    assignment["balances"] = [balance, 0]
    witness = tiny_circuit().solve(assignment, check=False)
    assert _first_failure(witness).startswith("collateral[0]/signed64")


def test_forged_notional_remainder_is_rejected() -> None:
    scale = example_snapshot().instruments[0].size_scale
    forged = _shifted("floor_divmod", 0, [1, -scale])  # N + 1 with ρ − scale
    witness = forge_hint(tiny_circuit(), _honest(), "floor_divmod", forged)
    assert "notional/floor_divmod" in _first_failure(witness)


def test_forged_funding_quotient_is_rejected() -> None:
    forged = _shifted("floor_divmod", 1, [1])  # the funding floor of instrument 0, plus one
    witness = forge_hint(tiny_circuit(), _honest(), "floor_divmod", forged)
    assert "funding/floor_divmod/remainder" in _first_failure(witness)


def test_lying_about_the_binding_tier_is_rejected() -> None:
    forged = _shifted("margin/second_binds", 0, [-1])  # claim tier 0 binds (it does not)
    witness = forge_hint(tiny_circuit(), _honest(), "margin/second_binds", forged)
    assert _first_failure(witness).startswith("instrument[0]/tiers/binding_piece")


def test_understated_tier_requirement_is_rejected() -> None:
    forged = _shifted("margin/ceil_div", 0, [-1])
    witness = forge_hint(tiny_circuit(), _honest(), "margin/ceil_div", forged)
    assert _first_failure(witness).startswith("instrument[0]/tiers/ceil_remainder")


def test_overstated_collateral_value_is_rejected() -> None:
    forged = _shifted("margin/floor_div", 0, [1])
    witness = forge_hint(tiny_circuit(), _honest(), "margin/floor_div", forged)
    assert "collateral[0]/haircut_tiers/remainder" in _first_failure(witness)


def test_requirement_below_a_scenario_loss_is_rejected() -> None:
    forged = _shifted("signed_extreme", 0, [-1])
    witness = forge_hint(tiny_circuit(), _honest(), "signed_extreme", forged)
    assert _first_failure(witness).startswith("compliance/requirement_ge")


@pytest.mark.parametrize(
    ("name", "index", "value"),
    [("mark_price", 0, 60_000), ("risk", 2, 0), ("tier_rates", 1, 10_000),
     ("haircut_weights", 1, 950_000), ("short_option_minimum", 1, 0)],
)  # fmt: skip
def test_snapshot_value_swapped_after_hashing_is_rejected(
    name: str, index: int, value: int
) -> None:
    assignment = dict(_honest())
    values = list(assignment[name])  # type: ignore[arg-type]
    values[index] = value
    assignment[name] = values
    witness = tiny_circuit().solve(assignment, check=False)
    assert _first_failure(witness).startswith("snapshot_hash/assert_is_equal")


def test_initial_proof_with_maintenance_tiers_is_rejected() -> None:
    maintenance = _honest(MM)
    assignment = dict(_honest(IM))
    for name in ("tier_rates", "tier_deductions"):
        assignment[name] = maintenance[name]
    assignment["other_tier_hash"] = _honest(MM)["other_tier_hash"]
    witness = tiny_circuit().solve(assignment, check=False)
    assert _first_failure(witness).startswith("snapshot_hash/assert_is_equal")


def test_commitment_binds_the_state() -> None:
    assignment = dict(_honest())
    assignment["cost_basis"] = [(v + 1) % R for v in assignment["cost_basis"]]  # type: ignore[union-attr]
    witness = tiny_circuit().solve(assignment, check=False)
    assert _first_failure(witness).startswith("commitment/assert_is_equal")


@pytest.mark.parametrize(("field", "value", "label"), [
    ("requirement_kind", 2, "assert_is_boolean"), ("buffer_ppm", U - 1, "buffer"),
])  # fmt: skip
def test_bad_public_statement_is_rejected(field: str, value: int, label: str) -> None:
    assignment = dict(_honest())
    assignment[field] = value
    witness = tiny_circuit().solve(assignment, check=False)
    assert _first_failure(witness).startswith(label)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from([MM, IM]), rich=st.booleans())
def test_circuit_accepts_exactly_when_the_reference_complies(
    data: st.DataObject, kind: int, rich: bool
) -> None:
    snapshot = data.draw(snapshots(TINY.n_instruments, TINY.n_collateral, TINY.n_scenarios))
    account = data.draw(states(TINY.n_instruments, TINY.n_collateral))
    if rich:  # a large quote balance makes most accounts compliant: both branches get hit
        positions = [account.positions[0].model_copy(update={"cost_basis": 1 << 62})]
        account = AccountState(
            positions=positions + account.positions[1:], balances=account.balances
        )
    opening = opening_for(account)
    report = margin_report(opening.state, snapshot)
    buffer_ppm = data.draw(st.sampled_from([U, 1_250_000]))
    circuit = tiny_circuit()
    assignment = raw_assignment(opening, snapshot, kind, buffer_ppm)
    if not is_compliant(report, kind, buffer_ppm):
        with pytest.raises(UnsatisfiedConstraintError):
            circuit.solve(assignment)
        assert circuit.r1cs.which_is_unsatisfied(circuit.solve(assignment, check=False))
        return
    witness = circuit.solve(assignment)
    divisions = [witness[w] for w in hint_wires(circuit, "floor_divmod")]
    signed = [v - R if v > R // 2 else v for v in divisions]
    assert signed[0::3] == report.notionals
    assert signed[2::3] == report.funding
    assert [witness[w] for w in hint_wires(circuit, "margin/ceil_div")] == (
        report.initial_per_instrument if kind == IM else report.maintenance_per_instrument
    )
    values = [witness[w] for w in hint_wires(circuit, "margin/floor_div")]
    assert [v - R if v > R // 2 else v for v in values] == report.collateral_values
    (requirement,) = (witness[w] for w in hint_wires(circuit, "signed_extreme"))
    assert requirement == report.requirement(kind)
