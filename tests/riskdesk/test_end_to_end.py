"""End to end on the tiny circuit: the risk desk builds and signs a snapshot, ``zkm oracle
post`` and ``zkm venue commit`` talk to a live service over HTTP (idempotent, resumable),
and a trader proves and verifies against the risk desk's snapshot."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.auth import Role
from api.client import ZkmClient
from circuits.margin.commitment import snapshot_hash
from circuits.margin.loading import dump_json, load_snapshot
from circuits.margin.sample import sample_account
from tests.riskdesk.helpers import MARKET_TINY, POLICY_TINY
from zkmargin.cli import main
from zkmargin.demo.server import InProcessService

EPOCH = 1


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny signed snapshot, two accounts (compliant, not) and tiny dev keys."""
    root = tmp_path_factory.mktemp("e2e")
    assert main(["riskdesk", "keygen", "--out", str(root / "oracle.pem")]) == 0
    assert (
        main(
            [
                "riskdesk",
                "build",
                str(MARKET_TINY),
                "--policy",
                str(POLICY_TINY),
                "--epoch",
                str(EPOCH),
                "--out",
                str(root / "snapshot.json"),
                "--sign",
                str(root / "oracle.pem"),
            ]
        )
        == 0
    )
    snapshot = load_snapshot(root / "snapshot.json")
    rng = random.Random(5)
    (root / "accounts").mkdir()
    for name, compliant in (("alice", True), ("bob", False)):
        state = sample_account(snapshot, rng, compliant=compliant)
        (root / "accounts" / f"{name}.json").write_text(dump_json(state))
    assert main(["margin", "setup", "--size", "tiny", "--out", str(root / "keys"), "--dev"]) == 0
    return root


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessService]:
    root = tmp_path_factory.mktemp("service")
    with InProcessService(f"sqlite:///{root / 'zkm.db'}", root / "service.log") as running:
        yield running


def test_oracle_post_is_idempotent(desk: Path, service: InProcessService) -> None:
    key = service.issue_key(Role.ORACLE)
    args = [
        "oracle",
        "post",
        str(desk / "snapshot.json"),
        "--service",
        service.url,
        "--key",
        key,
        "--quiet",
    ]
    assert main(args) == 0
    assert main(args) == 0  # the same snapshot again: accepted as already done
    with ZkmClient(service.url, key) as client:
        stored = client.get_snapshot(EPOCH)
    assert int(stored.snapshot_hash) == snapshot_hash(load_snapshot(desk / "snapshot.json"))


