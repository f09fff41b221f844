"""Venue-level solvency at the service (issue #18): the registry freeze and its export, and
solvency bundles verified on arrival — valid ones stored and read back by a clearing client,
tampered ones refused with a finding and nothing stored — on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from api.auth import Role
from api.client import ServiceCallError, ZkmClient
from api.models import SolvencyRecord
from circuits.margin.model import Opening
from circuits.solvency.epoch import canonical_order
from tests.api.conftest import OTHER_VENUE, VENUE, Harness
from tests.solvency.fixtures import tiny_snapshot
from tests.solvency.service_bundle import EPOCH, N_COVERED, proven_bundle
from zkmargin.solvency.bundle import bundle_json
from zkmargin.solvency.keys import VK_NAME

N_ACCOUNTS = N_COVERED
CIRCUIT = "solvency-tiny-2"
RICH = 10**15
ACCOUNTS = [f"sv-{k}" for k in range(N_ACCOUNTS + 1)]
"""Venue A's accounts: one per opening, the last one for the opening the bundle leaves out."""


@dataclass(frozen=True)
class Venue:
    """Dev keys, the openings and the proven epoch-1 bundle (as JSON), shared by the module."""

    vk: dict[str, Any]
    openings: list[Opening]
    """``N_ACCOUNTS`` openings the bundle covers, then one it does not."""
    bundle: dict[str, Any]
    foreign_chunk: dict[str, Any]
    """Chunk 0 of the same accounts proven against epoch 2's snapshot."""


@pytest.fixture(scope="module")
def venue() -> Venue:
    proven = proven_bundle()
    return Venue(
        vk=json.loads((proven.keys / VK_NAME).read_text()),
        openings=list(proven.openings),
        bundle=bundle_json(proven.bundle),
        foreign_chunk=bundle_json(proven.foreign_bundle)["chunks"][0],
    )


def _client(h: Harness, role: str) -> ZkmClient:
    return ZkmClient("http://testserver", h.keys[role], http=h.client)


def _prepare(h: Harness, venue: Venue, registered: list[Opening]) -> None:
    """As admin, oracle and venue A: solvency circuit, epoch-1 snapshot, commitments."""
    with _client(h, "admin") as admin:
        admin.register_circuit(CIRCUIT, venue.vk, margin=False, provenance="dev")
        admin.enroll_accounts(VENUE, ACCOUNTS)
    with _client(h, "oracle") as oracle:
        oracle.post_snapshot(EPOCH, tiny_snapshot(EPOCH).model_dump(mode="json"))
    with _client(h, "venue") as client:
        for opening in registered:
            account = ACCOUNTS[venue.openings.index(opening)]
            client.register_commitment(account, EPOCH, opening.commitment)


def _post(h: Harness, bundle: dict[str, Any], reserves: int = RICH) -> Any:
    body = {"circuit_id": CIRCUIT, "reserves": str(reserves), "insurance": "0", **bundle}
    return h.client.post(f"/v1/epochs/{EPOCH}/solvency", json=body, headers=h.headers("venue"))


def _stored(h: Harness) -> int:
    with h.app.state.zkm.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(SolvencyRecord)) or 0)


def _other_venue_key(h: Harness) -> str:
    with _client(h, "admin") as admin:
        admin.enroll_accounts(OTHER_VENUE, ["other-1", "other-2"])
    return h.add_key(Role.VENUE, venue=OTHER_VENUE)


# --- freeze -------------------------------------------------------------------------------
def test_freeze_blocks_registration_and_void_of_the_venue_only(
    storage_harness: Harness, venue: Venue
) -> None:
    h = storage_harness
    _prepare(h, venue, venue.openings[:2])
    other_key = _other_venue_key(h)
    with ZkmClient("http://testserver", other_key, http=h.client) as other:
        other.register_commitment("other-1", EPOCH, 11)
    freeze = h.client.post(f"/v1/epochs/{EPOCH}/freeze", headers=h.headers("venue"))
    assert freeze.status_code == 201, freeze.text
    assert freeze.json()["venue_id"] == VENUE and freeze.json()["n_commitments"] == 2
    again = h.client.post(f"/v1/epochs/{EPOCH}/freeze", headers=h.headers("venue"))
    assert again.status_code == 200 and again.json()["frozen_at"] == freeze.json()["frozen_at"]
    with _client(h, "venue") as client:
        with pytest.raises(ServiceCallError) as refused:
            client.register_commitment(ACCOUNTS[2], EPOCH, venue.openings[2].commitment)
        assert refused.value.status_code == 409 and "frozen" in refused.value.detail
        with pytest.raises(ServiceCallError) as void:
            client.void_commitment(ACCOUNTS[0], EPOCH, "late correction")
        assert void.value.status_code == 409 and "frozen" in void.value.detail
        client.register_commitment(ACCOUNTS[2], EPOCH + 1, venue.openings[2].commitment)
    with _client(h, "admin") as admin, pytest.raises(ServiceCallError) as admin_void:
        admin.void_commitment(ACCOUNTS[0], EPOCH, "late correction")
    assert admin_void.value.status_code == 409
    # Venue B's registry at the same epoch is its own: still open until B freezes it.
    with ZkmClient("http://testserver", other_key, http=h.client) as other:
        other.register_commitment("other-2", EPOCH, 12)
        other.void_commitment("other-2", EPOCH, "mistake")
        with pytest.raises(ServiceCallError) as cross:
            other.void_commitment(ACCOUNTS[1], EPOCH, "not mine")
        assert cross.value.status_code == 404
        assert other.freeze_registry(EPOCH).n_commitments == 1
        assert other.registry(EPOCH, OTHER_VENUE).commitments == ["11"]
    with _client(h, "venue") as client:
        assert len(client.registry(EPOCH, VENUE).commitments) == 2


