"""Adversarial review of the epoch solvency statement: a dishonest venue tries to make a false
statement verify.

Two kinds of attacker:

* in the circuit, a prover who solves honestly and then replaces one hint output (any value a
  malicious prover may put in the witness) and keeps every wire that depends on it
  consistent — the R1CS must refuse unless the statement (``acc_out``) is unchanged;
* at the bundle, a venue that *really proves* chunks with the dev keys (every Groth16 proof is
  valid) but strings them into a false epoch statement — ``zkm solvency verify`` must refuse
  with a finding: chunks re-ordered, repeated, dropped or added at the end, a chunk proven on
  another epoch's snapshot, non-canonical public inputs, statements that do not match the keys'
  chunk size, and inclusion proofs for a padding leaf.
"""

from __future__ import annotations

import itertools
import json
import random
import shutil
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from algebra.constants import SCALAR_FIELD_R
from circuits.errors import HintError
from circuits.frontend import Assignment, CompiledCircuit, HintFn, Witness
from circuits.frontend.hints import get_hint
from circuits.frontend.program import HintStep
from circuits.margin.commitment import commit
from circuits.margin.loading import dump_json, load_snapshot
from circuits.margin.model import MarketSnapshot, Opening
from circuits.r1cs import evaluate
from circuits.solvency.epoch import (
    canonical_order,
    check_inclusion,
    epoch_tree,
    zero_node,
)
from circuits.solvency.reference import account_totals
from circuits.solvency.totals import ACCUMULATOR_TAG, SolvencyTotals, acc_zero
from circuits.solvency.witness import chunk_assignment
from circuits.std.poseidon import poseidon
from tests.solvency.fixtures import (
    bankrupt_account,
    random_openings,
    tiny_chunk,
    tiny_snapshot,
)
from zkmargin.cli import main
from zkmargin.solvency.bundle import (
    ChunkProof,
    EpochStatement,
    read_statement,
    write_atomic,
    write_chunk,
)
from zkmargin.solvency.keys import ZKEY_NAME, keys_shape, load_verifying_key
from zkmargin.solvency.prove import PUBLIC_NAMES, prove_chunk
from zkmargin.solvency.registry import load_registry
from zkmargin.solvency.verify import SolvencyReport, verify_bundle

R = SCALAR_FIELD_R
ACC_OUT_WIRE = 2  # witness[0] = 1, then the public inputs acc_in, acc_out, …

# --- the circuit: every hint output is constrained ------------------------------------------


def _unsatisfied_rows(compiled: CompiledCircuit, witness: Sequence[int]) -> list[int]:
    return [
        k
        for k, row in enumerate(compiled.r1cs.constraints)
        if evaluate(row.a, witness) * evaluate(row.b, witness) % R != evaluate(row.c, witness)
    ]


def _forges_statement(compiled: CompiledCircuit, rows: Sequence[int]) -> bool:
    """Whether a witness failing exactly ``rows`` fails *only* rows that bind the public
    ``acc_out``: a prover who published the acc_out it computes would prove a false total."""
    constraints = compiled.r1cs.constraints
    return bool(rows) and all(
        ACC_OUT_WIRE in constraints[k].a
        or ACC_OUT_WIRE in constraints[k].b
        or ACC_OUT_WIRE in constraints[k].c
        for k in rows
    )


def _hint_calls(compiled: CompiledCircuit) -> list[tuple[str, int, int]]:
    """Return ``(name, call number among that name's calls, n_outputs)`` of every hint call."""
    counters: dict[str, itertools.count[int]] = {}
    out = []
    for step in compiled.steps:
        if isinstance(step, HintStep):
            counter = counters.setdefault(step.name, itertools.count())
            out.append((step.name, next(counter), len(step.outs)))
    return out


Change = Callable[[list[int]], list[int]]


