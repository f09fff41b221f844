"""Per-process caches of immutable rows: a miss reads the database, so rows written later by
another worker are seen; a cached API key still needs its exact secret."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.auth import KeyCache, Role
from api.main import create_app
from tests.api.conftest import Harness
from tests.api.fixtures import SimulatingKey, tiny_snapshot_json

EPOCH = 5


@pytest.fixture
def second_worker(storage_harness: Harness) -> Iterator[TestClient]:
    """Another app (own caches, own writer) on the same database, as a second uvicorn worker."""
    app = create_app(storage_harness.settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _submission(key: SimulatingKey, public: list[int]) -> dict[str, object]:
    return {
        "account_id": "acct-1",
        "epoch": EPOCH,
        "circuit_id": "m",
        "proof": key.prove(public),
        "public_inputs": [str(x) for x in public],
    }


def test_rows_written_by_another_worker_are_seen_after_a_cache_miss(
    storage_harness: Harness, second_worker: TestClient, simulating_key: SimulatingKey
) -> None:
    h = storage_harness
    trader = h.headers("trader")
    circuit = {"circuit_id": "m", "verifying_key": simulating_key.vk_json}
    registered = h.client.post("/v1/circuits", json=circuit, headers=h.headers("admin"))
    assert registered.status_code == 201
    h.declare("m")
    posted = h.client.post(
        "/v1/snapshots",
        json={"epoch": EPOCH, "snapshot": tiny_snapshot_json(EPOCH)},
        headers=h.headers("oracle"),
    )
    assert posted.status_code == 201
    public = [4321, int(posted.json()["snapshot_hash"]), 0, 1_000_000]
    body = _submission(simulating_key, public)

    refused = second_worker.post("/v1/proofs", json=body, headers=trader)
    assert refused.status_code == 422
    assert refused.json()["detail"] == f"no commitment registered for acct-1 at epoch {EPOCH}"
    commitment = {"account_id": "acct-1", "epoch": EPOCH, "commitment": "4321"}
    assert (
        h.client.post("/v1/commitments", json=commitment, headers=h.headers("venue")).status_code
        == 201
    )
    accepted = second_worker.post("/v1/proofs", json=body, headers=trader)
    assert accepted.status_code == 201 and accepted.json()["valid"] is True
    # The first worker's own caches are warm for neither row: it reads both from the database.
    replay = h.client.post("/v1/proofs", json=body, headers=trader)
    assert replay.status_code == 200 and replay.json()["proof_id"] == accepted.json()["proof_id"]


def test_key_created_after_start_authenticates_and_cached_key_needs_its_secret(
    storage_harness: Harness, second_worker: TestClient
) -> None:
    h = storage_harness
    auditor = h.headers("auditor")
    assert second_worker.get("/v1/circuits", headers=auditor).status_code == 200
    key = h.keys["auditor"]
    forged = key[:-1] + ("A" if key[-1] != "A" else "B")
    forged_headers = {"Authorization": f"Bearer {forged}"}
    assert second_worker.get("/v1/circuits", headers=forged_headers).status_code == 401
    late = h.add_key(Role.CLEARING)
    late_headers = {"Authorization": f"Bearer {late}"}
    assert second_worker.get("/v1/circuits", headers=late_headers).status_code == 200


def test_key_cache_decides_from_memory_only_for_malformed_or_cached_keys(
    storage_harness: Harness,
) -> None:
    cache = KeyCache()
    key = storage_harness.keys["venue"]
    assert cache.cached("not-a-key") == (True, None)
    assert cache.cached(key) == (False, None)
    with storage_harness.app.state.zkm.sessions() as session:
        principal = cache.authenticate(session, key)
    assert principal is not None and principal.role is Role.VENUE
    assert cache.cached(key) == (True, principal)
    other_secret = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert cache.cached(other_secret) == (True, None)
