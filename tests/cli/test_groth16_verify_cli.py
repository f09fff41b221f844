"""``zkm groth16 verify <vk> <public> <proof>``: exit 0 valid, 1 invalid, 2 bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from algebra.backend import Backend
from algebra.constants import FIELD_MODULUS_Q as Q
from tests.interop.fixtures import run_snarkjs
from tests.verifier.conftest import Toy, snarkjs_files, toy  # noqa: F401  (fixtures)
from tests.verifier.snarkjs_vectors import SnarkjsGroth16
from verifier.snarkjs_json import proof_to_json, public_inputs_to_json, verifying_key_to_json
from zkmargin.cli import main

_vk_json: dict[str, Any] = {}


def _write(directory: Path, name: str, content: object) -> Path:
    path = directory / name
    path.write_text(json.dumps(content, indent=1))
    return path


@pytest.fixture
def toy_files(backend: Backend, toy: Toy, tmp_path: Path) -> tuple[Path, Path, Path]:  # noqa: F811
    """vk.json, public.json, proof.json for a valid toy proof."""
    if backend.name not in _vk_json:
        _vk_json[backend.name] = verifying_key_to_json(toy.key.vk)
    return (
        _write(tmp_path, "vk.json", _vk_json[backend.name]),
        _write(tmp_path, "public.json", public_inputs_to_json(toy.inputs[0])),
        _write(tmp_path, "proof.json", proof_to_json(toy.proofs[0])),
    )


def _verify(backend: Backend, vk: Path, public: Path, proof: Path) -> int:
    return main(["groth16", "verify", str(vk), str(public), str(proof), "--backend", backend.name])


def test_cli_verify_valid_proof_prints_ok_and_exits_0(
    backend: Backend, toy_files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _verify(backend, *toy_files) == 0
    assert capsys.readouterr().out.strip() == "OK"


def test_cli_verify_changed_public_input_exits_1(
    backend: Backend, toy_files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    vk, public, proof = toy_files
    values = json.loads(public.read_text())
    values[1] = str(int(values[1]) + 1)
    public.write_text(json.dumps(values))
    assert _verify(backend, vk, public, proof) == 1
    captured = capsys.readouterr()
    assert "OK" not in captured.out and "INVALID" in captured.err


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda p: p["pi_a"].__setitem__(0, str(Q + int(p["pi_a"][0]))),
            "pi_a[0] is not in [0, q)",
        ),
        (lambda p: p["pi_b"][1].__setitem__(0, "0x1"), "pi_b[1][0]"),
        (lambda p: p["pi_c"].__setitem__(1, str((int(p["pi_c"][1]) + 1) % Q)), "proof.c"),
        (lambda p: p.__setitem__("pi_a", ["0", "1", "0"]), "proof.a is the point at infinity"),
        (lambda p: p.__setitem__("pi_a", ["0", "0", "1"]), "pi_a: (0, 0) is not on the curve"),
        (lambda p: p.pop("pi_b"), "missing key 'pi_b'"),
    ],
)
def test_cli_verify_malformed_proof_exits_2_with_one_line(
    backend: Backend,
    toy_files: tuple[Path, Path, Path],
    capsys: pytest.CaptureFixture[str],
    mutate: Any,
    message: str,
) -> None:
    vk, public, proof = toy_files
    content = json.loads(proof.read_text())
    mutate(content)
    proof.write_text(json.dumps(content))
    assert _verify(backend, vk, public, proof) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


_G2_INFINITY = [["0", "0"], ["1", "0"], ["0", "0"]]
_G2_ZERO_ZERO = [["0", "0"], ["0", "0"], ["1", "0"]]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vk_alpha_1", ["0", "1", "0"]),
        ("vk_alpha_1", ["0", "0", "1"]),
        *((f, _G2_INFINITY) for f in ("vk_beta_2", "vk_gamma_2", "vk_delta_2")),
        *((f, _G2_ZERO_ZERO) for f in ("vk_beta_2", "vk_gamma_2", "vk_delta_2")),
    ],
)
def test_cli_verify_key_with_fixed_point_at_infinity_exits_2(
    backend: Backend,
    toy_files: tuple[Path, Path, Path],
    capsys: pytest.CaptureFixture[str],
    field: str,
    value: object,
) -> None:
    vk, public, proof = toy_files
    content = json.loads(vk.read_text())
    content[field] = value
    vk.write_text(json.dumps(content))
    assert _verify(backend, vk, public, proof) == 2
    err = capsys.readouterr().err.strip()
    # the JSON name (parse-time refusal of (0, 0)) or the key's field name (infinity)
    python_name = field.removeprefix("vk_").replace("_1", "_g1").replace("_2", "_g2")
    assert field in err or f"verifying key {python_name}" in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_cli_verify_wrong_input_count_exits_2(
    backend: Backend, toy_files: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    vk, public, proof = toy_files
    public.write_text(json.dumps(json.loads(public.read_text())[:1]))
    assert _verify(backend, vk, public, proof) == 2
    assert "expected 2 public inputs" in capsys.readouterr().err


@pytest.mark.parametrize("problem", ["missing", "not json"])
def test_cli_verify_unreadable_file_exits_2(
    backend: Backend, toy_files: tuple[Path, Path, Path], problem: str
) -> None:
    vk, public, proof = toy_files
    if problem == "missing":
        vk.unlink()
    else:
        vk.write_text("{not json")
    assert _verify(backend, vk, public, proof) == 2


# --- interop: snarkjs proves, zkm verifies, with identical verdicts -----------------------


def _copy_proof(files: SnarkjsGroth16, tmp_path: Path) -> tuple[Path, Path, Path]:
    proof, public = files.proofs[0]
    return (
        files.verification_key,
        Path(shutil.copy(public, tmp_path / "public.json")),
        Path(shutil.copy(proof, tmp_path / "proof.json")),
    )


@pytest.mark.interop
def test_cli_verify_accepts_snarkjs_proof(
    backend: Backend,
    snarkjs_files: SnarkjsGroth16,  # noqa: F811
    tmp_path: Path,
) -> None:
    vk, public, proof = _copy_proof(snarkjs_files, tmp_path)
    assert _verify(backend, vk, public, proof) == 0


@pytest.mark.interop
def test_cli_verify_and_snarkjs_both_reject_tampered_proof(
    backend: Backend,
    snarkjs_files: SnarkjsGroth16,  # noqa: F811
    tmp_path: Path,
) -> None:
    vk, public, proof = _copy_proof(snarkjs_files, tmp_path)
    values = json.loads(public.read_text())
    values[2] = str(int(values[2]) + 1)
    public.write_text(json.dumps(values))
    assert _verify(backend, vk, public, proof) == 1
    assert run_snarkjs("groth16", "verify", vk, public, proof, check=False).returncode == 1


@pytest.mark.interop
def test_cli_verify_rejects_snarkjs_proof_with_coordinate_ge_q(
    backend: Backend,
    snarkjs_files: SnarkjsGroth16,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vk, public, proof = _copy_proof(snarkjs_files, tmp_path)
    content = json.loads(proof.read_text())
    # the same point mod q: a malleability attempt snarkjs itself would accept
    content["pi_c"][0] = str(int(content["pi_c"][0]) + Q)
    proof.write_text(json.dumps(content))
    assert _verify(backend, vk, public, proof) == 2
    assert "pi_c[0] is not in [0, q)" in capsys.readouterr().err


@pytest.mark.interop
def test_snarkjs_verifies_files_written_by_zkm(
    backend: Backend, toy_files: tuple[Path, Path, Path]
) -> None:
    vk, public, proof = toy_files
    assert run_snarkjs("groth16", "verify", vk, public, proof, check=False).returncode == 0


@pytest.mark.interop
@pytest.mark.parametrize("provenance", ["dev", "uncontributed", "ceremony-verified"])
def test_snarkjs_and_zkm_verify_with_a_vk_carrying_zkm_provenance(
    backend: Backend,
    toy: Toy,  # noqa: F811
    tmp_path: Path,
    provenance: str,
) -> None:
    from verifier.provenance import KeyProvenance

    body = verifying_key_to_json(toy.key.vk, provenance=KeyProvenance(provenance))
    assert body["zkm_provenance"] == provenance
    vk = _write(tmp_path, "vk.json", body)
    public = _write(tmp_path, "public.json", public_inputs_to_json(toy.inputs[0]))
    proof = _write(tmp_path, "proof.json", proof_to_json(toy.proofs[0]))
    assert run_snarkjs("groth16", "verify", vk, public, proof, check=False).returncode == 0
    assert _verify(backend, vk, public, proof) == 0
    values = json.loads(public.read_text())
    values[0] = str(int(values[0]) + 1)
    public.write_text(json.dumps(values))
    assert run_snarkjs("groth16", "verify", vk, public, proof, check=False).returncode == 1
