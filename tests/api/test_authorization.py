"""Every route × every role: 401 without a valid key, 403 for the wrong role or account."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Harness
from tests.api.fixtures import SimulatingKey

ALL = {"admin", "oracle", "venue", "trader", "clearing", "auditor"}
_KEY = SimulatingKey.generate(seed=7)
_PROOF = _KEY.prove([1, 2, 0, 1_000_000])
_PUBLIC = ["1", "2", "0", "1000000"]

ROUTES: list[tuple[str, str, set[str], dict[str, Any] | None]] = [
    ("POST", "/v1/circuits", {"admin"}, {"circuit_id": "c", "verifying_key": _KEY.vk_json}),
    ("GET", "/v1/circuits", ALL, None),
    ("GET", "/v1/circuits/nope", ALL, None),
    ("POST", "/v1/snapshots", {"oracle"}, {"epoch": 1, "snapshot": {}}),
    ("GET", "/v1/snapshots/1", ALL, None),
    ("POST", "/v1/commitments", {"venue"}, {"account_id": "acct-1", "epoch": 1, "commitment": "5"}),
    ("GET", "/v1/commitments/acct-1/1", {"venue", "trader", "clearing", "auditor"}, None),
    (
        "POST",
        "/v1/proofs",
        {"trader"},
        {
            "account_id": "acct-1",
            "epoch": 1,
            "circuit_id": "c",
            "proof": _PROOF,
            "public_inputs": _PUBLIC,
        },
    ),
    ("GET", "/v1/proofs/1", {"trader", "clearing", "auditor"}, None),
    ("GET", "/v1/accounts/acct-1/status?epoch=1", {"clearing", "auditor"}, None),
    ("POST", "/v1/verify", ALL, {"circuit_id": "c", "proof": _PROOF, "public_inputs": _PUBLIC}),
    (
        "POST",
        "/v1/batch-verify",
        {"auditor"},
        {"circuit_id": "c", "items": [{"proof": _PROOF, "public_inputs": _PUBLIC}]},
    ),
    ("GET", "/v1/epochs/1/proofs", {"auditor"}, None),
    ("GET", "/v1/epochs/1/report", {"clearing", "auditor"}, None),
    ("GET", "/v1/audit", {"auditor"}, None),
    ("POST", "/v1/circuits/nope/retire", {"admin"}, None),
    ("POST", "/v1/policy/margin-circuits", {"admin"}, {"circuit_id": "nope", "from_epoch": 1}),
    ("GET", "/v1/policy/margin-circuits", ALL, None),
    ("POST", "/v1/policy/solvency-circuits", {"admin"}, {"circuit_id": "nope", "from_epoch": 1}),
    ("GET", "/v1/policy/solvency-circuits", ALL, None),
    ("POST", "/v1/epochs", {"admin"}, {"epoch": 100}),
    ("GET", "/v1/epochs/1", ALL, None),
    ("POST", "/v1/venues/venue-a/accounts", {"admin"}, {"account_ids": ["acct-1"]}),
    ("GET", "/v1/venues/venue-a/accounts", {"admin", "venue"}, None),
    ("POST", "/v1/commitments/acct-1/1/void", {"venue", "admin"}, {"reason": "wrong"}),
    ("POST", "/v1/snapshots/1/void", {"oracle", "admin"}, {"reason": "wrong"}),
]
IDS = [f"{method} {path}" for method, path, _, _ in ROUTES]


def _call(harness: Harness, method: str, path: str, body: Any, headers: dict[str, str]) -> int:
    return harness.client.request(method, path, json=body, headers=headers).status_code


@pytest.mark.parametrize(("method", "path", "allowed", "body"), ROUTES, ids=IDS)
def test_route_rejects_missing_and_invalid_keys_with_401(
    harness: Harness, method: str, path: str, allowed: set[str], body: Any
) -> None:
    assert _call(harness, method, path, body, {}) == 401
    forged = harness.keys["admin"][:-4] + "AAAA"
    assert _call(harness, method, path, body, {"Authorization": f"Bearer {forged}"}) == 401
    assert _call(harness, method, path, body, {"Authorization": "Bearer not-a-key"}) == 401
    assert _call(harness, method, path, body, {"Authorization": harness.keys["admin"]}) == 401


@pytest.mark.parametrize(("method", "path", "allowed", "body"), ROUTES, ids=IDS)
def test_route_admits_exactly_its_roles(
    harness: Harness, method: str, path: str, allowed: set[str], body: Any
) -> None:
    for role in sorted(ALL):
        status = _call(harness, method, path, body, harness.headers(role))
        if role in allowed:
            assert status not in (401, 403), f"{role} refused with {status}"
        else:
            assert status == 403, f"{role} got {status}"


def test_trader_cannot_submit_for_an_account_outside_its_scope(harness: Harness) -> None:
    body = dict(ROUTES[7][3] or {}, account_id="acct-9")
    response = harness.client.post("/v1/proofs", json=body, headers=harness.headers("trader"))
    assert response.status_code == 403
    assert "acct-9" not in response.json()["detail"]
    other = harness.client.post(
        "/v1/proofs", json=ROUTES[7][3], headers=harness.headers("other_trader")
    )
    assert other.status_code == 403


def test_trader_cannot_read_another_accounts_commitment(harness: Harness) -> None:
    response = harness.client.get("/v1/commitments/acct-9/1", headers=harness.headers("trader"))
    own = harness.client.get("/v1/commitments/acct-9/1", headers=harness.headers("other_trader"))
    assert response.status_code == own.status_code == 404
    assert response.json() == own.json() and "acct-9" not in response.text
