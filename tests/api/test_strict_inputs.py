"""Strict request input: exact JSON types, unknown fields, control characters, JSON only, ids."""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.auth import KeyCreationError, Role, create_key
from api.strict import bad_character
from tests.api.conftest import Harness
from tests.api.fixtures import SimulatingKey, tiny_snapshot_json


def _post(h: Harness, path: str, body: Any, role: str) -> tuple[int, Any]:
    # json.dumps escapes non-ASCII (\uXXXX), so a lone surrogate travels as JSON allows.
    headers = {**h.headers(role), "Content-Type": "application/json"}
    response = h.client.post(path, content=json.dumps(body), headers=headers)
    return response.status_code, response.json()


@pytest.mark.parametrize("epoch", ["1", 1.0, True, None])
def test_commitment_epoch_must_be_a_json_integer(harness: Harness, epoch: Any) -> None:
    body = {"account_id": "acct-1", "epoch": epoch, "commitment": "5"}
    status, answer = _post(harness, "/v1/commitments", body, "venue")
    assert status == 422 and answer["errors"][0]["loc"] == "body.epoch"
    body["epoch"] = 1
    assert _post(harness, "/v1/commitments", body, "venue")[0] == 201


@pytest.mark.parametrize("epoch", ["5", 5.0, True])
def test_snapshot_and_proof_epochs_must_be_json_integers(
    harness: Harness, simulating_key: SimulatingKey, epoch: Any
) -> None:
    status, _ = _post(
        harness, "/v1/snapshots", {"epoch": epoch, "snapshot": tiny_snapshot_json(5)}, "oracle"
    )
    assert status == 422
    body = {
        "account_id": "acct-1",
        "epoch": epoch,
        "circuit_id": "margin-v1",
        "proof": simulating_key.prove([1, 2, 0, 1_000_000]),
        "public_inputs": ["1", "2", "0", "1000000"],
    }
    status, answer = _post(harness, "/v1/proofs", body, "trader")
    assert status == 422 and any(e["loc"] == "body.epoch" for e in answer["errors"])