def _forge_call(
    compiled: CompiledCircuit, assignment: Assignment, name: str, target: int, change: Change
) -> Witness:
    """Solve ``assignment`` with call ``target`` of hint ``name`` changed by ``change``; every
    later wire follows the forged value (a hint that cannot run on it returns zeros, the
    prover's free choice), as a malicious prover's witness would."""
    overrides: dict[str, HintFn] = {}
    for hint_name in {s.name for s in compiled.steps if isinstance(s, HintStep)}:
        honest = get_hint(hint_name)
        calls = itertools.count()

        def forged(
            inputs: Sequence[int],
            n_outputs: int,
            honest: HintFn = honest,
            calls: itertools.count[int] = calls,
            mine: bool = hint_name == name,
        ) -> list[int]:
            try:
                values = list(honest(inputs, n_outputs))
            except HintError:
                values = [0] * n_outputs
            if mine and next(calls) == target:
                values = [v % R for v in change(values)]
            return values

        overrides[hint_name] = forged
    return compiled.solve(assignment, hint_overrides=overrides, check=False)


def _changes(name: str, n_outputs: int) -> list[Change]:
    """Alternative outputs a dishonest prover would try for one call of ``name``."""
    if name == "bits":  # flip the lowest and the highest hinted bit
        return [_flip(0), _flip(-1)]
    if name == "margin/second_binds":  # name the other piece as binding
        return [_flip(0)]
    return [_shift(j, delta) for j in range(n_outputs) for delta in (1, -1)]


def _flip(j: int) -> Change:
    """Return the change that flips the bit output ``j``."""

    def change(values: list[int]) -> list[int]:
        out = list(values)
        out[j] ^= 1
        return out

    return change


def _shift(j: int, delta: int) -> Change:
    """Return the change that adds ``delta`` to output ``j``."""

    def change(values: list[int]) -> list[int]:
        return [x + delta if k == j else x for k, x in enumerate(values)]

    return change


@pytest.fixture(scope="module")
def bankrupt_chunk() -> tuple[CompiledCircuit, Assignment, SolvencyTotals]:
    """A one-slot chunk holding an account with negative equity and positions (every margin
    gadget active, and the sign gadgets on their negative side), with its totals."""
    snapshot = tiny_snapshot()
    opening = commit(bankrupt_account(snapshot, random.Random(5)))
    totals = account_totals(opening.state, snapshot)
    assert totals.deficit > 0 and totals.liabilities == 0 and totals.at_risk > 0
    assignment, after = chunk_assignment([opening], snapshot, SolvencyTotals())
    assert after == totals
    return tiny_chunk(1), assignment, totals


def test_forgery_detector_flags_a_changed_statement(
    bankrupt_chunk: tuple[CompiledCircuit, Assignment, SolvencyTotals],
) -> None:
    """Control: a witness whose only fault is the published acc_out is what the sweep hunts."""
    compiled, assignment, _ = bankrupt_chunk
    honest = compiled.solve(assignment)
    assert _unsatisfied_rows(compiled, honest) == []
    acc_out = assignment["acc_out"]
    assert isinstance(acc_out, int)
    moved = dict(assignment, acc_out=(acc_out + 1) % R)
    rows = _unsatisfied_rows(compiled, compiled.solve(moved, check=False))
    assert _forges_statement(compiled, rows)


SWEPT_HINTS = (
    "margin/second_binds", "margin/ceil_div", "margin/floor_div", "floor_divmod",
    "inverse_or_zero", "bits",
)  # fmt: skip


def test_the_sweep_covers_every_hint_the_chunk_calls(
    bankrupt_chunk: tuple[CompiledCircuit, Assignment, SolvencyTotals],
) -> None:
    """A hint added to SolvencyChunk later must join the sweep below."""
    compiled, _, _ = bankrupt_chunk
    assert {name for name, _, _ in _hint_calls(compiled)} == set(SWEPT_HINTS)


@pytest.mark.parametrize("hint", SWEPT_HINTS)
def test_every_hint_output_is_constrained(
    bankrupt_chunk: tuple[CompiledCircuit, Assignment, SolvencyTotals], hint: str
) -> None:
    """Each call of ``hint`` with a forged output: the R1CS refuses it, or the forged witness
    proves the very same statement (an output the relation leaves free but that changes no
    total, e.g. which of two equal tier pieces binds)."""
    compiled, assignment, _ = bankrupt_chunk
    calls = [(n, t, k) for n, t, k in _hint_calls(compiled) if n == hint]
    assert calls
    if hint == "bits":
        calls = calls[::9]  # a tenth of the ~90 range checks: each is the same gadget
    refused = 0
    for name, target, n_outputs in calls:
        for change in _changes(name, n_outputs):
            witness = _forge_call(compiled, assignment, name, target, change)
            rows = _unsatisfied_rows(compiled, witness)
            assert not _forges_statement(compiled, rows), (name, target)
            refused += bool(rows)
    assert refused > 0