def test_freeze_refuses_an_empty_registry_an_unopened_epoch_and_other_roles(
    harness: Harness,
) -> None:
    h = harness
    empty = h.client.post(f"/v1/epochs/{EPOCH}/freeze", headers=h.headers("venue"))
    assert empty.status_code == 409 and "nothing to freeze" in empty.json()["detail"]
    unopened = h.client.post("/v1/epochs/999/freeze", headers=h.headers("venue"))
    assert unopened.status_code == 422 and "not open" in unopened.json()["detail"]
    for role in ("trader", "clearing", "admin", "oracle", "auditor"):
        answer = h.client.post(f"/v1/epochs/{EPOCH}/freeze", headers=h.headers(role))
        assert answer.status_code == 403, role
    assert h.client.post(f"/v1/epochs/{EPOCH}/freeze").status_code == 401
    bogus = {"Authorization": "Bearer zkm_000000000000_" + "A" * 43}
    assert h.client.post(f"/v1/epochs/{EPOCH}/freeze", headers=bogus).status_code == 401


# --- export ------------------------------------------------------------------------------
def test_registry_export_is_canonical_and_only_once_frozen(
    storage_harness: Harness, venue: Venue
) -> None:
    h = storage_harness
    registered = list(reversed(venue.openings))  # registered out of order on purpose
    _prepare(h, venue, registered)
    path = f"/v1/epochs/{EPOCH}/registry"
    unfrozen = h.client.get(path, params={"venue": VENUE}, headers=h.headers("clearing"))
    assert unfrozen.status_code == 409 and "not frozen" in unfrozen.json()["detail"]
    unknown = h.client.get(path, params={"venue": "nobody"}, headers=h.headers("clearing"))
    assert unknown.status_code == 404
    with _client(h, "venue") as client:
        client.freeze_registry(EPOCH)
    expected = [str(c) for c in canonical_order([o.commitment for o in venue.openings])]
    for role in ("trader", "clearing", "auditor", "venue", "admin", "oracle"):
        with _client(h, role) as reader:
            export = reader.registry(EPOCH, VENUE)
        assert export.commitments == expected and export.frozen, role
    assert h.client.get(path, params={"venue": VENUE}).status_code == 401


# --- POST / GET solvency ----------------------------------------------------------------
def test_valid_bundle_is_stored_and_read_back_by_a_clearing_client(
    storage_harness: Harness, venue: Venue
) -> None:
    h = storage_harness
    _prepare(h, venue, venue.openings[:N_ACCOUNTS])
    unfrozen = _post(h, venue.bundle)
    assert unfrozen.status_code == 409 and "not frozen" in unfrozen.json()["detail"]
    with _client(h, "venue") as client:
        client.freeze_registry(EPOCH)
        posted = client.post_solvency(
            EPOCH, venue.bundle, circuit_id=CIRCUIT, reserves=RICH, insurance=0
        )
    assert posted.verdict == "SOLVENT" and posted.n_accounts == N_ACCOUNTS
    assert posted.circuit.unsafe and posted.circuit.circuit_id == CIRCUIT
    assert _post(h, venue.bundle).status_code == 200  # the same bundle again: a no-op
    changed = _post(h, venue.bundle, reserves=RICH + 1)
    assert changed.status_code == 409
    with _client(h, "clearing") as clearing:
        summary = clearing.solvency_summary(EPOCH, VENUE)
        whole = clearing.solvency(EPOCH, VENUE)
    totals = venue.bundle["statement"]["totals"]
    assert summary.totals == totals and summary.solvent and summary.reserves == str(RICH)
    covered = int(totals["liabilities"]) + int(totals["deficit"])
    assert int(summary.surplus) == RICH - covered
    assert whole.statement["commitments"] == venue.bundle["statement"]["commitments"]
    assert len(whole.chunks) == len(venue.bundle["chunks"])
    with _client(h, "trader") as trader:
        assert trader.solvency_summary(EPOCH, VENUE).verdict == "SOLVENT"
    missing = h.client.get(
        f"/v1/epochs/{EPOCH}/solvency", params={"venue": OTHER_VENUE}, headers=h.headers("clearing")
    )
    assert missing.status_code == 404


