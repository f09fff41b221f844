"""SolvencyChunk: differential against the reference totals, pinned costs, and tampering."""

from __future__ import annotations

import pytest

from algebra.constants import SCALAR_FIELD_R
from circuits.frontend import Assignment
from circuits.margin.model import Opening
from circuits.margin.reference import margin_report
from circuits.margin.sizes import TINY, pad_snapshot
from circuits.margin.witness import cached_snapshot_hash
from circuits.solvency.epoch import chunk_root, leaf_pair_hash
from circuits.solvency.reference import account_totals, venue_totals
from circuits.solvency.totals import (
    ACCUMULATOR_TAG,
    SolvencyTotals,
    acc_zero,
    accumulator,
)
from circuits.solvency.witness import chunk_assignment
from circuits.std.merkle import merkle_root
from circuits.std.poseidon import poseidon
from circuits.testing import tamper_witness, unsatisfied_label
from tests.margin.circuit_fixtures import opening_for
from tests.margin.helpers import coll, inst, snap, state
from tests.solvency.fixtures import (
    check_circuit_refuses,
    random_openings,
    tiny_chunk,
    tiny_snapshot,
)

SLOT_COST = 7_585
CHUNK_OVERHEAD = 6_323


def test_constraint_count_per_slot_and_per_chunk_is_pinned() -> None:
    assert tiny_chunk(1).n_constraints == CHUNK_OVERHEAD + SLOT_COST
    assert tiny_chunk(4).n_constraints == CHUNK_OVERHEAD + 4 * SLOT_COST


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_chained_chunks_agree_with_the_reference_totals(seed: int) -> None:
    snapshot = tiny_snapshot()
    openings = random_openings(snapshot, 5, seed)
    compiled = tiny_chunk(4)
    chunks: list[list[Opening | None]] = [[*openings[:4]], [openings[4], None, None, None]]
    previous = SolvencyTotals()
    acc = acc_zero(4)
    for slots in chunks:
        assignment, previous = chunk_assignment(slots, snapshot, previous)
        assert assignment["acc_in"] == acc
        witness = compiled.solve(assignment)
        assert compiled.r1cs.which_is_unsatisfied(witness) is None
        acc = witness[2]  # acc_out: the second public input
    expected = venue_totals([o.state for o in openings], snapshot)
    assert acc == accumulator(expected, 4)
    assert expected.count == 5
    assert expected.deficit > 0 and expected.at_risk > 0 and expected.liabilities > 0


def test_tiered_account_with_distinct_initial_schedule_agrees() -> None:
    perp = inst(
        scale=100, mark=50_000, funding_index=300_001,
        mm=[(10_000, 0), (20_000, 5_000)], im=[(20_000, 0), (40_000, 10_000)], risk=[0] * 4,
    )  # fmt: skip
    btc = coll(price=60_000, scale=1000, haircuts=[(950_000, 0), (800_000, 3_000)])
    usd = coll(price=1, scale=1, liability=1_100_000)
    snapshot = pad_snapshot(snap([perp], [btc, usd]), TINY)
    opening = opening_for(state([(3_000, -1_400_000, 100)], [2_000, 400_000]))
    totals = account_totals(opening.state, snapshot)
    report = margin_report(opening.state, snapshot)
    assert totals.initial > totals.maintenance  # the two schedules are both evaluated
    assert totals.liabilities == max(0, report.equity)
    assignment, after = chunk_assignment([opening], snapshot, SolvencyTotals())
    witness = tiny_chunk(1).solve(assignment)
    assert tiny_chunk(1).r1cs.which_is_unsatisfied(witness) is None
    forged = dict(assignment, acc_out=accumulator(_replace(after, initial=totals.maintenance), 1))
    assert check_circuit_invalid(forged).startswith("accumulator")


def _replace(totals: SolvencyTotals, **changes: int) -> SolvencyTotals:
    values = dict(zip(SolvencyTotals.names(), totals.to_list(), strict=True))
    values.update(changes)
    return SolvencyTotals(**values)


