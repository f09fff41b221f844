"""Groth16 files made by the real snarkjs on the interop multiplier circuit, cached.

Runs once per cache key (the compiled circuit's cache directory): a fresh 2^8 powers of
tau with one contribution, phase-2 preparation, ``groth16 setup`` plus one zkey
contribution, ``zkey export verificationkey`` and two ``groth16 prove`` runs. The result
lives under ``tests/interop/.cache/verifier-groth16-*`` and is published atomically.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.interop.fixtures import CACHE_DIR, calculate_witness, compile_circom, run_snarkjs

INPUTS = ({"a": 3, "b": 11, "c": 5, "k": 7}, {"a": 2, "b": 4, "c": 6, "k": 9})
"""Two witnesses of ``multiplier.circom``; public signals are (out, t, k)."""


@dataclass(frozen=True)
class SnarkjsGroth16:
    """Paths of snarkjs-made Groth16 artifacts (read-only)."""

    zkey: Path
    verification_key: Path
    proofs: tuple[tuple[Path, Path], ...]
    """``(proof.json, public.json)`` per entry of :data:`INPUTS`."""


def _artifacts(directory: Path) -> SnarkjsGroth16:
    return SnarkjsGroth16(
        zkey=directory / "circuit.zkey",
        verification_key=directory / "verification_key.json",
        proofs=tuple(
            (directory / f"proof{i}.json", directory / f"public{i}.json")
            for i in range(len(INPUTS))
        ),
    )


def _build(staging: Path) -> None:
    circuit = compile_circom("multiplier")
    ptau0, ptau1, ptau = (staging / f"pot{i}.ptau" for i in ("0", "1", "final"))
    run_snarkjs("powersoftau", "new", "bn128", "8", ptau0)
    run_snarkjs("powersoftau", "contribute", ptau0, ptau1, "--name=zkm-test", "-e=zkm entropy")
    run_snarkjs("powersoftau", "prepare", "phase2", ptau1, ptau)
    zkey0 = staging / "circuit0.zkey"
    run_snarkjs("groth16", "setup", circuit.r1cs, ptau, zkey0)
    out = _artifacts(staging)
    run_snarkjs("zkey", "contribute", zkey0, out.zkey, "--name=zkm-test", "-e=more entropy")
    run_snarkjs("zkey", "export", "verificationkey", out.zkey, out.verification_key)
    for i, inputs in enumerate(INPUTS):
        wtns = calculate_witness(circuit, inputs, staging / f"witness{i}.wtns")
        proof, public = out.proofs[i]
        run_snarkjs("groth16", "prove", out.zkey, wtns, proof, public)
    for path in (ptau0, ptau1, ptau, zkey0):
        path.unlink()


def snarkjs_groth16() -> SnarkjsGroth16:
    """Return the cached snarkjs artifacts, building them on a cache miss (skips without npm)."""
    circuit = compile_circom("multiplier")
    target = CACHE_DIR / f"verifier-groth16-{circuit.directory.name}"
    if (target / "done").exists():
        return _artifacts(target)
    staging = Path(tempfile.mkdtemp(prefix=".verifier-groth16-", dir=CACHE_DIR))
    try:
        _build(staging)
        (staging / "done").write_text("ok")
        try:
            os.rename(staging, target)
        except OSError:
            if not (target / "done").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _artifacts(target)
