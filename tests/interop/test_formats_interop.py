"""Cross-tool tests of .r1cs/.wtns: circom2 and snarkjs files read here, ours accepted there."""

from __future__ import annotations

from pathlib import Path

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from circuits.formats import read_r1cs, read_wtns, write_r1cs, write_wtns
from circuits.formats.binfile import parse_container
from circuits.formats.r1cs_file import r1cs_to_bytes
from circuits.r1cs import R1CS, Constraint
from tests.interop.fixtures import calculate_witness, compile_circom, run_snarkjs

pytestmark = pytest.mark.interop

INPUTS = {"a": 3, "b": 5, "c": 7, "k": 11}


def test_circom_r1cs_header_and_sections_round_trip() -> None:
    compiled = compile_circom("multiplier")
    r1cs = read_r1cs(compiled.r1cs)
    counts = (r1cs.n_wires, r1cs.n_constraints, r1cs.n_public_outputs, r1cs.n_public_inputs)
    assert counts == (10, 5, 2, 1)
    assert (r1cs.n_private_inputs, r1cs.n_labels) == (3, 10)
    theirs = parse_container(compiled.r1cs.read_bytes(), b"r1cs", 1, "circom")
    ours = parse_container(r1cs_to_bytes(r1cs), b"r1cs", 1, "ours")
    assert theirs == ours  # same sections, byte for byte (circom writes them in another order)


def test_circom_o2_file_keeps_more_labels_than_wires() -> None:
    r1cs = read_r1cs(compile_circom("multiplier", flags=("--O2",)).r1cs)
    assert (r1cs.n_wires, r1cs.n_labels, r1cs.n_constraints) == (9, 10, 4)
    assert r1cs.wire_to_label is not None and r1cs.wire_to_label[-1] == 9


def test_snarkjs_witness_satisfies_the_circom_r1cs(tmp_path: Path) -> None:
    compiled = compile_circom("multiplier")
    witness = read_wtns(calculate_witness(compiled, INPUTS, tmp_path / "w.wtns"))
    r1cs = read_r1cs(compiled.r1cs)
    assert witness[:4] == [1, 3 * 5 * 7 + 11, (3 + 5) * 11, 11]
    assert r1cs.is_satisfied(witness)
    forged = list(witness)
    forged[1] = (forged[1] + 1) % R  # claim a different output
    failing = r1cs.which_is_unsatisfied(forged)
    assert failing is not None and failing[0] == 1


def test_snarkjs_accepts_our_r1cs_and_wtns(tmp_path: Path) -> None:
    compiled = compile_circom("multiplier")
    witness = read_wtns(calculate_witness(compiled, INPUTS, tmp_path / "w.wtns"))
    r1cs_path, wtns_path = tmp_path / "ours.r1cs", tmp_path / "ours.wtns"
    write_r1cs(read_r1cs(compiled.r1cs), r1cs_path)
    write_wtns(witness, wtns_path)
    assert run_snarkjs("wtns", "check", r1cs_path, wtns_path).returncode == 0
    forged = list(witness)
    forged[7] = (forged[7] + 1) % R
    write_wtns(forged, wtns_path)
    assert run_snarkjs("wtns", "check", r1cs_path, wtns_path, check=False).returncode == 1


def test_snarkjs_reads_an_r1cs_written_from_scratch(tmp_path: Path) -> None:
    x, y = 6, R - 2
    r1cs = R1CS(
        n_wires=5,
        n_public_outputs=1,
        n_public_inputs=1,
        n_private_inputs=1,
        constraints=[
            Constraint({2: 1}, {3: 1}, {4: 1}),
            Constraint({4: 1, 0: 3}, {0: 1}, {1: 1}),
        ],
    )
    r1cs_path, wtns_path = tmp_path / "s.r1cs", tmp_path / "s.wtns"
    write_r1cs(r1cs, r1cs_path)
    write_wtns([1, (x * y + 3) % R, x, y, x * y % R], wtns_path)
    info = run_snarkjs("r1cs", "info", r1cs_path).stdout
    for line in (
        "# of Wires: 5",
        "# of Constraints: 2",
        "# of Private Inputs: 1",
        "# of Public Inputs: 1",
        "# of Labels: 5",
        "# of Outputs: 1",
    ):
        assert line in info
    assert run_snarkjs("wtns", "check", r1cs_path, wtns_path).returncode == 0


def test_zkm_wtns_check_names_circom_signals_of_a_forged_witness(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from zkmargin.cli import main

    compiled = compile_circom("multiplier")
    wtns = calculate_witness(compiled, INPUTS, tmp_path / "w.wtns")
    assert main(["wtns", "check", str(compiled.r1cs), str(wtns)]) == 0
    forged = read_wtns(wtns)
    forged[9] = (forged[9] + 1) % R  # inv: only `inv * a === 1` breaks
    write_wtns(forged, wtns)
    assert main(["wtns", "check", str(compiled.r1cs), str(wtns)]) == 1
    assert "(main.a, main.inv) is not satisfied" in capsys.readouterr().err
