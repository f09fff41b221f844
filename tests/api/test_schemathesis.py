"""Property-based fuzzing of every route from the app's own OpenAPI: no input may cause a 5xx.

Each operation is called with a key of a role it admits (so requests reach validation and
the handlers), a bounded number of examples per operation to keep the suite fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import Harness, make_harness
from tests.api.fixtures import SimulatingKey

ROLE_FOR = {
    ("POST", "/v1/circuits"): "admin",
    ("POST", "/v1/snapshots"): "oracle",
    ("POST", "/v1/commitments"): "venue",
    ("POST", "/v1/proofs"): "trader",
    ("POST", "/v1/batch-verify"): "auditor",
    ("GET", "/v1/epochs/{epoch}/proofs"): "auditor",
    ("GET", "/v1/audit"): "auditor",
    ("GET", "/v1/accounts/{account_id}/status"): "clearing",
    ("POST", "/v1/epochs"): "admin",
    ("POST", "/v1/policy/margin-circuits"): "admin",
    ("POST", "/v1/circuits/{circuit_id}/retire"): "admin",
    ("POST", "/v1/venues/{venue_id}/accounts"): "admin",
    ("GET", "/v1/venues/{venue_id}/accounts"): "admin",
    ("POST", "/v1/commitments/{account_id}/{epoch}/void"): "venue",
    ("POST", "/v1/snapshots/{epoch}/void"): "oracle",
    ("POST", "/v1/oracle-keys"): "admin",
}


@pytest.fixture(scope="module")
def fuzz_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    directory: Path = tmp_path_factory.mktemp("fuzz")
    yield from make_harness(f"sqlite:///{directory}/fuzz.db", rate_limit_per_second=10_000.0)


@pytest.fixture(scope="module")
def api_schema(fuzz_harness: Harness) -> Any:
    key = SimulatingKey.generate(seed=21)
    body = {"circuit_id": "c", "verifying_key": key.vk_json}
    fuzz_harness.client.post("/v1/circuits", json=body, headers=fuzz_harness.headers("admin"))
    # FastAPI emits OpenAPI 3.1; schemathesis 3.x generates from it in its 3.0 mode.
    return schemathesis.from_asgi("/openapi.json", fuzz_harness.app, force_schema_version="30")


schema = schemathesis.from_pytest_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_causes_a_server_error(case: Any, fuzz_harness: Harness) -> None:
    role = ROLE_FOR.get((case.method.upper(), case.path), "auditor")
    case.headers = {**(case.headers or {}), **fuzz_harness.headers(role)}
    response = case.call()
    case.validate_response(response, checks=(not_a_server_error,))