def test_padding_slot_inverse_is_free_but_changes_nothing() -> None:
    """In an empty slot ``C = 0`` the inverse hint is unconstrained (0·inv = 0): any value
    keeps the slot empty, so the statement cannot change through it."""
    compiled = tiny_chunk(1)
    assignment, totals = chunk_assignment([None], tiny_snapshot(), SolvencyTotals())
    assert totals == SolvencyTotals()
    for change in _changes("inverse_or_zero", 1):
        witness = _forge_call(compiled, assignment, "inverse_or_zero", 0, change)
        assert _unsatisfied_rows(compiled, witness) == []
        assert witness[ACC_OUT_WIRE] == acc_zero(1)


def test_negative_equity_counted_as_huge_liabilities_is_refused(
    bankrupt_chunk: tuple[CompiledCircuit, Assignment, SolvencyTotals],
) -> None:
    """The field image of a negative equity, ``r − |e|``, booked as liabilities with no
    deficit; then the same wrap hidden in a previous total that cancels the deficit."""
    compiled, assignment, totals = bankrupt_chunk
    rest = totals.to_list()[2:]
    wrapped = [R - totals.deficit, 0, *rest]
    forged = dict(assignment, acc_out=poseidon([ACCUMULATOR_TAG, 1, *wrapped]))
    witness = compiled.solve(forged, check=False)
    assert _unsatisfied_rows(compiled, witness)
    previous = [0, R - totals.deficit, 0, 0, 0, 0]
    forged = dict(
        assignment,
        previous_totals=previous,
        acc_in=poseidon([ACCUMULATOR_TAG, 1, *previous]),
        acc_out=poseidon([ACCUMULATOR_TAG, 1, 0, 0, *rest]),
    )
    witness = compiled.solve(forged, check=False)
    failing = {compiled.r1cs.label(k) for k in _unsatisfied_rows(compiled, witness)}
    assert any(label.startswith("accumulator/previous[1]") for label in failing), failing


# --- the bundle: really proven chunks strung into a false statement -------------------------

CHUNK = 2
RICH = 10**15
Slots = list[Opening | None]


class Venue:
    """Dev keys for tiny chunks of 2, five accounts, snapshots of epochs 1 and 2, and a cache
    of chunk proofs keyed by their public inputs (the same inputs are the same statement)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.snapshot = tiny_snapshot()
        self.snapshot2 = tiny_snapshot(epoch=2)
        (root / "snapshot.json").write_text(dump_json(self.snapshot))
        (root / "snapshot2.json").write_text(dump_json(self.snapshot2))
        openings = random_openings(self.snapshot, 5, seed=31)
        self.ordered = canonical_order([o.commitment for o in openings])
        by_c = {o.commitment: o for o in openings}
        self.tree = epoch_tree(self.ordered, CHUNK)
        # The honest chunks c0, c1, c2 (the last one padded), in list order.
        self.chunks: list[Slots] = [
            [by_c[c] if c else None for c in self.tree.chunk_leaves(i)]
            for i in range(self.tree.n_chunks)
        ]
        assert len(self.chunks) == 3 and self.chunks[2][1] is None
        (root / "registry.json").write_text(
            json.dumps({"epoch": 1, "commitments": [str(c) for c in self.ordered]})
        )
        self.keys = root / "keys"
        assert main(["solvency", "setup", "--size", "tiny", "--chunk", str(CHUNK),
                     "--keys", str(self.keys)]) == 0  # fmt: skip
        self.shape = keys_shape(self.keys)
        self.zkey = str((self.keys / ZKEY_NAME).resolve())
        self._proofs: dict[tuple[int, ...], ChunkProof] = {}

    def prove_chain(
        self,
        out: Path,
        chunks: Sequence[tuple[Slots, MarketSnapshot]],
        *,
        n_chunks: int | None = None,
        count: int | None = None,
    ) -> EpochStatement:
        """Prove ``chunks`` as one accumulator chain (every proof valid) and publish them with
        the true list, its root and the chain's own final opening as the totals."""
        totals = SolvencyTotals()
        for index, (slots, snapshot) in enumerate(chunks):
            assignment, totals = chunk_assignment(slots, snapshot, totals)
            public = [_scalar(assignment[name]) for name in PUBLIC_NAMES]
            key = tuple(public)
            if key not in self._proofs:
                proof, proven = prove_chunk(self.zkey, self.shape, assignment)
                assert proven == public
                self._proofs[key] = ChunkProof(0, public, proof)
            write_chunk(out, replace(self._proofs[key], index=index))
        if count is not None:
            totals = replace(totals, count=count)
        statement = EpochStatement(
            epoch=1, size="tiny", chunk=CHUNK, snapshot_hash=_snapshot_hash(self.snapshot),
            list_root=self.tree.root,
            commitments=self.ordered, n_chunks=len(chunks) if n_chunks is None else n_chunks,
            totals=totals,
        )  # fmt: skip
        write_atomic(out / "statement.json", statement.to_json())
        return statement

    def verify(self, bundle: Path, snapshot: str = "snapshot.json") -> SolvencyReport:
        return verify_bundle(
            bundle, load_verifying_key(self.keys), load_snapshot(self.root / snapshot),
            reserves=RICH, insurance=0, registry=load_registry(self.root / "registry.json", 1),
        )  # fmt: skip

    def verify_cli(self, bundle: Path) -> int:
        return main(["solvency", "verify", str(bundle), "--snapshot",
                     str(self.root / "snapshot.json"), "--keys", str(self.keys), "--registry",
                     str(self.root / "registry.json"), "--reserves", str(RICH),
                     "--insurance", "0"])  # fmt: skip


