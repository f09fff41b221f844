"""``zkm groth16 prove``: the Typer-free fast path and the Typer command agree, errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from algebra.backend import get_backend
from algebra.constants import SCALAR_FIELD_R as R
from circuits.formats import write_wtns
from prover.setup import setup_dev
from prover.zkey import write_zkey
from tests.prover.conftest import tiny_r1cs, tiny_witness
from verifier.keys import VerifyingKey
from verifier.snarkjs_json import proof_from_json, public_inputs_from_json
from verifier.verify import verify
from zkmargin.cli import app, fast_prove_arguments, main


@pytest.fixture(scope="module")
def key_and_vk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, VerifyingKey]:
    backend = get_backend()
    pk = setup_dev(tiny_r1cs(), backend=backend)
    path = tmp_path_factory.mktemp("key") / "k.zkey"
    write_zkey(pk, path, backend=backend)
    return path, pk.vk


def _paths(tmp_path: Path, witness: list[int]) -> list[str]:
    write_wtns(witness, tmp_path / "w.wtns")
    return [str(tmp_path / name) for name in ("w.wtns", "proof.json", "public.json")]


def _verifies(vk: VerifyingKey, tmp_path: Path) -> bool:
    proof = proof_from_json(json.loads((tmp_path / "proof.json").read_text()))
    public = public_inputs_from_json(json.loads((tmp_path / "public.json").read_text()))
    return verify(vk, proof, public)


def test_fast_path_takes_only_plain_prove_calls() -> None:
    plain = ["groth16", "prove", "k", "w", "p", "q"]
    assert fast_prove_arguments(plain) == (Path("k"), Path("w"), Path("p"), Path("q"), None)
    assert fast_prove_arguments([*plain, "--backend", "reference"]) == (
        *(Path(x) for x in "kwpq"),
        "reference",
    )
    assert fast_prove_arguments(["groth16", "prove", "--backend=native", *plain[2:]]) == (
        *(Path(x) for x in "kwpq"),
        "native",
    )
    for other in (
        [*plain, "--help"],
        plain[:-1],
        [*plain, "extra"],
        [*plain, "--backend"],
        ["groth16", "verify", "a", "b", "c"],
        ["groth16", "prove", "--", "k", "w", "p", "q"],
    ):
        assert fast_prove_arguments(other) is None


@pytest.mark.parametrize("options", [[], ["--backend", "reference"], ["--backend=native"]])
def test_fast_path_writes_a_verifying_proof_and_warns_unsafe(
    key_and_vk: tuple[Path, VerifyingKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
) -> None:
    zkey, vk = key_and_vk
    paths = _paths(tmp_path, tiny_witness(2, 9))
    assert main(["groth16", "prove", str(zkey), *paths, *options]) == 0
    assert "UNSAFE" in capsys.readouterr().err
    assert _verifies(vk, tmp_path)
    public = json.loads((tmp_path / "public.json").read_text())
    assert public == [str(v) for v in tiny_witness(2, 9)[1:3]]


def test_typer_command_writes_a_verifying_proof(
    key_and_vk: tuple[Path, VerifyingKey], tmp_path: Path
) -> None:
    zkey, vk = key_and_vk
    args = ["groth16", "prove", str(zkey), *_paths(tmp_path, tiny_witness(6, 1))]
    result = CliRunner().invoke(app, [*args, "--backend", "native"])
    assert result.exit_code == 0, result.output
    assert _verifies(vk, tmp_path)


def test_prove_help_still_goes_through_typer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["groth16", "prove", "--help"]) == 0
    assert "proof.json" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("witness", "message"),
    [
        ([1, 0, 0, 3, 5, 7], "does not satisfy"),
        ([1, R, 0, 3, 5, 15], "not in [0, r)"),
        ([1, 226, 225, 3, 5], "5 values"),
    ],
)
def test_bad_witness_exits_2_with_one_line(
    key_and_vk: tuple[Path, VerifyingKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    witness: list[int],
    message: str,
) -> None:
    zkey, _ = key_and_vk
    if witness[1] == R:  # write_wtns refuses values ≥ r: forge the bytes
        write_wtns([1, 0, 0, 3, 5, 15], tmp_path / "w.wtns")
        data = bytearray((tmp_path / "w.wtns").read_bytes())
        start = len(data) - 5 * 32
        data[start : start + 32] = R.to_bytes(32, "little")
        (tmp_path / "w.wtns").write_bytes(bytes(data))
        paths = [str(tmp_path / n) for n in ("w.wtns", "proof.json", "public.json")]
    else:
        paths = _paths(tmp_path, witness)
    assert main(["groth16", "prove", str(zkey), *paths]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "proof.json").exists()


def test_missing_zkey_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _paths(tmp_path, tiny_witness())
    assert main(["groth16", "prove", str(tmp_path / "none.zkey"), *paths]) == 2
    assert "No such file" in capsys.readouterr().err
