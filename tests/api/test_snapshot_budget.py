"""The snapshot budget: snapshots larger than any margin circuit's shape are refused unhashed."""

from __future__ import annotations

import time

from api.services.snapshot_budget import CEILING
from circuits.margin.sizes import LARGE, SIZES
from tests.api.conftest import Harness
from tests.api.fixtures import tiny_snapshot_json


def test_ceiling_is_the_largest_circuit_shape() -> None:
    assert CEILING.n_instruments == max(s.n_instruments for s in SIZES.values()) == 128
    assert (CEILING.n_collateral, CEILING.n_scenarios) == (LARGE.n_collateral, LARGE.n_scenarios)


def test_two_thousand_instrument_snapshot_is_refused_before_hashing(harness: Harness) -> None:
    snapshot = tiny_snapshot_json(5)
    instrument = snapshot["instruments"][0]
    snapshot["instruments"] = [dict(instrument, symbol=f"I{i}") for i in range(2000)]
    started = time.process_time()
    response = harness.client.post(
        "/v1/snapshots", json={"epoch": 5, "snapshot": snapshot}, headers=harness.headers("oracle")
    )
    spent = time.process_time() - started
    assert response.status_code == 422
    assert "2000 instruments; margin circuits prove at most 128" in response.json()["detail"]
    assert spent < 5.0  # JSON and validation only: hashing this snapshot takes minutes


def test_snapshot_within_the_ceiling_is_accepted(harness: Harness) -> None:
    snapshot = tiny_snapshot_json(5)
    response = harness.client.post(
        "/v1/snapshots", json={"epoch": 5, "snapshot": snapshot}, headers=harness.headers("oracle")
    )
    assert response.status_code == 201
    snapshot = tiny_snapshot_json(6)
    snapshot["tier_slots"] = CEILING.tier_slots + 1
    response = harness.client.post(
        "/v1/snapshots", json={"epoch": 6, "snapshot": snapshot}, headers=harness.headers("oracle")
    )
    assert response.status_code == 422 and "tier_slots" in response.json()["detail"]
