"""Property-based fuzzing of every route from the app's own OpenAPI, with every check.

Each operation is called with a key of a role it admits (so requests reach validation and
the handlers), and again under every role in turn (so refusals are exercised too), with
positive and negative data, and every response is held to schemathesis's full set of checks
(the CLI's ``--checks all``): no 5xx, every status, content type, header and body as the
OpenAPI document states them, negative data refused, authentication enforced. Examples per
operation are bounded to keep the suite fast; ``-m slow`` runs many more.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import DataGenerationMethod
from schemathesis.checks import ALL_CHECKS

from api.auth import Role
from tests.api.conftest import Harness, make_harness
from tests.api.fixtures import SimulatingKey

ROLE_FOR = {
    ("POST", "/v1/circuits"): "admin",
    ("POST", "/v1/snapshots"): "oracle",
    ("POST", "/v1/commitments"): "venue",
    ("POST", "/v1/proofs"): "trader",
    ("POST", "/v1/batch-verify"): "auditor",
    ("POST", "/v1/keys/{key_id}/revoke"): "admin",
    ("GET", "/v1/epochs/{epoch}/proofs"): "auditor",
    ("GET", "/v1/audit"): "auditor",
    ("GET", "/v1/accounts/{account_id}/status"): "clearing",
    ("POST", "/v1/epochs"): "admin",
    ("POST", "/v1/policy/margin-circuits"): "admin",
    ("POST", "/v1/policy/solvency-circuits"): "admin",
    ("POST", "/v1/circuits/{circuit_id}/retire"): "admin",
    ("POST", "/v1/venues/{venue_id}/accounts"): "admin",
    ("GET", "/v1/venues/{venue_id}/accounts"): "admin",
    ("POST", "/v1/commitments/{account_id}/{epoch}/void"): "venue",
    ("POST", "/v1/snapshots/{epoch}/void"): "oracle",
    ("POST", "/v1/oracle-keys"): "admin",
    ("POST", "/v1/epochs/{epoch}/freeze"): "venue",
    ("POST", "/v1/epochs/{epoch}/solvency"): "venue",
}
ROLES = [role.value for role in Role]
TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzz_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    directory: Path = tmp_path_factory.mktemp("fuzz")
    yield from make_harness(
        f"sqlite:///{directory}/fuzz.db",
        rate_limit_per_second=10_000.0,
        rate_limit_burst=100_000,
        auth_failures_per_minute=1_000_000,
    )
    print(f"\nschemathesis: {TALLY['responses']} responses checked, {TALLY['failures']} failed")


@pytest.fixture(scope="module")
def api_schema(fuzz_harness: Harness) -> Any:
    key = SimulatingKey.generate(seed=21)
    body = {"circuit_id": "c", "verifying_key": key.vk_json}
    fuzz_harness.client.post("/v1/circuits", json=body, headers=fuzz_harness.headers("admin"))
    # FastAPI emits OpenAPI 3.1; schemathesis 3.x generates from it in its 3.0 mode.
    return schemathesis.from_asgi(
        "/openapi.json",
        fuzz_harness.app,
        force_schema_version="30",
        data_generation_methods=[DataGenerationMethod.positive, DataGenerationMethod.negative],
    )


schema = schemathesis.from_pytest_fixture("api_schema")
_NEXT_ROLE = itertools.cycle(ROLES)


def _check(case: Any, harness: Harness, role: str) -> None:
    # Authentication travels as the CLI's `-H` does, so `ignored_auth` can remove and forge it.
    # The only header parameter is the bearer key, so negative headers mean a missing or
    # malformed key: those are sent as generated (and must get 401), never with a real key.
    negative_headers = case.meta is not None and case.meta.headers is not None
    negative_headers = negative_headers and case.meta.headers.is_negative
    auth = {} if negative_headers else harness.headers(role)
    response = case.call(headers=auth)
    TALLY["responses"] += 1
    try:
        case.validate_response(
            response, checks=ALL_CHECKS, headers=auth, transport_kwargs={"headers": auth}
        )
    except AssertionError:
        TALLY["failures"] += 1
        raise


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_breaks_the_contract_for_admitted_roles(case: Any, fuzz_harness: Harness) -> None:
    _check(case, fuzz_harness, ROLE_FOR.get((case.method.upper(), case.path), "auditor"))


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_breaks_the_contract_for_any_role(case: Any, fuzz_harness: Harness) -> None:
    _check(case, fuzz_harness, next(_NEXT_ROLE))


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
def test_many_inputs_keep_the_contract_for_any_role(case: Any, fuzz_harness: Harness) -> None:
    _check(case, fuzz_harness, next(_NEXT_ROLE))
