"""Groth16 interop with the pinned snarkjs on our own circom circuit (tests/interop/circuits).

Each direction is exercised through the CLIs: keys from either tool prove in the other,
proofs from either tool verify in the other, our phase-2 setup writes the same bytes as
``snarkjs groth16 setup``, and tampered proofs or public inputs are rejected by both.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from algebra.backend import get_backend
from algebra.errors import BackendUnavailableError
from prover.container import SectionFile
from prover.zkey import read_zkey, write_zkey
from tests.interop.fixtures import (
    CACHE_DIR,
    CompiledCircuit,
    calculate_witness,
    compile_circom,
    run_snarkjs,
)
from zkmargin.cli import main as zkm

pytestmark = pytest.mark.interop
PTAU_POWER = 6
INPUTS = {"coeffs": [3, 1, 4, 1, 5, 9], "x": 26, "small": 200}


def _backend_name() -> str:
    """The native backend when built, else the reference one (both implement every kernel)."""
    try:
        get_backend("native")
    except BackendUnavailableError:
        return "reference"
    return "native"


@pytest.fixture(scope="module")
def backend_name() -> str:
    return _backend_name()


def _cached_ptau(power: int) -> Path:
    """Return a phase-2-prepared .ptau of ``power`` made by snarkjs (one contribution), cached."""
    target = CACHE_DIR / "ptau" / f"pot{power}_final.ptau"
    if target.exists():
        return target
    staging = CACHE_DIR / "ptau" / f".staging-{os.getpid()}"
    staging.mkdir(parents=True, exist_ok=True)
    try:
        run_snarkjs("powersoftau", "new", "bn128", str(power), staging / "p0.ptau")
        run_snarkjs(
            "powersoftau", "contribute", staging / "p0.ptau", staging / "p1.ptau",
            "--name=zkmargin-tests", "-e=zkmargin interop entropy",
        )  # fmt: skip
        run_snarkjs("powersoftau", "prepare", "phase2", staging / "p1.ptau", staging / "f.ptau")
        os.replace(staging / "f.ptau", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


@pytest.fixture(scope="module")
def circuit() -> CompiledCircuit:
    return compile_circom("groth16_poly")


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory, circuit: CompiledCircuit) -> Path:
    """A directory holding the ptau, snarkjs's keys (initial and contributed) and a witness."""
    directory = tmp_path_factory.mktemp("groth16")
    shutil.copy(_cached_ptau(PTAU_POWER), directory / "pot.ptau")
    run_snarkjs("groth16", "setup", circuit.r1cs, directory / "pot.ptau", directory / "s0.zkey")
    run_snarkjs(
        "zkey", "contribute", directory / "s0.zkey", directory / "s1.zkey",
        "--name=phase2", "-e=zkmargin phase-2 entropy",
    )  # fmt: skip
    run_snarkjs("zkey", "export", "verificationkey", directory / "s1.zkey", directory / "vk.json")
    calculate_witness(circuit, INPUTS, directory / "w.wtns")
    return directory


def _zkm(*args: object) -> int:
    return zkm([str(a) for a in args])


def _snarkjs_verifies(vk: Path, public: Path, proof: Path) -> bool:
    done = run_snarkjs("groth16", "verify", vk, public, proof, check=False)
    return done.returncode == 0 and "OK" in done.stdout


def test_zkm_setup_writes_snarkjs_setup_bytes(
    work: Path, circuit: CompiledCircuit, backend_name: str
) -> None:
    out = work / "ours0.zkey"
    assert (
        _zkm("groth16", "setup", circuit.r1cs, work / "pot.ptau", out, "--backend", backend_name)
        == 0
    )
    assert out.read_bytes() == (work / "s0.zkey").read_bytes()


def _zkm_prove(work: Path, backend_name: str, proof: Path, public: Path) -> None:
    """Prove the multiplier witness with ``zkm groth16 prove`` and the snarkjs-contributed key."""
    args = ("groth16", "prove", work / "s1.zkey", work / "w.wtns", proof, public)
    assert _zkm(*args, "--backend", backend_name) == 0


def test_snarkjs_verifies_zkm_proof(work: Path, backend_name: str) -> None:
    proof, public = work / "zp.json", work / "zpub.json"
    _zkm_prove(work, backend_name, proof, public)
    assert json.loads(public.read_text()) == [
        str(3 + 26 * (1 + 26 * (4 + 26 * (1 + 26 * (5 + 26 * 9))))),
        "26",
    ]
    assert _snarkjs_verifies(work / "vk.json", public, proof)
    assert (
        _zkm("groth16", "verify", work / "vk.json", public, proof, "--backend", backend_name) == 0
    )


