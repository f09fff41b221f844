"""Durability: every acknowledged write survives ``kill -9`` of ``zkm serve`` and a restart.

Also drives ``zkm keys create``, ``zkm submit`` and ``zkm status`` against the live server.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.client import ServiceCallError, ZkmClient
from tests.api.conftest import DATABASES, database_url_for
from tests.api.fixtures import SimulatingKey, tiny_snapshot_json
from zkmargin.cli import main as zkm

EPOCH = 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ZKM_VERIFIER_BACKEND": "native"}
    command = [sys.executable, "-m", "zkmargin", "serve", "--port", str(port), "--db", url,
               "--allow-unsafe-keys", "--allow-unsigned-snapshots"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-2000:]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("zkm serve did not become healthy")


def _key(url: str, role: str, capsys: pytest.CaptureFixture[str], *accounts: str) -> str:
    args = ["keys", "create", "--role", role, "--db", url]
    args += {"venue": ["--venue", "v"], "oracle": ["--market", "default"]}.get(role, [])
    for account in accounts:
        args += ["--account", account]
    assert zkm(args) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


@pytest.fixture(params=DATABASES)
def crash_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url_for(request.param, tmp_path)


def test_acknowledged_writes_survive_kill_9(
    crash_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tiny_snapshot_json(epoch=EPOCH)
    accounts = [f"acct-{i}" for i in range(40)]
    keys = {role: _key(crash_db, role, capsys) for role in ("admin", "oracle", "venue", "clearing")}
    keys["trader"] = _key(crash_db, "trader", capsys, *accounts)
    port, log = _free_port(), tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    simulator = SimulatingKey.generate(seed=11)
    server = _start(crash_db, port, log)
    acknowledged: list[str] = []
    try:
        with ZkmClient(base, keys["admin"]) as admin, ZkmClient(base, keys["oracle"]) as oracle:
            admin.register_circuit("m", simulator.vk_json)
            admin.declare_margin_circuit("m", from_epoch=EPOCH)
            admin.open_epoch(EPOCH)
            admin.enroll_accounts("v", accounts)
            digest = int(oracle.post_snapshot(EPOCH, snapshot).snapshot_hash)
        proofs = {
            a: simulator.prove([1000 + i, digest, 0, 1_000_000]) for i, a in enumerate(accounts)
        }

        def write(account: str, index: int) -> None:
            try:
                with (
                    ZkmClient(base, keys["venue"]) as venue,
                    ZkmClient(base, keys["trader"]) as trader,
                ):
                    venue.register_commitment(account, EPOCH, 1000 + index)
                    public = [1000 + index, digest, 0, 1_000_000]
                    if trader.submit_proof(account, EPOCH, "m", proofs[account], public).valid:
                        acknowledged.append(account)
            except (httpx.HTTPError, ServiceCallError):
                pass  # in flight when the server died: not acknowledged

        threads = [threading.Thread(target=write, args=(a, i)) for i, a in enumerate(accounts)]
        for thread in threads:
            thread.start()
        while len(acknowledged) < 15:
            time.sleep(0.005)
        os.kill(server.pid, signal.SIGKILL)
        for thread in threads:
            thread.join()
        server.wait()
        survived = list(acknowledged)
        server = _start(crash_db, port, log)
        with ZkmClient(base, keys["clearing"]) as clearing:
            for account in survived:
                assert clearing.status(account, EPOCH).status == "compliant", account
        assert len(survived) >= 15
        _check_cli(base, keys, capsys, simulator, digest, accounts[-1], len(accounts) - 1)
    finally:
        server.kill()
        server.wait()


def _check_cli(
    base: str,
    keys: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    simulator: SimulatingKey,
    digest: int,
    account: str,
    index: int,
) -> None:
    """``zkm submit`` and ``zkm status`` against the restarted server."""
    with ZkmClient(base, keys["venue"]) as venue:
        venue.register_commitment(account, EPOCH, 1000 + index)
    public = [1000 + index, digest, 0, 1_000_000]
    directory = Path(os.environ.get("TMPDIR", "/tmp"))
    proof_path, public_path = (
        directory / f"proof-{os.getpid()}.json",
        directory / f"public-{os.getpid()}.json",
    )
    proof_path.write_text(json.dumps(simulator.prove(public)))
    public_path.write_text(json.dumps([str(x) for x in public]))
    capsys.readouterr()
    common = ["--url", base]
    submit = [
        "submit",
        "--account",
        account,
        "--epoch",
        str(EPOCH),
        "--circuit",
        "m",
        "--proof",
        str(proof_path),
        "--public",
        str(public_path),
        "--key",
        keys["trader"],
    ]
    assert zkm(submit + common) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    status = ["status", "--account", account, "--epoch", str(EPOCH), "--key", keys["clearing"]]
    assert zkm(status + common) == 0
    answered = capsys.readouterr()
    assert json.loads(answered.out)["status"] == "compliant"
    assert answered.err.startswith("UNSAFE: circuit m has a dev key")
    assert (
        zkm(
            [
                "status",
                "--account",
                "acct-none",
                "--epoch",
                str(EPOCH),
                "--key",
                keys["clearing"],
                *common,
            ]
        )
        == 1
    )
    assert (
        zkm(["status", "--account", account, "--epoch", "1", "--key", keys["trader"], *common]) == 2
    )
    proof_path.unlink()
    public_path.unlink()
