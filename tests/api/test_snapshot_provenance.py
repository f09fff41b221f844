"""Snapshot provenance at the API: unsigned snapshots only where the setting allows them,
and served as unsigned (the signed path is tested over live HTTP in
``tests/riskdesk/test_signed_service.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Harness, make_harness
from tests.api.fixtures import tiny_snapshot_json

EPOCH = 5


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[Harness]:
    """A service with the production setting: unsigned snapshots refused."""
    yield from make_harness(f"sqlite:///{tmp_path}/strict.db", allow_unsigned_snapshots=False)


def test_unsigned_snapshot_is_refused_by_default(strict: Harness) -> None:
    body = {"epoch": EPOCH, "snapshot": tiny_snapshot_json(EPOCH)}
    response = strict.client.post("/v1/snapshots", json=body, headers=strict.headers("oracle"))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("unsigned snapshot refused")


def test_unsigned_snapshot_where_allowed_is_served_as_unsigned(harness: Harness) -> None:
    body = {"epoch": EPOCH, "snapshot": tiny_snapshot_json(EPOCH)}
    posted = harness.client.post("/v1/snapshots", json=body, headers=harness.headers("oracle"))
    assert posted.status_code == 201, posted.text
    served = harness.client.get(
        f"/v1/snapshots/{EPOCH}/provenance", headers=harness.headers("auditor")
    )
    assert served.status_code == 200
    provenance = served.json()
    assert provenance["signed"] is False and provenance["signature"] is None
    assert provenance["snapshot_hash"] == posted.json()["snapshot_hash"]


def test_provenance_of_an_epoch_without_snapshot_is_404(harness: Harness) -> None:
    response = harness.client.get("/v1/snapshots/9/provenance", headers=harness.headers("trader"))
    assert response.status_code == 404
    assert "no snapshot posted for epoch 9" in response.json()["detail"]


def test_only_the_admin_registers_signing_keys(harness: Harness) -> None:
    body = {"api_key_id": "0123456789ab", "public_key": "x"}
    for role in ("oracle", "venue", "auditor"):
        response = harness.client.post("/v1/oracle-keys", json=body, headers=harness.headers(role))
        assert response.status_code == 403, role


def test_a_pem_public_key_keeps_its_line_feeds_and_nothing_else(harness: Harness) -> None:
    from zkmargin.riskdesk.signing import generate_key_pair

    _, public_pem = generate_key_pair()
    pem = public_pem.decode("ascii")
    assert "\n" in pem
    oracle_id = harness.keys["oracle"].split("_")[1]
    admin = harness.headers("admin")
    for bad in (pem.replace("\n", "\r\n"), pem.replace("\n", "\n\x00", 1), "\t" + pem):
        body = {"api_key_id": oracle_id, "public_key": bad}
        refused = harness.client.post("/v1/oracle-keys", json=body, headers=admin)
        assert refused.status_code == 422 and "control character" in refused.text, bad
    # Text around the PEM block is not stored: the service keeps the key re-encoded.
    body = {"api_key_id": oracle_id, "public_key": "comment\n" + pem + "\n\n"}
    created = harness.client.post("/v1/oracle-keys", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["public_key"] == pem
