"""Key revocation: the admin route, ``zkm keys revoke``, and the bound on every worker's refusal."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.auth import Role
from tests.api.conftest import (
    MARKET,
    VENUE,
    Harness,
    fresh_postgres_database,
    make_harness,
    postgres_base_url,
)
from tests.api.test_crash import _free_port
from zkmargin.cli import main as zkm


def _key_id(key: str) -> str:
    return key.split("_")[1]


def _status_of(h: Harness, key: str) -> int:
    headers = {"Authorization": f"Bearer {key}"}
    return h.client.get("/v1/circuits", headers=headers).status_code


def test_admin_revokes_a_key_and_it_is_refused_at_once_by_this_worker(harness: Harness) -> None:
    h = harness
    leaked = h.add_key(Role.TRADER, ("acct-1",))
    assert _status_of(h, leaked) == 200
    response = h.client.post(f"/v1/keys/{_key_id(leaked)}/revoke", headers=h.headers("admin"))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["key_id"] == _key_id(leaked) and answer["role"] == "trader"
    assert answer["refused_everywhere_within_seconds"] == h.settings.key_cache_seconds
    assert _status_of(h, leaked) == 401
    again = h.client.post(f"/v1/keys/{_key_id(leaked)}/revoke", headers=h.headers("admin"))
    assert again.status_code == 200 and again.json()["revoked_at"] == answer["revoked_at"]
    entries = h.client.get("/v1/audit", headers=h.headers("auditor")).json()
    revocations = [e for e in entries if e["action"] == "key.revoke"]
    assert len(revocations) == 1 and revocations[0]["target"] == f"key={_key_id(leaked)}"


def test_revocation_needs_an_admin_and_an_existing_key(harness: Harness) -> None:
    h = harness
    target = _key_id(h.keys["trader"])
    assert h.client.post(f"/v1/keys/{target}/revoke", headers=h.headers("venue")).status_code == 403
    missing = h.client.post("/v1/keys/000000000000/revoke", headers=h.headers("admin"))
    assert missing.status_code == 404
    bad = h.client.post("/v1/keys/not-a-key-id/revoke", headers=h.headers("admin"))
    assert bad.status_code == 422
    assert _status_of(h, h.keys["trader"]) == 200


def test_another_worker_refuses_a_revoked_key_within_the_cache_bound(database_url: str) -> None:
    # Two apps on one database are two workers: each has its own key cache.
    ttl = 0.5
    workers = [make_harness(database_url, key_cache_seconds=ttl) for _ in range(2)]
    first = next(workers[0])
    second_app = next(workers[1])
    try:
        leaked = first.add_key(Role.VENUE, venue=VENUE)
        assert _status_of(second_app, leaked) == 200  # now cached by the second worker
        revoked = first.client.post(
            f"/v1/keys/{_key_id(leaked)}/revoke", headers=first.headers("admin")
        )
        assert revoked.status_code == 200
        started = time.monotonic()
        assert _status_of(first, leaked) == 401
        while _status_of(second_app, leaked) != 401:
            assert time.monotonic() - started < ttl + 1.0, "still accepted after the bound"
            time.sleep(0.05)
    finally:
        for worker in workers:
            worker.close()


def test_zkm_keys_revoke_refuses_the_key_and_names_unknown_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/keys.db"
    assert zkm(["keys", "create", "--role", "oracle", "--market", MARKET, "--db", url]) == 0
    key = capsys.readouterr().out.strip()
    assert zkm(["keys", "revoke", _key_id(key), "--db", url]) == 0
    assert "revoked: key" in capsys.readouterr().out
    assert zkm(["keys", "revoke", "000000000000", "--db", url]) == 2
    assert capsys.readouterr().err.strip().endswith("no API key with id 000000000000")
    from api.auth import authenticate
    from api.db import make_engine, make_session_factory

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert authenticate(session, key) is None
    engine.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from fresh_postgres_database(postgres_base_url())


def test_two_postgres_workers_refuse_a_revoked_key_within_the_bound(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ttl = 1.0
    assert zkm(["keys", "create", "--role", "auditor", "--db", postgres_url]) == 0
    key = capsys.readouterr().out.strip()
    port, log = _free_port(), tmp_path / "serve.log"
    env = {**os.environ, "ZKM_VERIFIER_BACKEND": "native", "ZKM_KEY_CACHE_SECONDS": str(ttl)}
    env["ZKM_AUTH_FAILURES_PER_MINUTE"] = "100000"  # the refusals here must stay 401s
    command = [sys.executable, "-m", "zkmargin", "serve", "--workers", "2"]
    command += ["--port", str(port), "--db", postgres_url]
    process = subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}"}

    def statuses(n: int) -> set[int]:
        # A new connection per request, so the kernel spreads them over both workers.
        return {
            httpx.get(f"{base}/v1/audit", headers=headers, timeout=5).status_code for _ in range(n)
        }

    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()[-2000:]
            try:
                if statuses(1) == {200}:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "zkm serve --workers 2 did not start"
            time.sleep(0.2)
        assert statuses(40) == {200}  # both workers have the key cached
        assert zkm(["keys", "revoke", _key_id(key), "--db", postgres_url]) == 0
        revoked_at = last_accepted = time.monotonic()
        refused_in_a_row = 0
        while refused_in_a_row < 40:
            sent = time.monotonic()
            answer = statuses(1)
            assert answer <= {200, 401}, answer
            if answer == {200}:
                last_accepted, refused_in_a_row = sent, 0
            else:
                refused_in_a_row += 1
            assert sent - revoked_at < 30, "a worker still accepts the key"
        # Sent after the bound (plus scheduling slack), no request was accepted.
        assert last_accepted - revoked_at <= ttl + 0.5
    finally:
        process.terminate()
        process.wait(timeout=30)
