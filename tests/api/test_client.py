"""The typed client: one call per route against the app, and errors as ServiceCallError."""

from __future__ import annotations

import pytest

from api.client import ServiceCallError, ZkmClient
from tests.api.conftest import Harness
from tests.api.fixtures import SimulatingKey, tamper, tiny_snapshot_json


def _client(h: Harness, role: str) -> ZkmClient:
    return ZkmClient("http://testserver", h.keys[role], http=h.client)


def test_client_drives_every_role_through_an_epoch(
    harness: Harness, simulating_key: SimulatingKey
) -> None:
    snapshot = tiny_snapshot_json(epoch=9)
    admin, oracle, venue = (_client(harness, r) for r in ("admin", "oracle", "venue"))
    trader, clearing, auditor = (_client(harness, r) for r in ("trader", "clearing", "auditor"))
    assert admin.health().status == "ok"
    assert admin.register_circuit("m", simulating_key.vk_json).n_public == 4
    admin.declare_margin_circuit("m", from_epoch=0)
    assert [c.circuit_id for c in trader.list_circuits()] == ["m"]
    assert trader.get_circuit("m").fingerprint == admin.get_circuit("m").fingerprint
    digest = int(oracle.post_snapshot(9, snapshot).snapshot_hash)
    assert int(trader.get_snapshot(9).snapshot_hash) == digest
    venue.register_commitment("acct-1", 9, 41)
    venue.register_commitment("acct-2", 9, 42)
    assert trader.get_commitment("acct-1", 9).commitment == "41"
    public = [41, digest, 0, 1_000_000]
    record = trader.submit_proof("acct-1", 9, "m", simulating_key.prove(public), public)
    assert record.valid and trader.get_proof(record.proof_id).proof_id == record.proof_id
    assert clearing.status("acct-1", 9).status == "compliant"
    assert clearing.status("acct-2", 9).status == "missing"
    assert clearing.verify("m", simulating_key.prove(public), public).valid
    bad = tamper(simulating_key.prove(public))
    batch = auditor.batch_verify(
        "m", [(simulating_key.prove(public), public), (bad, public)], ids=["ok", "bad"]
    )
    assert [x.id for x in batch.invalid] == ["bad"]
    assert [p.account_id for p in auditor.epoch_proofs(9)] == ["acct-1"]
    assert auditor.epoch_report(9).missing_accounts == ["acct-2"]
    assert [e.action for e in auditor.audit_log()][-1] == "proof.submit"


def test_client_raises_service_call_error_with_detail(harness: Harness) -> None:
    trader = _client(harness, "trader")
    with pytest.raises(ServiceCallError) as caught:
        trader.status("acct-1", 1)
    assert caught.value.status_code == 403 and "trader" in caught.value.detail
    with pytest.raises(ServiceCallError) as missing:
        trader.get_circuit("absent")
    assert missing.value.status_code == 404
    with pytest.raises(ServiceCallError) as stream_refused:
        list(trader.epoch_proofs(1))
    assert stream_refused.value.status_code == 403
