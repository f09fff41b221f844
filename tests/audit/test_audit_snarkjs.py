"""Real snarkjs proofs, re-randomised into many, audited from a snarkjs-layout directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from algebra.backend import get_backend
from tests.api.fixtures import Statement, snarkjs_proofs, standin_circuit
from tests.audit.fixtures import rerandomise
from verifier.snarkjs_json import proof_from_json, proof_to_json
from zkmargin.cli import main

pytestmark = pytest.mark.interop
SNAPSHOT_HASH = 20260101


def test_audit_of_rerandomised_snarkjs_proofs_names_the_tampered_one(tmp_path: Path) -> None:
    circuit = standin_circuit()
    statements = [
        Statement(
            salt=31,
            equity=3_000_000,
            requirement=1_000_000,
            snapshot_hash=SNAPSHOT_HASH,
            requirement_kind=1,
            buffer_ppm=1_500_000,
        ),
        Statement(salt=32, equity=2_000_000, requirement=1_000_000, snapshot_hash=SNAPSHOT_HASH),
    ]
    real = snarkjs_proofs(circuit, statements)
    proofs, source = rerandomise(get_backend("native"), [proof_from_json(p) for p, _ in real], 24)
    for k, (proof, j) in enumerate(zip(proofs, source, strict=True)):
        folder = tmp_path / "proofs" / f"trader-{k:02d}"
        folder.mkdir(parents=True)
        public = list(real[j][1])
        if k == 13:
            public[3] = str(int(public[3]) + 1)  # claims a larger buffer than proven
        (folder / "proof.json").write_text(json.dumps(proof_to_json(proof)))
        (folder / "public.json").write_text(json.dumps(public))
    vk = tmp_path / "verification_key.json"
    vk.write_text(json.dumps(circuit.vk_json))
    report = tmp_path / "r.json"
    argv = ["audit", "--vk", str(vk), str(tmp_path / "proofs"), "--report", str(report), "-q"]
    assert main(argv) == 1
    data = json.loads(report.read_text())
    assert [(e["id"], e["kind"]) for e in data["invalid"]] == [("trader-13", "verification")]
    assert data["counts"]["valid"] == 23
    buffers = data["epochs"][0]["buffer_bins"]
    assert buffers["1.50–2.00×"] == 12 and buffers["1.00–1.10×"] == 11
