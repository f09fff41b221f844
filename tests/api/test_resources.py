"""Circuits, commitments, stateless and batch verification, and the audit log, on both databases."""

from __future__ import annotations

import copy

from algebra.constants import FIELD_MODULUS_Q, SCALAR_FIELD_R
from tests.api.conftest import Harness
from tests.api.fixtures import SimulatingKey, tamper

PUBLIC = [11, 22, 1, 1_250_000]


def _register(
    h: Harness, key: SimulatingKey, circuit_id: str = "margin-v1", **extra: object
) -> int:
    body = {"circuit_id": circuit_id, "verifying_key": key.vk_json, **extra}
    return h.client.post("/v1/circuits", json=body, headers=h.headers("admin")).status_code


def test_circuit_registration_is_idempotent_and_immutable(
    storage_harness: Harness, simulating_key: SimulatingKey
) -> None:
    h = storage_harness
    assert _register(h, simulating_key) == 201
    assert _register(h, simulating_key) == 200
    other = SimulatingKey.generate(seed=99)
    response = h.client.post(
        "/v1/circuits",
        json={"circuit_id": "margin-v1", "verifying_key": other.vk_json},
        headers=h.headers("admin"),
    )
    assert response.status_code == 409
    assert "already registered" in response.json()["detail"]
    listed = h.client.get("/v1/circuits", headers=h.headers("trader")).json()
    assert [c["circuit_id"] for c in listed] == ["margin-v1"]
    one = h.client.get("/v1/circuits/margin-v1", headers=h.headers("venue")).json()
    assert one["n_public"] == 4 and one["verifying_key"]["IC"] == simulating_key.vk_json["IC"]


def test_circuit_registration_rejects_malformed_keys(harness: Harness) -> None:
    key = SimulatingKey.generate(seed=3)
    off_curve = copy.deepcopy(key.vk_json)
    off_curve["vk_alpha_1"][1] = str((int(off_curve["vk_alpha_1"][1]) + 1) % FIELD_MODULUS_Q)
    too_big = copy.deepcopy(key.vk_json)
    too_big["IC"][0][0] = str(FIELD_MODULUS_Q)
    wrong_count = copy.deepcopy(key.vk_json)
    wrong_count["nPublic"] = 3
    for bad in (off_curve, too_big, wrong_count):
        response = harness.client.post(
            "/v1/circuits",
            json={"circuit_id": "x", "verifying_key": bad},
            headers=harness.headers("admin"),
        )
        assert response.status_code == 422, response.text
        assert isinstance(response.json()["detail"], str)
    three = SimulatingKey.generate(n_public=3, seed=4)
    response = harness.client.post(
        "/v1/circuits",
        json={"circuit_id": "x", "verifying_key": three.vk_json},
        headers=harness.headers("admin"),
    )
    assert response.status_code == 422
    assert "4 public inputs" in response.json()["detail"]
    assert _register(harness, three, circuit_id="generic", margin=False) == 201


def test_commitments_are_immutable_and_canonical(storage_harness: Harness) -> None:
    h = storage_harness
    body = {"account_id": "acct-1", "epoch": 7, "commitment": "123"}
    assert (
        h.client.post("/v1/commitments", json=body, headers=h.headers("venue")).status_code == 201
    )
    again = h.client.post("/v1/commitments", json=body, headers=h.headers("venue"))
    assert again.status_code == 200
    changed = dict(body, commitment="124")
    conflict = h.client.post("/v1/commitments", json=changed, headers=h.headers("venue"))
    assert conflict.status_code == 409
    too_big = dict(body, epoch=8, commitment=str(SCALAR_FIELD_R))
    assert (
        h.client.post("/v1/commitments", json=too_big, headers=h.headers("venue")).status_code
        == 422
    )
    read = h.client.get("/v1/commitments/acct-1/7", headers=h.headers("trader")).json()
    assert read["commitment"] == "123"


