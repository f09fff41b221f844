"""``zkm margin setup --ptau``: margin keys from a ceremony's ptau prove and verify (tiny size).

The ptau comes from zkm's own phase 1 (new → one contribution → prepare phase2) at the power
the tiny circuit needs (9,055 constraints + 5 public-input rows → 2^14).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zkmargin.cli import main

TINY_POWER = 14


def test_keys_from_a_ceremony_ptau_prove_and_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p0, p1, final = (tmp_path / name for name in ("p0.ptau", "p1.ptau", "final.ptau"))
    assert main(["powersoftau", "new", "bn128", str(TINY_POWER), str(p0)]) == 0
    assert main(["powersoftau", "contribute", str(p0), str(p1), "--name=t", "-e=entropy"]) == 0
    assert main(["powersoftau", "prepare", "phase2", str(p1), str(final)]) == 0
    keys = tmp_path / "keys"
    setup = ["margin", "setup", "--size", "tiny", "--out", str(keys), "--ptau", str(final)]
    capsys.readouterr()
    assert main(setup) == 0
    captured = capsys.readouterr()
    assert "UNSAFE uncontributed" in captured.err
    assert "provenance: uncontributed (UNSAFE)" in captured.out
    meta = json.loads((keys / "margin.json").read_text())
    assert (meta["provenance"], meta["unsafe"]) == ("uncontributed", True)
    vk_json = json.loads((keys / "verification_key.json").read_text())
    assert vk_json["zkm_provenance"] == "uncontributed"

    sample = ["margin", "sample", "--out", str(tmp_path), "--size", "tiny", "--accounts", "1"]
    assert main(sample) == 0
    opening = tmp_path / "opening.json"
    assert main(["margin", "commit", str(tmp_path / "accounts" / "account-000.json"),
                 "--out", str(opening)]) == 0  # fmt: skip
    proof_dir = tmp_path / "proof"
    assert main(["margin", "prove", str(opening), str(tmp_path / "snapshot.json"),
                 "--keys", str(keys), "--out", str(proof_dir)]) == 0  # fmt: skip
    assert main(["margin", "verify", str(proof_dir), str(tmp_path / "snapshot.json"),
                 "--keys", str(keys)]) == 0  # fmt: skip
    public = json.loads((proof_dir / "public.json").read_text())
    public[3] = str(int(public[3]) + 1)
    (proof_dir / "public.json").write_text(json.dumps(public))
    assert main(["margin", "verify", str(proof_dir), str(tmp_path / "snapshot.json"),
                 "--keys", str(keys)]) == 1  # fmt: skip