def check_circuit_invalid(assignment: Assignment) -> str:
    """Assert the solver and the R1CS refuse ``assignment``; return the failing label."""
    circuit = tiny_chunk(len(assignment["commitments"]))  # type: ignore[arg-type]
    check_circuit_refuses(circuit, assignment)
    label = unsatisfied_label(circuit, circuit.solve(assignment, check=False))
    assert label is not None
    return label


@pytest.fixture(scope="module")
def honest() -> tuple[Assignment, SolvencyTotals]:
    snapshot = tiny_snapshot()
    openings = random_openings(snapshot, 3, seed=11)  # compliant, under-margined, bankrupt
    return chunk_assignment([*openings, None], snapshot, SolvencyTotals())


@pytest.mark.parametrize("field", ["liabilities", "deficit", "at_risk", "maintenance", "count"])
def test_forged_accumulator_is_refused(
    honest: tuple[Assignment, SolvencyTotals], field: str
) -> None:
    assignment, totals = honest
    forged_totals = _replace(totals, **{field: getattr(totals, field) + 1})
    label = check_circuit_invalid(dict(assignment, acc_out=accumulator(forged_totals, 4)))
    assert label.startswith("accumulator")


def test_forged_previous_opening_is_refused(honest: tuple[Assignment, SolvencyTotals]) -> None:
    assignment, _ = honest
    previous = [0, 0, 0, 0, 0, 1]  # claims one account was already counted
    label = check_circuit_invalid(dict(assignment, previous_totals=previous))
    assert label.startswith("accumulator")


def test_sum_wrapped_around_the_field_is_refused(
    honest: tuple[Assignment, SolvencyTotals],
) -> None:
    """A previous deficit of r − d (a "negative" deficit) would cancel the chunk's deficit d."""
    assignment, totals = honest
    assert totals.deficit > 0
    previous = [0, SCALAR_FIELD_R - totals.deficit, 0, 0, 0, 0]
    wrapped = [totals.liabilities, 0, totals.at_risk, totals.maintenance, totals.initial, 3]
    forged = dict(
        assignment,
        previous_totals=previous,
        acc_in=poseidon([ACCUMULATOR_TAG, 4, *previous]),
        acc_out=poseidon([ACCUMULATOR_TAG, 4, *wrapped]),
    )
    label = check_circuit_invalid(forged)
    assert label.startswith("accumulator/previous[1]")


def test_padding_slot_with_a_state_is_refused(honest: tuple[Assignment, SolvencyTotals]) -> None:
    """A real account hidden in a padding slot (C = 0) to keep it out of the count."""
    assignment, totals = honest
    commitments = list(assignment["commitments"])  # type: ignore[arg-type]
    pads = list(assignment["padding_openings"])  # type: ignore[arg-type]
    pads[1], commitments[1] = commitments[1], 0
    forged = dict(
        assignment,
        commitments=commitments,
        padding_openings=pads,
        chunk_root=chunk_root(commitments),
        acc_out=accumulator(_replace(totals, count=totals.count - 1), 4),
    )
    label = check_circuit_invalid(forged)
    assert label.startswith("slot[1]/padding")


def test_real_slot_opened_through_the_padding_opening_is_refused(
    honest: tuple[Assignment, SolvencyTotals],
) -> None:
    """The padding opening cannot rescue a real slot whose state does not open C."""
    assignment, _ = honest
    sizes = list(assignment["sizes"])  # type: ignore[arg-type]
    sizes[0] = (sizes[0] + 1) % SCALAR_FIELD_R
    pads = list(assignment["padding_openings"])  # type: ignore[arg-type]
    pads[0] = 1  # any non-zero value
    label = check_circuit_invalid(dict(assignment, sizes=sizes, padding_openings=pads))
    assert label.startswith("slot[0]/padding")


def test_wrong_commitment_is_refused(honest: tuple[Assignment, SolvencyTotals]) -> None:
    assignment, _ = honest
    commitments = list(assignment["commitments"])  # type: ignore[arg-type]
    commitments[0] += 1
    forged = dict(assignment, commitments=commitments, chunk_root=chunk_root(commitments))
    label = check_circuit_invalid(forged)
    assert label.startswith("slot[0]/commitment")