def test_unknown_fields_are_refused(harness: Harness, simulating_key: SimulatingKey) -> None:
    body = {"account_id": "acct-1", "epoch": 1, "commitment": "5", "comitment": "6"}
    status, answer = _post(harness, "/v1/commitments", body, "venue")
    assert status == 422 and "extra" in answer["detail"].lower()
    proof = {**simulating_key.prove([1, 2, 0, 1_000_000]), "pi_d": ["1", "2"]}
    body = {"circuit_id": "c", "proof": proof, "public_inputs": ["1", "2", "0", "1000000"]}
    status, answer = _post(harness, "/v1/verify", body, "auditor")
    assert status == 422 and "proof.pi_d" in answer["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_non_json_body_is_refused_with_415(harness: Harness, content_type: str) -> None:
    response = harness.client.post(
        "/v1/commitments",
        content=b'{"account_id": "acct-1", "epoch": 1, "commitment": "5"}',
        headers={**harness.headers("venue"), "Content-Type": content_type},
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_body_without_content_type_is_refused_with_415(harness: Harness) -> None:
    response = harness.client.post(
        "/v1/commitments",
        content=b'{"account_id": "acct-1", "epoch": 1, "commitment": "5"}',
        headers={**harness.headers("venue"), "Content-Type": ""},
    )
    assert response.status_code == 415


def test_json_with_charset_is_accepted(harness: Harness) -> None:
    response = harness.client.post(
        "/v1/commitments",
        content=b'{"account_id": "acct-1", "epoch": 1, "commitment": "5"}',
        headers={**harness.headers("venue"), "Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize("character", ["\x00", "\n", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_are_refused_in_every_text_field(
    storage_harness: Harness, simulating_key: SimulatingKey, character: str
) -> None:
    h = storage_harness
    body = {
        "circuit_id": "c1",
        "verifying_key": simulating_key.vk_json,
        "description": f"margin{character}v1",
    }
    status, answer = _post(h, "/v1/circuits", body, "admin")
    assert status == 422 and "control character" in answer["detail"]
    snapshot = tiny_snapshot_json(5)
    snapshot[f"note{character}"] = "x"
    status, answer = _post(h, "/v1/snapshots", {"epoch": 5, "snapshot": snapshot}, "oracle")
    assert status == 422 and "control character" in answer["detail"]
    item = {
        "id": f"a{character}",
        "proof": simulating_key.prove([1, 2, 0, 1_000_000]),
        "public_inputs": ["1", "2", "0", "1000000"],
    }
    status, answer = _post(h, "/v1/batch-verify", {"circuit_id": "c1", "items": [item]}, "auditor")
    assert status == 422 and "control character" in answer["detail"]
    # Nothing was stored, and the service still answers on the same connection.
    assert h.client.get("/v1/circuits", headers=h.headers("admin")).json() == []
    body["description"] = "margin v1"
    assert _post(h, "/v1/circuits", body, "admin")[0] == 201


@pytest.mark.parametrize("account", ["acct\n", "acct\r\n", "acct\x00", "\nacct"])
def test_account_ids_with_newlines_are_refused(harness: Harness, account: str) -> None:
    body = {"account_id": account, "epoch": 1, "commitment": "5"}
    assert _post(harness, "/v1/commitments", body, "venue")[0] == 422
    with harness.app.state.zkm.sessions() as session, pytest.raises(KeyCreationError):
        create_key(session=session, role=Role.TRADER, accounts=[account])


def test_trailing_newline_in_path_ids_is_refused(harness: Harness) -> None:
    response = harness.client.get(
        "/v1/accounts/acct-1%0A/status?epoch=1", headers=harness.headers("clearing")
    )
    assert response.status_code == 422
    response = harness.client.get("/v1/circuits/c%0A", headers=harness.headers("admin"))
    assert response.status_code == 422


def test_key_label_with_control_characters_is_refused(harness: Harness) -> None:
    with harness.app.state.zkm.sessions() as session, pytest.raises(KeyCreationError):
        create_key(session=session, role=Role.ADMIN, accounts=[], label="ops\x00")


def test_bad_character_names_the_first_refused_character() -> None:
    assert bad_character("plain text, ünïcödé €") is None
    assert bad_character("a\tb") == "\t"
    assert bad_character("é\x9f") == "\x9f"
    assert bad_character("é\udfff") == "\udfff"


def test_unknown_query_parameters_are_refused(harness: Harness) -> None:
    response = harness.client.get("/v1/audit?limit=5&lmit=6", headers=harness.headers("auditor"))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": "query.lmit", "msg": "unknown query parameter", "type": "extra_forbidden"}
    ]
    ok = harness.client.get("/v1/audit?limit=5", headers=harness.headers("auditor"))
    assert ok.status_code == 200


def test_openapi_documents_every_error_status_and_the_real_422_body(harness: Harness) -> None:
    document = harness.client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["ValidationErrorBody"]["required"] == ["detail", "errors"]
    assert schemas["ValidationErrorBody"]["properties"]["detail"]["type"] == "string"
    assert "HTTPValidationError" not in schemas
    for path, item in document["paths"].items():
        for method, operation in item.items():
            documented = set(operation["responses"])
            if path != "/v1/health":
                assert {"401", "403", "429"} <= documented, (method, path)
            if method == "post":
                assert {"413", "415", "422"} <= documented, (method, path)
            if "422" in documented:
                ref = operation["responses"]["422"]["content"]["application/json"]["schema"]
                assert ref == {"$ref": "#/components/schemas/ValidationErrorBody"}
    # A refusal by the service (not by validation) has the same 422 shape.
    body = {"circuit_id": "nope", "proof": _some_proof(), "public_inputs": ["1"]}
    status, answer = _post(harness, "/v1/verify", body, "auditor")
    assert status == 422 and set(answer) == {"detail", "errors"}


def _some_proof() -> dict[str, Any]:
    return SimulatingKey.generate(seed=3).prove([1, 2, 3, 4])
