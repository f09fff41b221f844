"""End to end on the tiny circuit: the risk desk builds and signs a snapshot, the admin
opens the epoch, enrols the venue's accounts and registers the oracle's signing key,
``zkm oracle post`` and ``zkm venue commit`` talk to a live service over HTTP (idempotent,
resumable), anyone re-checks the served snapshot, and a trader proves and verifies
against the risk desk's snapshot."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.auth import Role
from api.client import ServiceCallError, ZkmClient
from circuits.margin.commitment import snapshot_hash
from circuits.margin.loading import dump_json, load_snapshot
from circuits.margin.sample import sample_account
from tests.riskdesk.helpers import MARKET_TINY, POLICY_TINY, market
from zkmargin.cli import main
from zkmargin.demo.server import InProcessService

EPOCH = 1
VENUE = "venue-a"
MARKET_NAME = "default"


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
    """A live service that checks freshness (1 day) by a clock fixed an hour after the
    shipped inputs' as-of time; epochs 1 and 2 open, alice, bob, carol enrolled to VENUE."""
    root = tmp_path_factory.mktemp("service")
    with InProcessService(
        f"sqlite:///{root / 'zkm.db'}", root / "service.log", snapshot_max_age_seconds=86_400
    ) as running:
        running.state.clock = lambda: market(MARKET_TINY).as_of + 3_600
        with ZkmClient(running.url, running.issue_key(Role.ADMIN)) as admin:
            for epoch in (EPOCH, EPOCH + 1):
                admin.open_epoch(epoch, market=MARKET_NAME)
            admin.enroll_accounts(VENUE, ["alice", "bob", "carol"])
        yield running


@pytest.fixture(scope="module")
def oracle_key(desk: Path, service: InProcessService) -> str:
    """The oracle's API key, with the desk's signing key registered for it by the admin
    through ``zkm oracle register-signer``."""
    key = service.issue_key(Role.ORACLE, markets=[MARKET_NAME])
    admin = service.issue_key(Role.ADMIN)
    args = ["oracle", "register-signer", str(desk / "oracle.pub.pem")]
    args += ["--oracle-key-id", key.split("_")[1], "--service", service.url, "--key", admin]
    assert main(args) == 0
    assert main(args) == 0  # registering the same pair again is a no-op
    return key


def _post(desk: Path, url: str, key: str, snapshot: Path | None = None) -> list[str]:
    return [
        "oracle",
        "post",
        str(snapshot or desk / "snapshot.json"),
        "--market",
        str(MARKET_TINY),
        "--policy",
        str(POLICY_TINY),
        "--signature",
        str(desk / "snapshot.sig.json"),
        "--service",
        url,
        "--key",
        key,
        "--quiet",
    ]


