"""``zkm r1cs info`` and ``zkm wtns check``: exit codes 0 / 1 / 2 and their one-line messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from algebra.constants import SCALAR_FIELD_R as R
from circuits.formats import write_r1cs, write_wtns
from circuits.r1cs import R1CS, Constraint
from zkmargin.cli import app, main

SECRET_X = 987654321987654321


def _system() -> R1CS:
    """w = [1, out, x, y, xy]: xy = x·y; out = xy + 3."""
    return R1CS(
        n_wires=5,
        n_public_outputs=1,
        n_public_inputs=1,
        n_private_inputs=1,
        constraints=[Constraint({2: 1}, {3: 1}, {4: 1}), Constraint({4: 1, 0: 3}, {0: 1}, {1: 1})],
    )


def _witness(x: int = SECRET_X, y: int = 5) -> list[int]:
    return [1, (x * y + 3) % R, x, y, x * y % R]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    r1cs, wtns = tmp_path / "c.r1cs", tmp_path / "w.wtns"
    write_r1cs(_system(), r1cs)
    write_wtns(_witness(), wtns)
    return r1cs, wtns


def test_r1cs_info_prints_the_header_counts(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["r1cs", "info", str(files[0])]) == 0
    out = capsys.readouterr().out
    for line in ("wires: 5", "constraints: 2", "public outputs: 1", "public inputs: 1"):
        assert line in out
    assert "private inputs: 1" in out and "labels: 5" in out


def test_r1cs_info_through_the_typer_app(files: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(app, ["r1cs", "info", str(files[0])])
    assert result.exit_code == 0
    assert "constraints: 2" in result.output


def test_wtns_check_accepts_a_satisfying_witness(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["wtns", "check", str(files[0]), str(files[1])]) == 0
    assert "all 2 constraints are satisfied" in capsys.readouterr().out


def test_wtns_check_names_the_first_failing_constraint_without_printing_values(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    forged = _witness()
    forged[1] = (forged[1] + 1) % R  # wrong output: only constraint 1 breaks
    write_wtns(forged, files[1])
    assert main(["wtns", "check", str(files[0]), str(files[1])]) == 1
    captured = capsys.readouterr()
    assert "constraint 1 (unlabelled) is not satisfied" in captured.err
    assert str(SECRET_X) not in captured.out + captured.err


def test_wtns_check_labels_the_failure_with_signal_names_from_the_sym_file(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    files[0].with_suffix(".sym").write_text(
        "1,1,0,main.out\n2,2,0,main.x\n3,3,0,main.y\n4,4,0,main.xy\n5,-1,0,main.gone\n"
    )
    forged = _witness()
    forged[4] = (forged[4] + 1) % R  # xy wrong: constraint 0 breaks first
    write_wtns(forged, files[1])
    assert main(["wtns", "check", str(files[0]), str(files[1])]) == 1
    assert "constraint 0 (main.x, main.y, main.xy)" in capsys.readouterr().err


@pytest.mark.parametrize("which", ["r1cs", "wtns"])
def test_wtns_check_exits_2_on_a_corrupt_file(
    files: tuple[Path, Path], which: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = files[0] if which == "r1cs" else files[1]
    target.write_bytes(b"garbage!" * 4)
    assert main(["wtns", "check", str(files[0]), str(files[1])]) == 2
    assert "bad magic number" in capsys.readouterr().err


def test_wtns_check_exits_2_on_a_witness_of_the_wrong_length(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    write_wtns(_witness()[:4], files[1])
    assert main(["wtns", "check", str(files[0]), str(files[1])]) == 2
    assert "4 values" in capsys.readouterr().err


def test_commands_exit_2_on_a_missing_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.r1cs")
    assert main(["r1cs", "info", missing]) == 2
    assert main(["wtns", "check", missing, missing]) == 2