def test_verify_answers_valid_invalid_and_malformed(
    harness: Harness, simulating_key: SimulatingKey
) -> None:
    assert _register(harness, simulating_key) == 201
    proof = simulating_key.prove(PUBLIC)
    public = [str(x) for x in PUBLIC]

    def verify(p: object, inputs: list[str], circuit: str = "margin-v1") -> tuple[int, object]:
        body = {"circuit_id": circuit, "proof": p, "public_inputs": inputs}
        response = harness.client.post("/v1/verify", json=body, headers=harness.headers("clearing"))
        answer = response.json()
        if response.status_code == 200:  # every answer names the (here unsafe) key it rests on
            verdict = answer.pop("verdict")
            assert verdict["unsafe"] is True and verdict["warning"].startswith("UNSAFE:")
        return response.status_code, answer

    assert verify(proof, public) == (200, {"valid": True})
    assert verify(tamper(proof), public) == (200, {"valid": False})
    assert verify(proof, [*public[:3], "1250001"]) == (200, {"valid": False})
    status, body = verify(proof, [*public[:3], str(SCALAR_FIELD_R)])
    assert status == 422 and "public" in str(body)
    status, body = verify(proof, public[:3])
    assert status == 422 and "expected 4 public inputs" in str(body)
    off_curve = copy.deepcopy(proof)
    off_curve["pi_a"][1] = str((int(off_curve["pi_a"][1]) + 1) % FIELD_MODULUS_Q)
    assert verify(off_curve, public)[0] == 422
    status, body = verify(proof, public, circuit="unknown")
    assert status == 422 and "not registered" in str(body)


def test_batch_verify_names_the_invalid_items(
    harness: Harness, simulating_key: SimulatingKey
) -> None:
    assert _register(harness, simulating_key) == 201
    items = []
    for i in range(6):
        public = [100 + i, 5, 0, 1_000_000]
        proof = simulating_key.prove(public)
        items.append({"id": f"p{i}", "proof": proof, "public_inputs": [str(x) for x in public]})
    items[2]["proof"] = tamper(items[2]["proof"])
    items[4]["public_inputs"] = [str(SCALAR_FIELD_R), "5", "0", "1000000"]
    response = harness.client.post(
        "/v1/batch-verify",
        json={"circuit_id": "margin-v1", "items": items},
        headers=harness.headers("auditor"),
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["valid"] == [True, True, False, True, False, True]
    assert result["all_valid"] is False
    assert result["verdict"]["circuit_id"] == "margin-v1" and result["verdict"]["unsafe"] is True
    assert [(x["index"], x["id"]) for x in result["invalid"]] == [(2, "p2"), (4, "p4")]
    assert "pairing" in result["invalid"][0]["reason"]


def test_batch_verify_limits_the_batch_size(
    harness: Harness, simulating_key: SimulatingKey
) -> None:
    assert _register(harness, simulating_key) == 201
    proof = simulating_key.prove(PUBLIC)
    item = {"proof": proof, "public_inputs": [str(x) for x in PUBLIC]}
    limit = harness.settings.max_batch_items
    response = harness.client.post(
        "/v1/batch-verify",
        json={"circuit_id": "margin-v1", "items": [item] * (limit + 1)},
        headers=harness.headers("auditor"),
    )
    assert response.status_code in (413, 422)


def test_every_write_is_in_the_audit_log(
    storage_harness: Harness, simulating_key: SimulatingKey
) -> None:
    h = storage_harness
    assert _register(h, simulating_key) == 201
    body = {"account_id": "acct-2", "epoch": 3, "commitment": "9"}
    assert (
        h.client.post("/v1/commitments", json=body, headers=h.headers("venue")).status_code == 201
    )
    assert (
        h.client.post("/v1/commitments", json=body, headers=h.headers("venue")).status_code == 200
    )
    entries = h.client.get("/v1/audit", headers=h.headers("auditor")).json()
    assert [e["action"] for e in entries] == ["circuit.register", "commitment.register"]
    assert entries[1]["target"] == "account=acct-2 epoch=3"
    assert entries[1]["detail"] == {"commitment": "9"}
    assert all(h.keys[role] not in str(entries) for role in h.keys)
    later = h.client.get(
        "/v1/audit", params={"after_id": entries[0]["id"]}, headers=h.headers("auditor")
    ).json()
    assert [e["id"] for e in later] == [entries[1]["id"]]
