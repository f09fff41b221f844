"""Provenance in the ceremony CLI: only a passed `zkm zkey verify` writes ceremony-verified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ceremony.conftest import Ceremony
from tests.ceremony.tamper import copy_point
from zkmargin.cli import main


def _verify(ceremony: Ceremony, zkey: Path, vk_out: Path) -> int:
    args = [str(ceremony.r1cs), str(ceremony.final_ptau), str(zkey), "--vk-out", str(vk_out)]
    return main(["zkey", "verify", *args])


def test_passed_verify_writes_a_ceremony_verified_vk(
    zkm_ceremony: Ceremony, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vk_out = tmp_path / "verification_key.json"
    assert _verify(zkm_ceremony, zkm_ceremony.zkeys[-1], vk_out) == 0
    assert json.loads(vk_out.read_text())["zkm_provenance"] == "ceremony-verified"
    assert "zkm_provenance: ceremony-verified" in capsys.readouterr().out
    exported = tmp_path / "exported.json"
    assert (
        main(["zkey", "export", "verificationkey", str(zkm_ceremony.zkeys[-1]), str(exported)]) == 0
    )
    body = json.loads(exported.read_text())
    assert "zkm_provenance" not in body  # export alone cannot vouch for a transcript
    assert "zkey verify" in capsys.readouterr().err
    body["zkm_provenance"] = "ceremony-verified"
    assert body == json.loads(vk_out.read_text())


def test_failed_verify_writes_no_vk(zkm_ceremony: Ceremony, tmp_path: Path) -> None:
    tampered, vk_out = tmp_path / "tampered.zkey", tmp_path / "vk.json"
    copy_point(zkm_ceremony.zkeys[-1], tampered, b"zkey", 8, 64)
    assert _verify(zkm_ceremony, tampered, vk_out) == 1
    assert not vk_out.exists()


def test_uncontributed_key_never_gets_a_ceremony_verified_vk(
    zkm_ceremony: Ceremony, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vk_out = tmp_path / "vk.json"
    assert _verify(zkm_ceremony, zkm_ceremony.zkeys[0], vk_out) == 1
    assert not vk_out.exists()
    exported = tmp_path / "exported.json"
    assert (
        main(["zkey", "export", "verificationkey", str(zkm_ceremony.zkeys[0]), str(exported)]) == 0
    )
    assert json.loads(exported.read_text())["zkm_provenance"] == "uncontributed"
    assert "UNSAFE: uncontributed" in capsys.readouterr().err


def test_setup_from_ptau_is_labelled_uncontributed(
    zkm_ceremony: Ceremony, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zkey = tmp_path / "init.zkey"
    assert (
        main(["groth16", "setup", str(zkm_ceremony.r1cs), str(zkm_ceremony.final_ptau), str(zkey)])
        == 0
    )
    assert "UNSAFE: uncontributed" in capsys.readouterr().out
    assert zkey.read_bytes() == zkm_ceremony.zkeys[0].read_bytes()  # still snarkjs's bytes


def test_dev_key_exports_as_dev(
    zkm_ceremony: Ceremony, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev, vk = tmp_path / "dev.zkey", tmp_path / "vk.json"
    assert main(["groth16", "setup", "--dev", str(zkm_ceremony.r1cs), str(dev)]) == 0
    assert main(["zkey", "export", "verificationkey", str(dev), str(vk)]) == 0
    assert json.loads(vk.read_text())["zkm_provenance"] == "dev"
    assert "UNSAFE: dev setup" in capsys.readouterr().err
