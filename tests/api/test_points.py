"""The service refuses (0, 0) points and verifying keys with α, β, γ or δ at infinity (422).

The checks live in ``verifier/`` (the snarkjs JSON reader and ``prepare_verifying_key``);
these tests pin that the service inherits them: before, ``pi_a = ["0","0","1"]`` was read as
infinity's bytes and answered ``valid: false``, and a key with ``vk_delta_2 = (0, 0)``
registered (201).
"""

from __future__ import annotations

import copy

import pytest

from tests.api.conftest import Harness
from tests.api.fixtures import SimulatingKey

PUBLIC = ["11", "22", "1", "1250000"]
G1_ZERO_ZERO = ["0", "0", "1"]
G1_INFINITY = ["0", "1", "0"]
G2_ZERO_ZERO = [["0", "0"], ["0", "0"], ["1", "0"]]
G2_INFINITY = [["0", "0"], ["1", "0"], ["0", "0"]]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vk_alpha_1", G1_ZERO_ZERO),
        ("vk_alpha_1", G1_INFINITY),
        *((f, G2_ZERO_ZERO) for f in ("vk_beta_2", "vk_gamma_2", "vk_delta_2")),
        *((f, G2_INFINITY) for f in ("vk_beta_2", "vk_gamma_2", "vk_delta_2")),
    ],
)
def test_registration_refuses_key_with_fixed_point_at_infinity(
    harness: Harness, field: str, value: object
) -> None:
    bad = copy.deepcopy(SimulatingKey.generate(seed=5).vk_json)
    bad[field] = value
    bad.pop("vk_alphabeta_12", None)
    response = harness.client.post(
        "/v1/circuits",
        json={"circuit_id": "bad-key", "verifying_key": bad},
        headers=harness.headers("admin"),
    )
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and ("(0, 0)" in detail or "infinity" in detail)
    listed = harness.client.get("/v1/circuits", headers=harness.headers("admin")).json()
    assert "bad-key" not in [c["circuit_id"] for c in listed]


@pytest.mark.parametrize(
    ("element", "value"), [("pi_a", G1_ZERO_ZERO), ("pi_c", G1_ZERO_ZERO), ("pi_b", G2_ZERO_ZERO)]
)
def test_verify_refuses_zero_zero_proof_point_as_off_curve(
    harness: Harness, simulating_key: SimulatingKey, element: str, value: object
) -> None:
    registered = harness.client.post(
        "/v1/circuits",
        json={"circuit_id": "margin-v1", "verifying_key": simulating_key.vk_json},
        headers=harness.headers("admin"),
    )
    assert registered.status_code == 201, registered.text
    proof = simulating_key.prove([int(x) for x in PUBLIC])
    proof[element] = value
    response = harness.client.post(
        "/v1/verify",
        json={"circuit_id": "margin-v1", "proof": proof, "public_inputs": PUBLIC},
        headers=harness.headers("clearing"),
    )
    assert response.status_code == 422, response.text
    assert "(0, 0) is not on the" in response.json()["detail"]
