"""Compiled circuits write .r1cs/.wtns files that read back identically and pass snarkjs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from circuits.formats.r1cs_file import read_r1cs
from circuits.formats.wtns_file import read_wtns
from circuits.frontend import API, Assignment, Circuit, Variable, compile, public, secret
from circuits.std.division import floor_div
from circuits.std.minmax import signed_abs
from tests.conftest import npm_tool


class Sample(Circuit):
    """A little of everything: products, hints, selects, range checks, division."""

    a: Variable = secret()
    bs: list[Variable] = secret(length="n")
    out: Variable = public()

    def define(self, api: API) -> None:
        total = api.add(*[api.mul(self.a, b) for b in self.bs])
        magnitude = signed_abs(api, total, 32)
        api.assert_is_equal(floor_div(api, magnitude, 7, 33), self.out)


ASSIGNMENT: Assignment = {"a": R - 3, "bs": [5, 11, 2], "out": (3 * 18) // 7}


def test_files_round_trip(tmp_path: Path) -> None:
    compiled = compile(Sample, {"n": 3})
    witness = compiled.solve(ASSIGNMENT)
    compiled.write_r1cs(tmp_path / "c.r1cs")
    compiled.write_wtns(witness, tmp_path / "w.wtns")
    loaded = read_r1cs(tmp_path / "c.r1cs")
    assert loaded.constraints == compiled.r1cs.constraints
    assert (loaded.n_public_inputs, loaded.n_private_inputs) == (1, 4)
    assert read_wtns(tmp_path / "w.wtns") == witness


@pytest.mark.interop
def test_snarkjs_wtns_check_accepts_our_files(tmp_path: Path) -> None:
    snarkjs = npm_tool("snarkjs")
    compiled = compile(Sample, {"n": 3})
    compiled.write_r1cs(tmp_path / "c.r1cs")
    compiled.write_wtns(compiled.solve(ASSIGNMENT), tmp_path / "w.wtns")
    result = subprocess.run(
        [str(snarkjs), "wtns", "check", str(tmp_path / "c.r1cs"), str(tmp_path / "w.wtns")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WITNESS IS CORRECT" in result.stdout