def test_commitment_list_not_matching_the_public_root_is_refused(
    honest: tuple[Assignment, SolvencyTotals],
) -> None:
    assignment, _ = honest
    commitments = list(assignment["commitments"])  # type: ignore[arg-type]
    commitments[0], commitments[1] = commitments[1], commitments[0]
    label = check_circuit_invalid(dict(assignment, chunk_root=chunk_root(commitments)))
    assert label.startswith("chunk_root")


def test_chunk_root_without_the_leaf_domain_is_refused(
    honest: tuple[Assignment, SolvencyTotals],
) -> None:
    """A root built with plain Poseidon(2) at the leaf level (no domain separation) fails."""
    assignment, _ = honest
    c = list(assignment["commitments"])  # type: ignore[arg-type]
    plain = poseidon([poseidon([c[0], c[1]]), poseidon([c[2], c[3]])])
    assert plain == merkle_root(c[0], [c[1], poseidon([c[2], c[3]])], [0, 0])
    assert assignment["chunk_root"] == poseidon(
        [leaf_pair_hash(c[0], c[1]), leaf_pair_hash(c[2], c[3])]
    )
    label = check_circuit_invalid(dict(assignment, chunk_root=plain))
    assert label.startswith("chunk_root")


def test_tampered_leaf_pair_hash_wire_is_rejected(
    honest: tuple[Assignment, SolvencyTotals],
) -> None:
    """Overwriting a solved wire of the leaf-domain hash breaks its own constraint."""
    assignment, _ = honest
    compiled = tiny_chunk(4)
    witness = compiled.solve(assignment)
    rows = [k for k, label in enumerate(compiled.r1cs.labels) if "leaf_pair" in label]
    assert len(rows) == 2 * 240  # two leaf pairs in a chunk of 4, 240 constraints each
    (wire,) = compiled.r1cs.constraints[rows[0]].c
    tampered = tamper_witness(witness, wire, witness[wire] + 1)
    label = unsatisfied_label(compiled, tampered)
    assert label is not None and label.startswith("chunk_root/leaf_pair")


def test_snapshot_of_another_epoch_is_refused(honest: tuple[Assignment, SolvencyTotals]) -> None:
    assignment, _ = honest
    other = cached_snapshot_hash(tiny_snapshot(epoch=2))
    assert other != assignment["snapshot_hash"]
    label = check_circuit_invalid(dict(assignment, snapshot_hash=other))
    assert label.startswith("snapshot_hash")


def test_changed_snapshot_value_is_refused(honest: tuple[Assignment, SolvencyTotals]) -> None:
    """Repricing every account at a lower mark breaks the hash even if totals follow."""
    assignment, _ = honest
    marks = [m // 2 for m in assignment["mark_price"]]  # type: ignore[union-attr]
    label = check_circuit_invalid(dict(assignment, mark_price=marks))
    assert label.startswith("snapshot_hash") or label.startswith("accumulator")


def test_initial_schedule_swapped_for_the_maintenance_one_is_refused(
    honest: tuple[Assignment, SolvencyTotals],
) -> None:
    assignment, _ = honest
    forged = dict(
        assignment,
        initial_rates=assignment["tier_rates"],
        initial_deductions=assignment["tier_deductions"],
    )
    label = check_circuit_invalid(forged)
    assert label.startswith("snapshot_hash") or label.startswith("accumulator")


def test_chunk_of_padding_only_keeps_acc_0() -> None:
    """Empty slots contribute nothing: a chunk of only padding keeps acc_0."""
    snapshot = tiny_snapshot()
    assignment, totals = chunk_assignment([None], snapshot, SolvencyTotals())
    assert totals == SolvencyTotals()
    witness = tiny_chunk(1).solve(assignment)
    assert tiny_chunk(1).r1cs.which_is_unsatisfied(witness) is None


def test_accumulator_of_another_chunk_size_does_not_chain(
    honest: tuple[Assignment, SolvencyTotals],
) -> None:
    """acc binds k: a chain started for chunks of 2 is refused by keys for chunks of 4."""
    assignment, totals = honest
    forged = dict(assignment, acc_in=acc_zero(2), acc_out=accumulator(totals, 2))
    assert check_circuit_invalid(forged).startswith("accumulator")
    assert acc_zero(2) != acc_zero(4)