def _scalar(value: int | Sequence[int]) -> int:
    assert isinstance(value, int)
    return value


def _snapshot_hash(snapshot: MarketSnapshot) -> int:
    from circuits.margin.witness import cached_snapshot_hash

    return cached_snapshot_hash(snapshot)


@pytest.fixture(scope="module")
def venue(tmp_path_factory: pytest.TempPathFactory) -> Venue:
    return Venue(tmp_path_factory.mktemp("solvency-attacks"))


def _refused(venue: Venue, bundle: Path, finding: str) -> SolvencyReport:
    report = venue.verify(bundle)
    assert report.verdict() == "INVALID"
    assert any(finding in f for f in report.findings), report.findings
    assert venue.verify_cli(bundle) == 1
    return report


def test_honest_chain_verifies(venue: Venue, tmp_path: Path) -> None:
    """Control: the chain of the three honest chunks is the epoch's statement."""
    s = venue.snapshot
    statement = venue.prove_chain(tmp_path / "b", [(c, s) for c in venue.chunks])
    report = venue.verify(tmp_path / "b")
    assert report.findings == [] and report.verdict() == "SOLVENT"
    assert statement.totals.count == 5


def test_chunks_proven_in_another_order_are_refused(venue: Venue, tmp_path: Path) -> None:
    """Every proof valid and the chain consistent (the sums commute), but chunk 0 covers the
    list's chunk 1: the chunk roots are read in list order."""
    c0, c1, c2 = venue.chunks
    s = venue.snapshot
    statement = venue.prove_chain(tmp_path / "b", [(c1, s), (c0, s), (c2, s)])
    assert statement.totals.count == 5
    report = _refused(venue, tmp_path / "b", "chunk 0: covers other commitments")
    assert any(f.startswith("chunk 1: covers other") for f in report.findings)


def test_chunk_counted_twice_in_place_of_another_is_refused(venue: Venue, tmp_path: Path) -> None:
    """c0 proven twice instead of c0, c1: the count still matches the list (2 + 2 + 1), the
    chain and every proof are valid — only the chunk root names the substitution."""
    c0, _, c2 = venue.chunks
    s = venue.snapshot
    statement = venue.prove_chain(tmp_path / "b", [(c0, s), (c0, s), (c2, s)])
    assert statement.totals.count == len(venue.ordered)
    report = _refused(venue, tmp_path / "b", "chunk 1: covers other commitments")
    assert len(report.findings) == 1


