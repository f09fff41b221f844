"""Setup inputs: ptau files that cannot serve the circuit, and the CLI's UNSAFE labelling."""

from __future__ import annotations

from pathlib import Path

import pytest

from algebra.backend import get_backend
from algebra.constants import FIELD_MODULUS_Q
from algebra.errors import FormatError, MalformedInputError
from circuits.formats.r1cs_file import write_r1cs
from prover.container import write_container
from prover.lagrange import domain_lagrange, odd_lagrange_2n
from prover.setup import setup_from_ptau
from tests.prover.conftest import tiny_r1cs
from zkmargin.cli import main as zkm

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617


def _ptau_header(power: int) -> bytes:
    return (
        (32).to_bytes(4, "little")
        + FIELD_MODULUS_Q.to_bytes(32, "little")
        + power.to_bytes(4, "little")
        + power.to_bytes(4, "little")
    )


def test_lagrange_bases_sum_to_one_and_interpolate_tau() -> None:
    tau, n = 123456789, 8
    basis = domain_lagrange(tau, n)
    assert sum(basis) % R == 1
    omega = pow(5, (R - 1) // n, R)
    assert sum(pow(omega, i, R) * b for i, b in enumerate(basis)) % R == tau
    odd = odd_lagrange_2n(tau, n)
    assert len(odd) == n and all(0 < v < R for v in odd)


def test_setup_rejects_ptau_not_prepared_for_phase2(tmp_path: Path) -> None:
    path = tmp_path / "raw.ptau"
    write_container(path, b"ptau", 1, [(1, [_ptau_header(5)])])
    with pytest.raises(FormatError, match="phase 2"):
        setup_from_ptau(tiny_r1cs(), path, backend=get_backend("reference"))


def test_setup_rejects_ptau_too_small_for_circuit(tmp_path: Path) -> None:
    path = tmp_path / "small.ptau"
    write_container(path, b"ptau", 1, [(1, [_ptau_header(2)]), (12, [b""])])
    with pytest.raises(MalformedInputError, match="2\\^3 domain"):
        setup_from_ptau(tiny_r1cs(), path, backend=get_backend("reference"))


def test_setup_rejects_a_file_that_is_not_a_ptau(tmp_path: Path) -> None:
    path = tmp_path / "x.ptau"
    path.write_bytes(b"zkey" + bytes(8))
    with pytest.raises(FormatError, match="bad magic"):
        setup_from_ptau(tiny_r1cs(), path, backend=get_backend("reference"))


def test_cli_dev_setup_prints_unsafe_and_marks_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_r1cs(tiny_r1cs(), tmp_path / "c.r1cs")
    key, vk = tmp_path / "c.zkey", tmp_path / "vk.json"
    argv = ["groth16", "setup", "--dev", str(tmp_path / "c.r1cs"), str(key)]
    assert zkm([*argv, "--backend", "reference"]) == 0
    assert "UNSAFE DEV SETUP" in capsys.readouterr().out
    export = ["zkey", "export", "verificationkey", str(key), str(vk), "--backend", "reference"]
    assert zkm(export) == 0
    assert "UNSAFE" in capsys.readouterr().err
    assert vk.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["groth16", "setup", "--dev", "c.r1cs", "a.zkey", "b.zkey"],
        ["groth16", "setup", "c.r1cs", "only.ptau"],
    ],
)
def test_cli_setup_rejects_wrong_argument_shapes(argv: list[str]) -> None:
    assert zkm(argv) == 2


def test_cli_prove_with_missing_zkey_is_exit_2(tmp_path: Path) -> None:
    argv = ["groth16", "prove", str(tmp_path / "none.zkey"), "w.wtns", "p.json", "q.json"]
    assert zkm([*argv, "--backend", "reference"]) == 2