def test_insolvent_bundle_is_stored_with_its_verdict(harness: Harness, venue: Venue) -> None:
    h = harness
    _prepare(h, venue, venue.openings[:N_ACCOUNTS])
    with _client(h, "venue") as client:
        client.freeze_registry(EPOCH)
        posted = client.post_solvency(EPOCH, venue.bundle, circuit_id=CIRCUIT, reserves=0,
                                      insurance=0)  # fmt: skip
    assert posted.verdict == "INSOLVENT" and not posted.solvent and int(posted.surplus) < 0


def _left_out(venue: Venue, bundle: dict[str, Any]) -> list[Opening]:
    return venue.openings  # one more registered account than the bundle covers


def _covered(venue: Venue, bundle: dict[str, Any]) -> list[Opening]:
    return venue.openings[:N_ACCOUNTS]


def _unregistered(venue: Venue, bundle: dict[str, Any]) -> list[Opening]:
    return venue.openings[: N_ACCOUNTS - 1]  # the bundle lists one commitment never registered


def _wrong_totals(bundle: dict[str, Any], venue: Venue) -> None:
    totals = bundle["statement"]["totals"]
    totals["liabilities"] = str(int(totals["liabilities"]) // 2)


def _foreign_chunk(bundle: dict[str, Any], venue: Venue) -> None:
    bundle["chunks"][0] = copy.deepcopy(venue.foreign_chunk)


def _keep(bundle: dict[str, Any], venue: Venue) -> None:
    pass


TAMPERS = {
    "account left out": (_left_out, _keep, "registered account(s) left out"),
    "unregistered commitment": (_unregistered, _keep, "not registered for epoch"),
    "wrong totals": (_covered, _wrong_totals, "not the opening of the final accumulator"),
    "chunk of another snapshot": (_covered, _foreign_chunk, "proven against another snapshot"),
}


@pytest.mark.parametrize("case", list(TAMPERS))
def test_tampered_bundle_is_refused_with_a_finding_and_nothing_stored(
    storage_harness: Harness, venue: Venue, case: str
) -> None:
    h = storage_harness
    registered, tamper, finding = TAMPERS[case]
    bundle = copy.deepcopy(venue.bundle)
    _prepare(h, venue, registered(venue, bundle))
    tamper(bundle, venue)
    with _client(h, "venue") as client:
        client.freeze_registry(EPOCH)
    answer = _post(h, bundle)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert any(finding in f for f in body["findings"]), body
    assert body["detail"].startswith("the solvency bundle is invalid")
    assert _stored(h) == 0
    gone = h.client.get(
        f"/v1/epochs/{EPOCH}/solvency", params={"venue": VENUE}, headers=h.headers("clearing")
    )
    assert gone.status_code == 404


def test_post_refuses_wrong_roles_keys_circuits_and_epochs(harness: Harness, venue: Venue) -> None:
    h = harness
    _prepare(h, venue, venue.openings[:N_ACCOUNTS])
    with _client(h, "venue") as client:
        client.freeze_registry(EPOCH)
    body = {"circuit_id": CIRCUIT, "reserves": "1", "insurance": "0", **venue.bundle}
    path = f"/v1/epochs/{EPOCH}/solvency"
    for role in ("trader", "clearing", "admin", "auditor", "oracle"):
        assert h.client.post(path, json=body, headers=h.headers(role)).status_code == 403, role
    assert h.client.post(path, json=body).status_code == 401
    other_epoch = h.client.post("/v1/epochs/2/solvency", json=body, headers=h.headers("venue"))
    assert other_epoch.status_code == 422 and "not 2" in other_epoch.json()["detail"]
    unknown = {**body, "circuit_id": "no-such-circuit"}
    assert h.client.post(path, json=unknown, headers=h.headers("venue")).status_code == 422
    extra = {**body, "surprise": 1}
    assert h.client.post(path, json=extra, headers=h.headers("venue")).status_code == 422
    # Venue B's key posts venue A's bundle against its own (unfrozen) registry: refused.
    other = {"Authorization": f"Bearer {_other_venue_key(h)}"}
    assert h.client.post(path, json=body, headers=other).status_code == 409
    assert _stored(h) == 0
