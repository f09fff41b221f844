"""``zkm riskdesk …`` from the command line: build, check, keygen, verify-signature, backtest
with their exit codes (0 ok, 1 refused / not reproduced, 2 bad input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.riskdesk.helpers import HISTORY, MARKET, POLICY, POLICY_GARCH, edited, raw
from zkmargin.cli import main
from zkmargin.riskdesk.canonical import canonical_json


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with a key pair and a signed snapshot of the shipped market (epoch 7)."""
    root = tmp_path_factory.mktemp("riskdesk")
    assert main(["riskdesk", "keygen", "--out", str(root / "oracle.pem")]) == 0
    assert (
        main(
            [
                "riskdesk",
                "build",
                str(MARKET),
                "--policy",
                str(POLICY),
                "--epoch",
                "7",
                "--out",
                str(root / "snapshot.json"),
                "--sign",
                str(root / "oracle.pem"),
            ]
        )
        == 0
    )
    return root


def _check(snapshot: Path, policy: Path = POLICY, market: Path = MARKET) -> int:
    return main(["riskdesk", "check", str(market), str(snapshot), "--policy", str(policy)])


def _verify(root: Path, *extra: str, snapshot: str = "snapshot.json") -> int:
    return main(
        [
            "riskdesk",
            "verify-signature",
            str(root / snapshot),
            "--public-key",
            str(root / "oracle.pub.pem"),
            *extra,
        ]
    )


def test_build_writes_snapshot_report_and_signature(built: Path) -> None:
    snapshot = (built / "snapshot.json").read_bytes()
    assert snapshot == canonical_json(json.loads(snapshot)) + b"\n"
    report = json.loads((built / "snapshot.report.json").read_text())
    assert report["policy"] == "synthetic-desk-ewma" and len(report["options"]) == 20
    meta = json.loads((built / "snapshot.sig.json").read_text())
    assert meta["epoch"] == 7 and meta["algorithm"] == "ed25519"
    assert (built / "oracle.pem").stat().st_mode & 0o077 == 0


def test_rebuild_is_byte_identical(built: Path, tmp_path: Path) -> None:
    assert (
        main(
            [
                "riskdesk",
                "build",
                str(MARKET),
                "--policy",
                str(POLICY),
                "--epoch",
                "7",
                "--out",
                str(tmp_path / "again.json"),
            ]
        )
        == 0
    )
    assert (tmp_path / "again.json").read_bytes() == (built / "snapshot.json").read_bytes()


def test_check_reproduces_the_published_snapshot(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _check(built / "snapshot.json") == 0
    assert "reproduced: snapshot hash" in capsys.readouterr().out


def test_check_accepts_the_same_document_reformatted(built: Path, tmp_path: Path) -> None:
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(json.loads((built / "snapshot.json").read_text()), indent=4))
    assert _check(pretty) == 0


def test_check_refuses_a_tampered_snapshot(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((built / "snapshot.json").read_text())
    doc["instruments"][0]["maintenance_tiers"][0]["rate_ppm"] -= 1
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc))
    assert _check(tampered) == 1
    err = capsys.readouterr().err
    assert "NOT REPRODUCED" in err and "instruments[0].maintenance_tiers[0].rate_ppm" in err


def test_check_under_another_policy_is_not_reproduced(built: Path) -> None:
    assert _check(built / "snapshot.json", policy=POLICY_GARCH) == 1


def test_check_with_bad_input_exits_2(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert _check(built / "snapshot.json", market=bad) == 2
    assert "market data: expected a JSON object" in capsys.readouterr().err
    assert _check(tmp_path / "missing.json") == 2
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(edited(POLICY, lookback_days=5_000)))
    assert _check(built / "snapshot.json", policy=policy) == 2
    assert "policy/inputs mismatch" in capsys.readouterr().err


def test_verify_signature_accepts_the_signed_snapshot(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    as_of = raw(MARKET)["as_of"]
    code = _verify(
        built,
        "--market",
        str(MARKET),
        "--policy",
        str(POLICY),
        "--max-age",
        "3600",
        "--now",
        str(as_of + 60),
    )
    assert code == 0
    assert "market inputs, policy match" in capsys.readouterr().out


def test_verify_signature_refuses_stale_inputs(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    as_of = raw(MARKET)["as_of"]
    assert _verify(built, "--max-age", "3600", "--now", str(as_of + 7200)) == 1
    assert "REFUSED: market inputs are stale" in capsys.readouterr().err


def test_verify_signature_refuses_a_wrong_key(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["riskdesk", "keygen", "--out", str(tmp_path / "other.pem")]) == 0
    code = main(
        [
            "riskdesk",
            "verify-signature",
            str(built / "snapshot.json"),
            "--public-key",
            str(tmp_path / "other.pub.pem"),
        ]
    )
    assert code == 1
    assert "REFUSED: signed by key" in capsys.readouterr().err


def test_verify_signature_refuses_a_tampered_snapshot(built: Path, tmp_path: Path) -> None:
    doc = json.loads((built / "snapshot.json").read_text())
    doc["collateral"][1]["price"] += 1
    (tmp_path / "snapshot.json").write_text(json.dumps(doc))
    (tmp_path / "snapshot.sig.json").write_text((built / "snapshot.sig.json").read_text())
    (tmp_path / "oracle.pub.pem").write_bytes((built / "oracle.pub.pem").read_bytes())
    assert _verify(tmp_path) == 1


def test_verify_signature_refuses_a_policy_mismatch(built: Path, tmp_path: Path) -> None:
    assert _verify(built, "--policy", str(POLICY_GARCH)) == 1


def test_keygen_refuses_to_overwrite(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["riskdesk", "keygen", "--out", str(built / "oracle.pem")]) == 2
    assert "exists; pass --force" in capsys.readouterr().err


def test_build_with_a_non_key_file_exits_2(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_text("not a key")
    code = main(
        [
            "riskdesk",
            "build",
            str(MARKET),
            "--policy",
            str(POLICY),
            "--epoch",
            "1",
            "--out",
            str(tmp_path / "s.json"),
            "--sign",
            str(key),
        ]
    )
    assert code == 2


def test_backtest_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, figures = tmp_path / "bt.html", tmp_path / "bt.json"
    code = main(
        [
            "riskdesk",
            "backtest",
            str(HISTORY),
            "--policy",
            str(POLICY),
            "--out",
            str(out),
            "--json",
            str(figures),
        ]
    )
    assert code == 0
    summary = json.loads(figures.read_text())
    assert summary["periods"] == 4840 and 0.985 < summary["coverage"] < 0.999
    assert "<svg" in out.read_text()
    printed = capsys.readouterr().out
    assert "Kupiec" in printed and "Christoffersen" in printed and "stress BTC" in printed
