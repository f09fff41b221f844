"""``zkm demo``: the end-to-end story runs, its verdicts match the reference engine, it
writes the HTML audit report, and it never prints or stores positions or salts."""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from zkmargin.cli import main
from zkmargin.demo.outcome import AccountOutcome

ACCOUNTS = 4


@dataclass(frozen=True)
class DemoRun:
    """One ``zkm demo`` run: exit code, captured output and the output directory."""

    code: int
    stdout: str
    stderr: str
    out: Path


def run_cli(argv: list[str]) -> DemoRun:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(argv)
    out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else Path()
    return DemoRun(code, stdout.getvalue(), stderr.getvalue(), out)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    out = tmp_path_factory.mktemp("demo") / "out"
    return run_cli(["demo", "--accounts", str(ACCOUNTS), "--size", "tiny", "--out", str(out)])


def test_demo_exits_0_when_every_verdict_matches_the_reference(demo: DemoRun) -> None:
    assert demo.code == 0, demo.stdout + demo.stderr
    assert "OK: every verdict matches the reference engine" in demo.stdout
    steps = re.findall(r"\[(\d+)/(\d+)\]", demo.stdout)
    assert [int(n) for n, _ in steps] == list(range(1, len(steps) + 1))
    assert {int(total) for _, total in steps} == {len(steps)}  # the count it announces
    assert f"{ACCOUNTS}/{ACCOUNTS}" in demo.stdout  # verdicts = reference


def test_demo_tells_every_actors_step(demo: DemoRun) -> None:
    for actor in ("market", "keys", "service", "oracle", "venue", "traders", "clearing", "auditor"):
        assert f"] {actor}" in demo.stdout
    assert "UNSAFE DEV SETUP" in demo.stdout
    # The service runs with --allow-unsafe-keys, and its answers carry the label themselves.
    assert "every answer says: UNSAFE: circuit margin-tiny-" in demo.stdout.replace("\n", " ")
    assert "cannot prove: not compliant" in demo.stdout
    assert "refused" in demo.stdout  # the replayed proof


def test_demo_ends_with_the_venue_solvency_verdict(demo: DemoRun) -> None:
    assert "proved epoch" in demo.stdout and "solvency" in demo.stdout
    assert "→ SOLVENT" in demo.stdout  # reserves are the venue's claim of 110 % of what it owes
    statement = json.loads((demo.out / "solvency" / "statement.json").read_text())
    assert statement["totals"]["count"] == str(ACCOUNTS)


def test_demo_posts_the_solvency_bundle_and_clearing_reads_the_verdict(demo: DemoRun) -> None:
    import sqlite3

    flat = " ".join(demo.stdout.split())
    assert "registry (" + str(ACCOUNTS) + " commitments;" in flat
    assert "verified it on arrival → SOLVENT" in flat
    assert "solvency from the service: SOLVENT" in flat
    with contextlib.closing(sqlite3.connect(demo.out / "service.db")) as db:
        rows = db.execute("SELECT venue_id, verdict FROM solvency_bundles").fetchall()
        frozen = db.execute("SELECT n_commitments FROM registry_freezes").fetchall()
        declared = db.execute(
            "SELECT p.circuit_id, p.from_epoch, p.to_epoch FROM solvency_circuit_policy p"
            " JOIN solvency_bundles s ON s.circuit_id = p.circuit_id AND s.epoch = p.from_epoch"
        ).fetchall()
    assert rows == [("demo-venue", "SOLVENT")] and frozen == [(ACCOUNTS,)]
    # The admin declared the solvency circuit for the epoch, as it does the margin circuit.
    assert len(declared) == 1 and declared[0][1] == declared[0][2]
    assert "under the admin's declared circuit solvency-" in flat


def test_demo_summary_counts_match_the_sample(demo: DemoRun) -> None:
    summary = json.loads((demo.out / "summary.json").read_text())
    # The sample alternates compliant / not compliant accounts.
    assert summary["accounts"] == ACCOUNTS
    assert summary["reference_compliant"] == ACCOUNTS // 2
    assert summary["service"] == {
        "accounts": ACCOUNTS,
        "compliant": ACCOUNTS // 2,
        "non_compliant": 0,
        "missing": ACCOUNTS // 2,
    }
    assert summary["verdicts_matching_reference"] == ACCOUNTS
    assert summary["cheat_refused"] is True
    assert summary["audit"]["checked"] == ACCOUNTS // 2
    assert summary["audit"]["invalid"] == 0
    assert summary["prove_seconds"]["mean"] > 0
    for label in ("proving time per account", "audit", "missing", "HTML audit report"):
        assert label in demo.stdout


def test_demo_writes_the_html_and_json_audit_reports(demo: DemoRun) -> None:
    html = (demo.out / "audit.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert f"all {ACCOUNTS // 2} proofs valid" in html.lower()
    report = json.loads((demo.out / "audit.json").read_text())
    assert report["counts"]["valid"] == ACCOUNTS // 2
    assert report["service"]["exported_proofs"] == ACCOUNTS // 2
    assert str(demo.out / "audit.html") in demo.stdout.replace("\n", "")


def test_demo_neither_prints_nor_stores_positions_or_salts(demo: DemoRun) -> None:
    for marker in ("salt", "positions", "cost_basis", "funding_entry", "balances"):
        assert f'"{marker}"' not in demo.stdout + demo.stderr
        for path in demo.out.rglob("*"):
            # The circuit's files name its inputs (field names, row labels), never values.
            if path.is_file() and path.suffix not in {".zkey", ".solve"}:
                assert marker.encode() not in path.read_bytes(), f"{marker} in {path}"


def test_demo_rejects_an_unknown_size_with_exit_2(tmp_path: Path) -> None:
    run = run_cli(["demo", "--size", "huge", "--out", str(tmp_path / "x")])
    assert run.code == 2
    assert "unknown size 'huge'" in run.stderr


def test_demo_rejects_fewer_than_two_accounts(tmp_path: Path) -> None:
    run = run_cli(["demo", "--accounts", "1", "--out", str(tmp_path / "x")])
    assert run.code == 2


@pytest.mark.parametrize(
    ("outcome", "matches"),
    [
        (AccountOutcome("a", True, 0.1, None, True, "compliant"), True),
        (AccountOutcome("a", True, 0.1, None, False, "non_compliant"), False),
        (AccountOutcome("a", True, 0.1, None, True, "missing"), False),
        (AccountOutcome("a", False, None, True, None, "missing"), True),
        (AccountOutcome("a", False, None, False, None, "missing"), False),
        (AccountOutcome("a", False, None, True, True, "compliant"), False),
    ],
)
def test_account_matches_only_when_every_verdict_agrees(
    outcome: AccountOutcome, matches: bool
) -> None:
    assert outcome.matches is matches


def test_demo_on_a_shared_database_takes_the_next_free_epoch(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    epochs = []
    for run_number in range(2):
        out = tmp_path / f"run{run_number}"
        run = run_cli(["demo", "--accounts", "2", "--db", db, "--out", str(out), "--quiet"])
        assert run.code == 0, run.stdout + run.stderr
        epochs.append(json.loads((out / "summary.json").read_text())["epoch"])
        assert not (out / "service.db").exists()
    assert epochs == [1, 2]
