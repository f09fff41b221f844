"""Request-size limits, readable 422s, per-key rate limits and logs without secrets."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.logs import JsonFormatter, get_logger
from api.ratelimit import RateLimiter
from tests.api.conftest import Harness, make_harness


def test_oversized_body_is_refused_with_413(harness: Harness) -> None:
    limit = harness.settings.max_request_bytes
    body = json.dumps({"epoch": 1, "snapshot": {"pad": "x" * limit}})
    response = harness.client.post(
        "/v1/snapshots",
        content=body,
        headers={**harness.headers("oracle"), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert str(limit) in response.json()["detail"]


def test_oversized_chunked_body_is_refused_with_413(harness: Harness) -> None:
    limit = harness.settings.max_request_bytes

    def chunks() -> Iterator[bytes]:
        yield b'{"epoch": 1, "snapshot": {"pad": "'
        for _ in range(limit // 1000 + 2):
            yield b"x" * 1000
        yield b'"}}'

    response = harness.client.post(
        "/v1/snapshots",
        content=chunks(),
        headers={**harness.headers("oracle"), "content-type": "application/json"},
    )
    assert response.status_code == 413


def test_validation_errors_are_422_with_a_readable_detail(harness: Harness) -> None:
    response = harness.client.post(
        "/v1/commitments",
        json={"account_id": "bad account!", "epoch": -1, "commitment": "0x12"},
        headers=harness.headers("venue"),
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert "body.account_id" in detail and "body.epoch" in detail and "body.commitment" in detail
    garbage = harness.client.post(
        "/v1/commitments",
        content=b"{not json",
        headers={**harness.headers("venue"), "content-type": "application/json"},
    )
    assert garbage.status_code == 422 and isinstance(garbage.json()["detail"], str)
    huge_epoch = harness.client.get(
        "/v1/epochs/99999999999999999999999/report", headers=harness.headers("auditor")
    )
    assert huge_epoch.status_code == 422


def test_rate_limit_answers_429_per_key(tmp_path: Path) -> None:
    for h in make_harness(
        f"sqlite:///{tmp_path}/r.db", rate_limit_per_second=0.001, rate_limit_burst=3
    ):
        codes = [
            h.client.get("/v1/circuits", headers=h.headers("auditor")).status_code for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        refused = h.client.get("/v1/circuits", headers=h.headers("auditor"))
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert h.client.get("/v1/circuits", headers=h.headers("clearing")).status_code == 200


def test_token_bucket_refills_at_its_rate() -> None:
    limiter = RateLimiter(rate=10.0, burst=2)
    assert [limiter.acquire("k", now=0.0) for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire("k", now=0.0) == pytest.approx(0.1)
    assert limiter.acquire("k", now=0.1) == 0.0
    assert limiter.acquire("other", now=0.1) == 0.0


def test_access_log_is_json_and_never_contains_keys(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    logger = get_logger()
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger=logger.name):
            harness.client.get("/v1/circuits", headers=harness.headers("auditor"))
            harness.client.get(
                "/v1/circuits", headers={"Authorization": "Bearer zkm_000000000000_" + "A" * 43}
            )
    finally:
        logger.removeHandler(caplog.handler)
    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    requests = [line for line in lines if line["event"] == "request"]
    assert [line["status"] for line in requests] == [200, 401]
    assert requests[0]["key_id"] == harness.keys["auditor"].split("_")[1]
    text = json.dumps(lines)
    assert all(key not in text for key in harness.keys.values()) and "AAAAAAAA" not in text