def test_oracle_post_is_idempotent(
    desk: Path, service: InProcessService, oracle_key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _post(desk, service.url, oracle_key)
    assert main(args) == 0
    assert main(args) == 0  # the same snapshot again: accepted as already done
    assert "signed by" in capsys.readouterr().out
    with ZkmClient(service.url, oracle_key) as client:
        stored = client.get_snapshot(EPOCH)
    assert int(stored.snapshot_hash) == snapshot_hash(load_snapshot(desk / "snapshot.json"))


def test_oracle_post_after_the_inputs_aged_is_still_a_no_op(
    desk: Path, service: InProcessService, oracle_key: str
) -> None:
    """Resumable: re-posting the stored snapshot is not judged for freshness again."""
    assert main(_post(desk, service.url, oracle_key)) == 0
    saved = service.state.clock
    service.state.clock = lambda: market(MARKET_TINY).as_of + 10 * 86_400
    try:
        assert main(_post(desk, service.url, oracle_key)) == 0
    finally:
        service.state.clock = saved


def test_anyone_rechecks_the_served_snapshot(
    desk: Path, service: InProcessService, oracle_key: str, tmp_path: Path
) -> None:
    """``zkm oracle provenance`` fetches what ``riskdesk check`` and ``verify-signature`` need."""
    assert main(_post(desk, service.url, oracle_key)) == 0
    reader = service.issue_key(Role.AUDITOR)
    out = tmp_path / "published"
    args = ["oracle", "provenance", str(EPOCH), "--out", str(out)]
    assert main([*args, "--service", service.url, "--key", reader]) == 0
    assert (out / "snapshot.json").read_bytes() == (desk / "snapshot.json").read_bytes()
    check = ["riskdesk", "check", str(out / "market.json"), str(out / "snapshot.json")]
    assert main([*check, "--policy", str(out / "policy.json")]) == 0
    verify = ["riskdesk", "verify-signature", str(out / "snapshot.json")]
    verify += ["--public-key", str(out / "oracle.pub.pem"), "--market", str(out / "market.json")]
    assert main([*verify, "--policy", str(out / "policy.json")]) == 0


def test_oracle_post_refuses_a_different_snapshot_for_the_epoch(
    desk: Path,
    service: InProcessService,
    oracle_key: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(_post(desk, service.url, oracle_key)) == 0
    doc = json.loads((desk / "snapshot.json").read_text())
    doc["instruments"][0]["mark_price"] += 1
    (tmp_path / "other.json").write_text(json.dumps(doc))
    assert main(_post(desk, service.url, oracle_key, tmp_path / "other.json")) == 2
    assert "service answered 409" in capsys.readouterr().err


def test_oracle_post_of_a_signed_snapshot_needs_its_inputs(
    desk: Path, service: InProcessService, oracle_key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["oracle", "post", str(desk / "snapshot.json"), "--service", service.url]
    assert main([*args, "--key", oracle_key, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "give --market and --policy" in err and "Traceback" not in err


def test_oracle_post_refuses_an_unsigned_snapshot(
    desk: Path,
    service: InProcessService,
    oracle_key: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No SNAPSHOT.sig.json: the CLI says so; with --unsigned the service refuses it."""
    bare = tmp_path / "bare.json"
    bare.write_text((desk / "snapshot.json").read_text())
    args = ["oracle", "post", str(bare), "--service", service.url, "--key", oracle_key]
    assert main([*args, "--quiet"]) == 2
    assert "no signed metadata bare.sig.json" in capsys.readouterr().err
    assert main([*args, "--quiet", "--unsigned"]) == 2
    assert "422: unsigned snapshot refused" in capsys.readouterr().err


def test_venue_commit_stops_before_anything_when_the_epoch_is_not_open(
    desk: Path, service: InProcessService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = service.issue_key(Role.VENUE, venue=VENUE)
    openings = tmp_path / "openings"
    args = ["venue", "commit", str(desk / "accounts"), "--epoch", "9", "--openings"]
    args += [str(openings), "--service", service.url, "--key", key, "--quiet"]
    assert main(args) == 2
    assert "epoch 9 is not open: the admin opens it" in capsys.readouterr().err
    assert not any(openings.iterdir())


def test_venue_commit_names_accounts_not_enrolled_and_finishes_after_enrolment(
    desk: Path, service: InProcessService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = service.issue_key(Role.VENUE, venue=VENUE)
    accounts = tmp_path / "accounts"
    accounts.mkdir()
    for name in ("carol", "dave"):
        (accounts / f"{name}.json").write_text((desk / "accounts" / "alice.json").read_text())
    (accounts / "dave.json").write_text((desk / "accounts" / "bob.json").read_text())
    args = ["venue", "commit", str(accounts), "--epoch", str(EPOCH + 1), "--openings"]
    args += [str(tmp_path / "openings"), "--service", service.url, "--key", key, "--quiet"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "1 of 2 accounts are not enrolled" in err and "(dave)" in err
    with ZkmClient(service.url, key) as client:
        assert client.get_commitment("carol", EPOCH + 1).epoch == EPOCH + 1
    with ZkmClient(service.url, service.issue_key(Role.ADMIN)) as admin:
        admin.enroll_accounts(VENUE, ["dave"])
    assert main(args) == 0
    assert "registered 2 commitments" in capsys.readouterr().out


def test_venue_commit_registers_every_account_and_resumes(
    desk: Path, service: InProcessService, capsys: pytest.CaptureFixture[str]
) -> None:
    key = service.issue_key(Role.VENUE, venue=VENUE)
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
    key = service.issue_key(Role.VENUE, venue=VENUE)
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
            "--market",
            str(MARKET_TINY),
            "--policy",
            str(POLICY_TINY),
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


def test_oracle_rotates_its_signing_key_and_the_old_one_signs_nothing_more(
    service: InProcessService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``zkm oracle revoke-signer`` (admin): one line naming the key and the time, the same
    line again (by key id or public key file); a snapshot signed by the revoked key is
    refused by ``zkm oracle post`` with exit 2 and one readable line; an oracle key may not
    revoke, and a signer that is neither a key id nor a file is one line (exit 2)."""
    from zkmargin.riskdesk.signing import key_id, read_key_file

    oracle = service.issue_key(Role.ORACLE, markets=[MARKET_NAME])
    admin = service.issue_key(Role.ADMIN)
    assert main(["riskdesk", "keygen", "--out", str(tmp_path / "old.pem")]) == 0
    build = ["riskdesk", "build", str(MARKET_TINY), "--policy", str(POLICY_TINY)]
    build += ["--epoch", str(EPOCH + 1), "--out", str(tmp_path / "snapshot.json")]
    assert main([*build, "--sign", str(tmp_path / "old.pem")]) == 0
    register = ["oracle", "register-signer", str(tmp_path / "old.pub.pem")]
    register += ["--oracle-key-id", oracle.split("_")[1], "--service", service.url]
    assert main([*register, "--key", admin]) == 0
    signer = key_id(read_key_file(tmp_path / "old.pub.pem", "public key"))
    capsys.readouterr()

    revoke = ["oracle", "revoke-signer", signer, "--service", service.url]
    assert main([*revoke, "--key", oracle]) == 2
    assert "may not do this" in capsys.readouterr().err
    assert main([*revoke, "--key", admin]) == 0
    first = capsys.readouterr().out.strip()
    assert first.startswith(f"signing key {signer} of oracle key {oracle.split('_')[1]} revoked at")
    by_file = ["oracle", "revoke-signer", str(tmp_path / "old.pub.pem"), "--service", service.url]
    assert main([*by_file, "--key", admin]) == 0  # the key named by its public key file
    assert capsys.readouterr().out.strip() == first  # idempotent: the same time and revoker
    assert main(["oracle", "revoke-signer", "nope", "--service", service.url, "--key", admin]) == 2
    assert (
        "neither a signing key id (32 hex digits) nor a public key file" in capsys.readouterr().err
    )

    post = ["oracle", "post", str(tmp_path / "snapshot.json"), "--market", str(MARKET_TINY)]
    post += ["--policy", str(POLICY_TINY), "--service", service.url, "--key", oracle, "--quiet"]
    assert main(post) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"signing key {signer} was revoked at" in err
    with ZkmClient(service.url, admin) as client, pytest.raises(ServiceCallError) as none:
        client.get_snapshot(EPOCH + 1)
    assert none.value.status_code == 404  # nothing was stored
