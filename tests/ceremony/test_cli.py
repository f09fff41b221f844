"""The ceremony commands through the CLI: exit codes 0 valid, 1 invalid, 2 bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ceremony.conftest import Ceremony
from tests.ceremony.tamper import copy_point
from zkmargin.cli import main


def test_cli_runs_a_small_phase1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blank, mine, beacon, ready = (str(tmp_path / f"{n}.ptau") for n in ("0", "1", "2", "3"))
    assert main(["powersoftau", "new", "bn128", "3", blank]) == 0
    assert main(["powersoftau", "contribute", blank, mine, "-n=me", "-e=x"]) == 0
    assert "response hash" in capsys.readouterr().out
    assert main(["powersoftau", "beacon", mine, beacon, "00ff", "10"]) == 0
    assert main(["powersoftau", "prepare", "phase2", beacon, ready]) == 0
    assert main(["powersoftau", "verify", ready]) == 0
    assert main(["powersoftau", "beacon", mine, beacon, "00ff", "9"]) == 2


def test_cli_verify_exit_codes(zkm_ceremony: Ceremony, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ptau"
    copy_point(zkm_ceremony.ptaus[4], bad, b"ptau", 2, 64)
    assert main(["powersoftau", "verify", str(bad)]) == 1
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"not a ceremony file")
    assert main(["powersoftau", "verify", str(garbage)]) == 2
    args = [str(zkm_ceremony.r1cs), str(zkm_ceremony.final_ptau)]
    assert main(["zkey", "verify", *args, str(zkm_ceremony.zkeys[-1])]) == 0
    assert main(["zkey", "verify", *args, str(zkm_ceremony.zkeys[0])]) == 1  # uncontributed
    assert main(["zkey", "verify", *args, str(garbage)]) == 2


def test_cli_zkey_contribute_and_beacon(
    zkm_ceremony: Ceremony, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, final = str(tmp_path / "mine.zkey"), str(tmp_path / "final.zkey")
    assert main(["zkey", "contribute", str(zkm_ceremony.zkeys[-1]), mine, "--name=me"]) == 0
    assert "contribution hash" in capsys.readouterr().out
    assert main(["zkey", "beacon", mine, final, "abcd", "10"]) == 0
    args = [str(zkm_ceremony.r1cs), str(zkm_ceremony.final_ptau), final]
    assert main(["zkey", "verify", *args]) == 0
    assert main(["zkey", "beacon", mine, final, "zz", "10"]) == 2