def test_oracle_post_refuses_a_different_snapshot_for_the_epoch(
    desk: Path, service: InProcessService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = service.issue_key(Role.ORACLE)
    assert (
        main(
            [
                "oracle",
                "post",
                str(desk / "snapshot.json"),
                "--service",
                service.url,
                "--key",
                key,
                "--quiet",
            ]
        )
        == 0
    )
    doc = json.loads((desk / "snapshot.json").read_text())
    doc["instruments"][0]["mark_price"] += 1
    (tmp_path / "other.json").write_text(json.dumps(doc))
    assert (
        main(
            [
                "oracle",
                "post",
                str(tmp_path / "other.json"),
                "--service",
                service.url,
                "--key",
                key,
                "--quiet",
            ]
        )
        == 2
    )
    assert "service answered 409" in capsys.readouterr().err


def test_venue_commit_registers_every_account_and_resumes(
    desk: Path, service: InProcessService, capsys: pytest.CaptureFixture[str]
) -> None:
    key = service.issue_key(Role.VENUE)
    openings = desk / "openings"
    args = [
        "venue",
        "commit",
        str(desk / "accounts"),
        "--epoch",
        str(EPOCH),
        "--service",
        service.url,
        "--key",
        key,
        "--openings",
        str(openings),
        "--quiet",
    ]
    assert main(args) == 0
    first = {p.name: p.read_text() for p in openings.iterdir()}
    assert set(first) == {"alice.opening.json", "bob.opening.json"}
    assert all(p.stat().st_mode & 0o077 == 0 for p in openings.iterdir())
    out = capsys.readouterr().out
    assert "registered 2 commitments" in out and "salt" not in out
    (openings / "bob.opening.json").unlink()  # "interrupted" before bob's opening was written
    bob_before = json.loads(first["bob.opening.json"])["commitment"]
    with ZkmClient(service.url, key) as client:
        assert client.get_commitment("bob", EPOCH).commitment == bob_before
    # a re-run reuses alice's opening; bob gets a fresh salt, which the service refuses since
    # his commitment for the epoch is already registered — so a lost opening is reported
    assert main(args) == 2
    assert "409" in capsys.readouterr().err
    assert (openings / "alice.opening.json").read_text() == first["alice.opening.json"]
    (openings / "bob.opening.json").write_text(first["bob.opening.json"])
    assert main(args) == 0  # with every opening in place the run is a no-op


def test_venue_commit_refuses_an_opening_of_another_state(
    desk: Path, service: InProcessService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = service.issue_key(Role.VENUE)
    accounts = tmp_path / "accounts"
    accounts.mkdir()
    (accounts / "carol.json").write_text((desk / "accounts" / "alice.json").read_text())
    openings = tmp_path / "openings"
    openings.mkdir()
    (openings / "carol.opening.json").write_text(
        (desk / "openings" / "bob.opening.json").read_text()
    )
    code = main(
        [
            "venue",
            "commit",
            str(accounts),
            "--epoch",
            "2",
            "--service",
            service.url,
            "--key",
            key,
            "--openings",
            str(openings),
            "--quiet",
        ]
    )
    assert code == 2
    assert "opens a different state" in capsys.readouterr().err


def test_trader_proves_against_the_risk_desk_snapshot(
    desk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opening = desk / "openings" / "alice.opening.json"
    snapshot = desk / "snapshot.json"
    assert (
        main(
            [
                "margin",
                "prove",
                str(opening),
                str(snapshot),
                "--keys",
                str(desk / "keys"),
                "--out",
                str(desk / "proof"),
            ]
        )
        == 0
    )
    commitment = json.loads(opening.read_text())["commitment"]
    assert (
        main(
            [
                "margin",
                "verify",
                str(desk / "proof"),
                str(snapshot),
                "--keys",
                str(desk / "keys"),
                "--commitment",
                commitment,
            ]
        )
        == 0
    )
    assert (
        main(["riskdesk", "check", str(MARKET_TINY), str(snapshot), "--policy", str(POLICY_TINY)])
        == 0
    )
    bob = desk / "openings" / "bob.opening.json"
    assert (
        main(
            [
                "margin",
                "prove",
                str(bob),
                str(snapshot),
                "--keys",
                str(desk / "keys"),
                "--out",
                str(desk / "proof-bob"),
            ]
        )
        == 2
    )
    assert "does not meet" in capsys.readouterr().err


def test_unreachable_service_is_one_line_and_exit_2(
    desk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "oracle",
            "post",
            str(desk / "snapshot.json"),
            "--service",
            "http://127.0.0.1:9",
            "--key",
            "k",
            "--quiet",
        ]
    )
    assert code == 2
    assert "cannot reach the service at http://127.0.0.1:9" in capsys.readouterr().err


def test_venue_commit_names_a_bad_account_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = tmp_path / "accounts"
    accounts.mkdir()
    (accounts / "dave.json").write_text('{"positions": []}')
    code = main(
        [
            "venue",
            "commit",
            str(accounts),
            "--epoch",
            "1",
            "--service",
            "http://127.0.0.1:9",
            "--key",
            "k",
            "--quiet",
        ]
    )
    assert code == 2
    assert "dave.json: state: positions" in capsys.readouterr().err