def test_zkm_verifies_snarkjs_proof(work: Path, backend_name: str) -> None:
    proof, public = work / "sp.json", work / "spub.json"
    run_snarkjs("groth16", "prove", work / "s1.zkey", work / "w.wtns", proof, public)
    assert (
        _zkm("groth16", "verify", work / "vk.json", public, proof, "--backend", backend_name) == 0
    )


@pytest.mark.parametrize("dev", [False, True], ids=["from-ptau", "dev"])
def test_snarkjs_proves_with_zkm_key(
    work: Path, circuit: CompiledCircuit, backend_name: str, dev: bool
) -> None:
    key, vk = work / f"ours-{dev}.zkey", work / f"ours-vk-{dev}.json"
    setup = ["--dev", circuit.r1cs, key] if dev else [circuit.r1cs, work / "pot.ptau", key]
    assert _zkm("groth16", "setup", *setup, "--backend", backend_name) == 0
    assert _zkm("zkey", "export", "verificationkey", key, vk, "--backend", backend_name) == 0
    proof, public = work / f"op-{dev}.json", work / f"opub-{dev}.json"
    run_snarkjs("groth16", "prove", key, work / "w.wtns", proof, public)
    assert _snarkjs_verifies(vk, public, proof)
    assert _zkm("groth16", "verify", vk, public, proof, "--backend", backend_name) == 0


def test_zkm_exports_snarkjs_verification_key(work: Path, backend_name: str) -> None:
    out = work / "zvk.json"
    assert (
        _zkm("zkey", "export", "verificationkey", work / "s1.zkey", out, "--backend", backend_name)
        == 0
    )
    ours, theirs = json.loads(out.read_text()), json.loads((work / "vk.json").read_text())
    assert ours.keys() == theirs.keys()
    for field in theirs:
        assert ours[field] == theirs[field], field


def _section_bodies(path: Path) -> dict[int, bytes]:
    with SectionFile(path, b"zkey", 1) as zkey:
        return {kind: zkey.read(kind) for kind in zkey.sections}


def test_contributed_snarkjs_zkey_round_trips_section_for_section(
    work: Path, backend_name: str
) -> None:
    """Every section body survives read → write (``zkey contribute`` reorders sections)."""
    backend = get_backend(backend_name)
    write_zkey(read_zkey(work / "s1.zkey", backend=backend), work / "rt.zkey", backend=backend)
    assert _section_bodies(work / "rt.zkey") == _section_bodies(work / "s1.zkey")


def _proof_pair(work: Path, backend_name: str) -> tuple[dict[str, object], list[str]]:
    proof, public = work / "tp.json", work / "tpub.json"
    _zkm_prove(work, backend_name, proof, public)
    return json.loads(proof.read_text()), json.loads(public.read_text())


def _both_reject(work: Path, backend_name: str, proof: object, public: object) -> None:
    (work / "bad.json").write_text(json.dumps(proof))
    (work / "badpub.json").write_text(json.dumps(public))
    assert not _snarkjs_verifies(work / "vk.json", work / "badpub.json", work / "bad.json")
    code = _zkm(
        "groth16",
        "verify",
        work / "vk.json",
        work / "badpub.json",
        work / "bad.json",
        "--backend",
        backend_name,
    )
    assert code == 1


def test_tampered_public_input_rejected_by_both(work: Path, backend_name: str) -> None:
    proof, public = _proof_pair(work, backend_name)
    _both_reject(work, backend_name, proof, [public[0], str(int(public[1]) + 1)])


def test_swapped_proof_point_rejected_by_both(work: Path, backend_name: str) -> None:
    proof, public = _proof_pair(work, backend_name)
    other, _ = _proof_pair(work, backend_name)
    proof["pi_c"] = other["pi_c"]  # a valid curve point from another proof
    _both_reject(work, backend_name, proof, public)


def test_zkm_prove_rejects_witness_of_another_circuit(work: Path, backend_name: str) -> None:
    dev_key = work / "ours-True.zkey"
    if not dev_key.exists():
        assert _zkm("groth16", "setup", "--dev", compile_circom("groth16_poly").r1cs, dev_key) == 0
    wrong = work / "wrong.wtns"
    calculate_witness(compile_circom("multiplier"), {"a": 2, "b": 3, "c": 4, "k": 5}, wrong)
    code = _zkm(
        "groth16",
        "prove",
        dev_key,
        wrong,
        work / "x.json",
        work / "xp.json",
        "--backend",
        backend_name,
    )
    assert code == 2
