"""``zkm audit`` end to end: exit codes 0 / 1 / 2, the JSON report, and the printed invalid ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.audit.fixtures import Entry, break_pairing, write_jsonl, write_vk
from tests.verifier.vectors import ToyKey
from zkmargin.cli import main


@pytest.fixture
def files(key: ToyKey, pool: list[Entry], tmp_path: Path) -> tuple[Path, Path, Path]:
    vk = write_vk(tmp_path / "vk.json", key)
    good = write_jsonl(tmp_path / "good.jsonl", [e.to_json() for e in pool[:50]])
    lines = [e.to_json() for e in pool[:50]]
    lines[17] = break_pairing(pool[17]).to_json()
    bad = write_jsonl(tmp_path / "bad.jsonl", [*lines, "garbage"])
    return vk, good, bad


def test_exit_0_when_every_proof_is_valid(
    files: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vk, good, _ = files
    report = tmp_path / "r.json"
    assert main(["audit", "--vk", str(vk), str(good), "--report", str(report), "-q"]) == 0
    data = json.loads(report.read_text())
    assert data["counts"]["valid"] == 50 and data["invalid"] == []
    assert data["verdict"] == "all valid" and data["backend"] == "native"
    assert data["timing"]["proofs_per_second"] > 0
    assert "50 valid, 0 invalid" in capsys.readouterr().out


def test_exit_1_lists_invalid_ids_with_reasons(
    key: ToyKey, files: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vk, _, bad = files
    report = tmp_path / "r.json"
    code = main(
        ["audit", "--vk", str(vk), str(bad), "--report", str(report), "--chunk-size", "8", "-q"]
    )
    assert code == 1
    out = capsys.readouterr().out
    assert "INVALID p00017: proof does not verify" in out and "INVALID line 51" in out
    data = json.loads(report.read_text())
    assert [(e["id"], e["kind"]) for e in data["invalid"]] == [
        ("p00017", "verification"),
        ("line 51", "malformed"),
    ]
    assert data["key"]["fingerprint"] == key.vk.fingerprint()
    assert [e["label"] for e in data["epochs"]] == [
        "epoch 100",
        "epoch 101",
        "epoch 102",
        "unattributed",
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["{vk}", "{dir}/missing.jsonl"], "cannot read"),
        (["{dir}/missing_vk.json", "{good}"], "cannot read"),
        (["{notkey}", "{good}"], "verification key"),
        (["{vk}", "{good}", "--dask", "cluster"], "--dask"),
        (["{vk}", "{good}", "--backend", "fast"], "--backend"),
        (["{vk}", "{good}", "--service", "http://127.0.0.1:9"], "exactly one"),
        (["{vk}", "--service", "http://127.0.0.1:9", "--epoch", "1"], "auditor key"),
        (
            ["{vk}", "--service", "http://127.0.0.1:9", "--epoch", "1", "--api-key", "k"],
            "cannot reach",
        ),
    ],
)
def test_exit_2_on_bad_input(
    files: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.delenv("ZKM_API_KEY", raising=False)
    vk, good, _ = files
    notkey = tmp_path / "notkey.json"
    notkey.write_text(json.dumps({"protocol": "groth16"}))
    names = {"vk": vk, "good": good, "dir": tmp_path, "notkey": notkey}
    argv = ["audit", "--vk", *[a.format(**names) for a in args], "-q"]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err + captured.out


def test_exit_2_for_a_key_with_another_input_count(
    pool: list[Entry], files: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    from algebra.backend import get_backend
    from tests.verifier.vectors import toy_key

    other = write_vk(tmp_path / "other.json", toy_key(get_backend("native"), 2, seed=9))
    assert main(["audit", "--vk", str(other), str(files[1]), "-q"]) == 2