@pytest.mark.parametrize("n_chunks", [2, 3])
def test_chain_that_stops_before_the_last_chunk_is_refused(
    venue: Venue, tmp_path: Path, n_chunks: int
) -> None:
    """The last chunk (the bankrupt account's) dropped: a valid chain over c0, c1 whose
    opening is published, with n_chunks 2 (honest about the files) or 3 (claiming all)."""
    c0, c1, _ = venue.chunks
    s = venue.snapshot
    venue.prove_chain(tmp_path / "b", [(c0, s), (c1, s)], n_chunks=n_chunks, count=5)
    _refused(venue, tmp_path / "b", "2 chunk proofs for 3 chunks")


def test_extra_padding_chunk_after_the_list_is_refused(venue: Venue, tmp_path: Path) -> None:
    """A fourth, valid all-padding chunk (acc unchanged) is not part of the list's tree."""
    s = venue.snapshot
    padding: Slots = [None, None]
    chunks = [*((c, s) for c in venue.chunks), (padding, s)]
    venue.prove_chain(tmp_path / "b", chunks, n_chunks=4)
    _refused(venue, tmp_path / "b", "4 chunk proofs for 3 chunks")
    venue.prove_chain(tmp_path / "c", chunks, n_chunks=3)
    _refused(venue, tmp_path / "c", "4 chunk proofs for 3 chunks")


