"""Failed-authentication throttling, rate limits shared by workers, refused writes audited."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

import api.deps
from tests.api.conftest import Harness, make_harness


def _random_key() -> str:
    return f"zkm_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"


def test_failed_authentications_are_throttled_per_client_without_database_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: list[str] = []
    stored = api.deps._authenticate_stored

    def counting(state: Any, key: str) -> Any:
        lookups.append(key)
        return stored(state, key)

    monkeypatch.setattr(api.deps, "_authenticate_stored", counting)
    for h in make_harness(f"sqlite:///{tmp_path}/t.db", auth_failures_per_minute=5):
        assert h.client.get("/v1/circuits", headers=h.headers("auditor")).status_code == 200
        lookups.clear()
        headers = [{"Authorization": f"Bearer {_random_key()}"} for _ in range(20)]
        codes = [h.client.get("/v1/circuits", headers=one).status_code for one in headers]
        assert codes == [401] * 5 + [429] * 15
        assert len(lookups) == 5  # throttled requests never reach the database
        refused = h.client.get("/v1/circuits")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert "failed authentications" in refused.json()["detail"]
        # A key this worker already trusts keeps working from the same client.
        assert h.client.get("/v1/circuits", headers=h.headers("auditor")).status_code == 200


def test_rate_limit_holds_across_two_workers(database_url: str) -> None:
    burst = 6
    overrides = {"rate_limit_per_second": 0.001, "rate_limit_burst": burst}
    workers = [make_harness(database_url, **overrides) for _ in range(2)]
    first = next(workers[0])
    second = make_second_worker(workers[1], first)
    try:
        admitted = 0
        pair = (first, second)
        for i in range(4 * burst):
            worker = pair[i % 2]
            code = worker.client.get("/v1/circuits", headers=first.headers("auditor")).status_code
            assert code in (200, 429)
            admitted += code == 200
            # One sync interval: every worker adds its counts, then every worker reads totals.
            for each in (*pair, *pair):
                each.app.state.zkm.shared_limits.sync()
        # Each worker alone would admit `burst` (its own bucket): together, still `burst`.
        assert admitted == burst
    finally:
        for worker in workers:
            worker.close()


def make_second_worker(harness_gen: Any, first: Harness) -> Harness:
    """Start another app on the same database that knows the first harness's keys."""
    second: Harness = next(harness_gen)
    second.keys = first.keys
    return second


def test_refused_writes_are_in_the_audit_log(harness: Harness) -> None:
    h = harness
    body = {"account_id": "acct-1", "epoch": 3, "commitment": "7"}
    assert (
        h.client.post("/v1/commitments", json=body, headers=h.headers("venue")).status_code == 201
    )
    conflict = {**body, "commitment": "8"}
    assert (
        h.client.post("/v1/commitments", json=conflict, headers=h.headers("venue")).status_code
        == 409
    )
    assert (
        h.client.post("/v1/commitments", json=body, headers=h.headers("trader")).status_code == 403
    )
    bogus = _random_key()
    headers = {"Authorization": f"Bearer {bogus}"}
    assert h.client.post("/v1/commitments", json=body, headers=headers).status_code == 401
    entries = h.client.get("/v1/audit", headers=h.headers("auditor")).json()
    refused = [e for e in entries if e["action"] == "write.refused"]
    assert [e["detail"]["status"] for e in refused] == [409, 403, 401]
    assert refused[0]["key_id"] == h.keys["venue"].split("_")[1]
    assert refused[0]["role"] == "venue" and refused[0]["target"] == "POST /v1/commitments"
    assert "already" in refused[0]["detail"]["reason"]
    assert refused[1]["role"] == "trader"
    assert refused[2]["key_id"] == "-" and refused[2]["role"] == "anonymous"
    assert refused[2]["detail"]["claimed_key_id"] == bogus.split("_")[1]
    assert all(bogus not in str(e) for e in entries)  # never the key itself


def test_rate_limited_writes_are_in_the_audit_log(tmp_path: Path) -> None:
    for h in make_harness(
        f"sqlite:///{tmp_path}/r.db", rate_limit_per_second=0.001, rate_limit_burst=1
    ):
        body = {"account_id": "acct-1", "epoch": 3, "commitment": "7"}
        codes = [
            h.client.post("/v1/commitments", json=body, headers=h.headers("venue")).status_code
            for _ in range(2)
        ]
        assert codes == [201, 429]
        with h.app.state.zkm.sessions() as session:
            from api.services.audit import list_entries

            actions = [
                (e.action, e.detail) for e in list_entries(session=session, after_id=0, limit=50)
            ]
        assert any(a == "write.refused" and '"status": 429' in d for a, d in actions)