def _repriced(snapshot: MarketSnapshot) -> MarketSnapshot:
    """The same epoch's snapshot with every mark 10 % lower (a stale or invented price set)."""
    instruments = [
        inst.model_copy(update={"mark_price": inst.mark_price * 9 // 10})
        for inst in snapshot.instruments
    ]
    return snapshot.model_copy(update={"instruments": instruments})


@pytest.mark.parametrize("other", ["epoch 2", "repriced"])
def test_chunk_proven_on_another_snapshot_is_refused(
    venue: Venue, tmp_path: Path, other: str
) -> None:
    """c1 valued on another snapshot — epoch 2's, or epoch 1 at invented marks (a valid proof
    of another statement) — chained so that every acc matches and the published totals are
    the chain's opening."""
    c0, c1, c2 = venue.chunks
    s = venue.snapshot
    s_other = venue.snapshot2 if other == "epoch 2" else _repriced(s)
    assert _snapshot_hash(s_other) != _snapshot_hash(s)
    honest = venue.prove_chain(tmp_path / "h", [(c, s) for c in venue.chunks]).totals
    statement = venue.prove_chain(tmp_path / "b", [(c0, s), (c1, s_other), (c2, s)])
    if other == "repriced":
        assert statement.totals != honest  # the repricing moved the totals
    report = _refused(venue, tmp_path / "b", "chunk 1: proven against another snapshot")
    assert len(report.findings) == 1


def test_non_canonical_public_inputs_are_refused(venue: Venue, tmp_path: Path) -> None:
    """acc_out of chunk 0 and acc_in of chunk 1 both written as ``acc + r``: the chain's raw
    comparison passes, the verifier refuses inputs outside [0, r)."""
    s = venue.snapshot
    bundle = tmp_path / "b"
    venue.prove_chain(bundle, [(c, s) for c in venue.chunks])
    for name, position in (("000000.json", 1), ("000001.json", 0)):
        path = bundle / "chunks" / name
        data = json.loads(path.read_text())
        data["public"][position] = str(int(data["public"][position]) + R)
        path.write_text(json.dumps(data))
    report = venue.verify(bundle)
    assert report.verdict() == "INVALID"
    assert {f.split(":")[0] for f in report.findings} == {"chunk 0", "chunk 1"}, report.findings


@pytest.mark.parametrize(("chunk", "code"), [(1, 1), (4, 1), (3, 2), (0, 2)])
def test_statement_chunk_size_other_than_the_keys_is_refused(
    venue: Venue, tmp_path: Path, chunk: int, code: int
) -> None:
    """The statement claims another chunk size than the proofs' keys: refused (a power of two
    by the tree and the accumulator, anything else as bad input, exit 2)."""
    s = venue.snapshot
    bundle = tmp_path / "b"
    venue.prove_chain(bundle, [(c, s) for c in venue.chunks])
    data = json.loads((bundle / "statement.json").read_text())
    data["chunk"] = chunk
    data["n_chunks"] = epoch_tree(venue.ordered, chunk).n_chunks if code == 1 else 3
    (bundle / "statement.json").write_text(json.dumps(data))
    assert venue.verify_cli(bundle) == code


def test_list_root_other_than_the_lists_is_refused(venue: Venue, tmp_path: Path) -> None:
    """The published root of a list with one more account, beside the true list and chain."""
    s = venue.snapshot
    bundle = tmp_path / "b"
    venue.prove_chain(bundle, [(c, s) for c in venue.chunks])
    data = json.loads((bundle / "statement.json").read_text())
    data["list_root"] = str(epoch_tree([*venue.ordered, venue.ordered[-1] + 1], CHUNK).root)
    (bundle / "statement.json").write_text(json.dumps(data))
    _refused(venue, bundle, "published list root is not the Merkle root")


def test_inclusion_proof_of_a_padding_leaf_is_refused(venue: Venue, tmp_path: Path) -> None:
    """Leaves 5–7 of the five-account tree are padding 0s: their Merkle paths reach the root,
    but 0 is no account (and no real C sits at a padding index)."""
    s = venue.snapshot
    bundle = tmp_path / "b"
    statement = venue.prove_chain(bundle, [(c, s) for c in venue.chunks])
    tree = epoch_tree(statement.commitments, CHUNK)
    for index in (5, 6, 7):
        siblings, bits, position = [], [], index
        for level, nodes in enumerate(tree.levels[:-1]):
            sibling = position ^ 1
            siblings.append(nodes[sibling] if sibling < len(nodes) else zero_node(level))
            bits.append(position & 1)
            position >>= 1
        leaf = tree.levels[0][index] if index < len(tree.levels[0]) else 0
        assert leaf == 0
        assert not check_inclusion(tree.root, 0, siblings, bits)
        proof = tmp_path / f"padding{index}.json"
        proof.write_text(json.dumps({
            "epoch": 1, "list_root": str(tree.root), "leaf_index": index,
            "siblings": [str(v) for v in siblings], "bits": bits,
        }))  # fmt: skip
        assert main(["solvency", "inclusion", str(bundle), "--commitment", "0",
                     "--proof", str(proof)]) == 1  # fmt: skip
    real = tmp_path / "real.json"
    c = statement.commitments[4]
    assert main(["solvency", "inclusion", str(bundle), "--commitment", str(c),
                 "--proof-out", str(real)]) == 0  # fmt: skip
    assert main(["solvency", "inclusion", str(bundle), "--commitment", str(c),
                 "--proof", str(real)]) == 0  # fmt: skip


def test_bundle_copied_as_a_later_epochs_statement_is_refused(venue: Venue, tmp_path: Path) -> None:
    """Epoch 1's proven bundle relabelled epoch 2 and checked against epoch 2's snapshot."""
    s = venue.snapshot
    bundle = tmp_path / "b"
    venue.prove_chain(bundle, [(c, s) for c in venue.chunks])
    data = json.loads((bundle / "statement.json").read_text())
    data["epoch"] = 2
    (bundle / "statement.json").write_text(json.dumps(data))
    shutil.copy(venue.root / "registry.json", tmp_path / "registry2.json")
    registry = json.loads((tmp_path / "registry2.json").read_text())
    registry["epoch"] = 2
    (tmp_path / "registry2.json").write_text(json.dumps(registry))
    report = verify_bundle(
        bundle, load_verifying_key(venue.keys), load_snapshot(venue.root / "snapshot2.json"),
        reserves=RICH, insurance=0, registry=load_registry(tmp_path / "registry2.json", 2),
    )  # fmt: skip
    assert report.verdict() == "INVALID"
    assert any("snapshot hash" in f for f in report.findings), report.findings
    assert read_statement(bundle).epoch == 2


def test_whole_epoch_proven_on_invented_prices_is_refused_against_the_oracles_snapshot(
    venue: Venue, tmp_path: Path
) -> None:
    """Every chunk valued at invented marks, the statement naming that snapshot's hash: the
    verifier's (oracle's) snapshot does not hash to it. (Handed the invented snapshot file
    itself, verify cannot tell: where the snapshot comes from is the verifier's trust anchor.)"""
    s = _repriced(venue.snapshot)
    bundle = tmp_path / "b"
    venue.prove_chain(bundle, [(c, s) for c in venue.chunks])
    data = json.loads((bundle / "statement.json").read_text())
    data["snapshot_hash"] = str(_snapshot_hash(s))
    (bundle / "statement.json").write_text(json.dumps(data))
    _refused(venue, bundle, "snapshot hash is not the hash of the epoch's snapshot")
