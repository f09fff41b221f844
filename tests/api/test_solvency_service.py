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
from tests.api.fixtures import SimulatingKey
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


def _prepare(h: Harness, venue: Venue, registered: list[Opening], declare: bool = True) -> None:
    """As admin, oracle and venue A: solvency circuit (declared for the epoch unless
    ``declare`` is False), epoch-1 snapshot, commitments."""
    with _client(h, "admin") as admin:
        admin.register_circuit(CIRCUIT, venue.vk, margin=False, provenance="dev")
        if declare:
            admin.declare_solvency_circuit(CIRCUIT, from_epoch=EPOCH)
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
    assert posted.circuit.unsafe and posted.circuit.circuit_id == CIRCUIT and posted.declared
    assert _post(h, venue.bundle).status_code == 200  # the same bundle again: a no-op
    changed = _post(h, venue.bundle, reserves=RICH + 1)
    assert changed.status_code == 409
    with _client(h, "clearing") as clearing:
        summary = clearing.solvency_summary(EPOCH, VENUE)
        whole = clearing.solvency(EPOCH, VENUE)
    totals = venue.bundle["statement"]["totals"]
    assert summary.totals == totals and summary.solvent and summary.reserves == str(RICH)
    assert summary.declared and whole.declared
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


# --- the admin's declared solvency circuit ----------------------------------------------
ROGUE = "solvency-rogue"


def _declare(h: Harness, role: str = "admin", **body: Any) -> Any:
    return h.client.post("/v1/policy/solvency-circuits", json=body, headers=h.headers(role))


def _rogue_bundle(venue: Venue, key: SimulatingKey) -> dict[str, Any]:
    """The honest bundle with every chunk proof re-made under a trapdoor key of the venue's
    own making: the same public inputs, proofs that verify under ``key``."""
    bundle = copy.deepcopy(venue.bundle)
    for chunk in bundle["chunks"]:
        chunk["proof"] = key.prove([int(v) for v in chunk["public"]])
    return bundle


def test_declaration_is_admin_only_and_lists_for_any_key(storage_harness: Harness) -> None:
    h = storage_harness
    body = {"circuit_id": CIRCUIT, "from_epoch": EPOCH}
    for role in ("trader", "venue", "clearing", "auditor", "oracle"):
        assert _declare(h, role, **body).status_code == 403, role
    assert h.client.post("/v1/policy/solvency-circuits", json=body).status_code == 401
    for role in ("trader", "venue", "clearing", "auditor", "oracle", "admin"):
        listed = h.client.get("/v1/policy/solvency-circuits", headers=h.headers(role))
        assert listed.status_code == 200 and listed.json() == [], role


def test_declaration_refuses_unknown_retired_and_margin_circuits(
    storage_harness: Harness, venue: Venue
) -> None:
    h = storage_harness
    margin_key = SimulatingKey.generate(seed=41)
    with _client(h, "admin") as admin:
        admin.register_circuit("margin-v1", margin_key.vk_json, margin=True, provenance="dev")
        admin.register_circuit(CIRCUIT, venue.vk, margin=False, provenance="dev")
        admin.register_circuit("old-solvency", venue.vk, margin=False, provenance="dev")
        admin.retire_circuit("old-solvency")
    unknown = _declare(h, circuit_id="no-such", from_epoch=EPOCH)
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == (
        "circuit 'no-such' is not a registered solvency (non-margin) circuit"
    )
    margin = _declare(h, circuit_id="margin-v1", from_epoch=EPOCH)
    assert margin.status_code == 422 and "not a registered solvency" in margin.json()["detail"]
    retired = _declare(h, circuit_id="old-solvency", from_epoch=EPOCH)
    assert retired.status_code == 422 and "retired" in retired.json()["detail"]
    wrong = _declare(h, circuit_id=CIRCUIT, from_epoch=EPOCH, fingerprint="00" * 32)
    assert wrong.status_code == 422 and "fingerprint" in wrong.json()["detail"]
    empty = _declare(h, circuit_id=CIRCUIT, from_epoch=5, to_epoch=4)
    assert empty.status_code == 422 and "before from_epoch" in empty.json()["detail"]
    # Nor can the solvency key be declared the margin circuit.
    crossed = h.client.post("/v1/policy/margin-circuits", json={"circuit_id": CIRCUIT,
                            "from_epoch": EPOCH}, headers=h.headers("admin"))  # fmt: skip
    assert crossed.status_code == 422 and "not a registered margin" in crossed.json()["detail"]
    with _client(h, "clearing") as clearing:
        assert clearing.solvency_circuit_policy() == []


def test_without_a_declaration_no_bundle_is_taken(storage_harness: Harness, venue: Venue) -> None:
    h = storage_harness
    _prepare(h, venue, venue.openings[:N_ACCOUNTS], declare=False)
    with _client(h, "venue") as client:
        client.freeze_registry(EPOCH)
    refused = _post(h, venue.bundle)
    assert refused.status_code == 422, refused.text
    assert refused.json() == {
        "detail": f"no circuit is declared for solvency bundles at epoch {EPOCH}"
        " (the admin declares one: POST /v1/policy/solvency-circuits)",
        "errors": [],
        "code": "solvency_circuit_not_declared",
        "declared_circuit": None,
    }
    assert _stored(h) == 0
    # A declaration for other epochs only does not cover this one.
    with _client(h, "admin") as admin:
        admin.declare_solvency_circuit(CIRCUIT, from_epoch=EPOCH + 1)
    assert _post(h, venue.bundle).json()["declared_circuit"] is None
    with _client(h, "admin") as admin:
        admin.declare_solvency_circuit(CIRCUIT, from_epoch=EPOCH, to_epoch=EPOCH)
    assert _post(h, venue.bundle).status_code == 201


def test_a_circuit_of_the_venues_making_is_refused_once_another_is_declared(
    storage_harness: Harness, venue: Venue
) -> None:
    h = storage_harness
    _prepare(h, venue, venue.openings[:N_ACCOUNTS], declare=False)
    rogue_key = SimulatingKey.generate(n_public=4, seed=42)
    rogue = _rogue_bundle(venue, rogue_key)
    with _client(h, "admin") as admin:
        admin.register_circuit(ROGUE, rogue_key.vk_json, margin=False, provenance="dev")
        declared = admin.declare_solvency_circuit(CIRCUIT, from_epoch=EPOCH)
    with _client(h, "venue") as client:
        client.freeze_registry(EPOCH)
    body = {"circuit_id": ROGUE, "reserves": str(RICH), "insurance": "0", **rogue}
    path = f"/v1/epochs/{EPOCH}/solvency"
    refused = h.client.post(path, json=body, headers=h.headers("venue"))
    assert refused.status_code == 422, refused.text
    assert refused.json() == {
        "detail": f"circuit '{ROGUE}' does not count for solvency bundles at epoch {EPOCH}"
        f" (declared: {CIRCUIT})",
        "errors": [],
        "code": "solvency_circuit_not_declared",
        "declared_circuit": CIRCUIT,
    }
    assert _stored(h) == 0
    with _client(h, "venue") as client, pytest.raises(ServiceCallError) as raised:
        client.post_solvency(EPOCH, rogue, circuit_id=ROGUE, reserves=RICH, insurance=0)
    assert raised.value.status_code == 422 and f"declared: {CIRCUIT}" in raised.value.detail
    assert raised.value.extra == {
        "code": "solvency_circuit_not_declared",
        "declared_circuit": CIRCUIT,
    }
    # The honest bundle under the declared circuit is taken, and says so.
    accepted = _post(h, venue.bundle)
    assert accepted.status_code == 201, accepted.text
    summary = accepted.json()
    assert summary["declared"] is True and summary["circuit"]["circuit_id"] == CIRCUIT
    assert summary["circuit"]["fingerprint"] == declared.fingerprint
    with _client(h, "clearing") as clearing:
        assert clearing.solvency_summary(EPOCH, VENUE).declared
        assert clearing.solvency(EPOCH, VENUE).declared
        listed = clearing.solvency_circuit_policy()
    assert [(p.circuit_id, p.from_epoch, p.to_epoch) for p in listed] == [(CIRCUIT, EPOCH, None)]


def test_rogue_bundle_verifies_under_its_own_key_without_the_policy(
    harness: Harness, venue: Venue
) -> None:
    # The refusal above is the policy's, not the verifier's: declared the rogue key, the
    # venue's trapdoor proofs pass every check. That is why the admin must declare.
    h = harness
    _prepare(h, venue, venue.openings[:N_ACCOUNTS], declare=False)
    rogue_key = SimulatingKey.generate(n_public=4, seed=42)
    with _client(h, "admin") as admin:
        admin.register_circuit(ROGUE, rogue_key.vk_json, margin=False, provenance="dev")
        admin.declare_solvency_circuit(ROGUE, from_epoch=EPOCH)
    with _client(h, "venue") as client:
        client.freeze_registry(EPOCH)
        posted = client.post_solvency(EPOCH, _rogue_bundle(venue, rogue_key), circuit_id=ROGUE,
                                      reserves=RICH, insurance=0)  # fmt: skip
    assert posted.verdict == "SOLVENT" and posted.declared and posted.circuit.unsafe


def test_declarations_are_append_only_audited_and_never_move_stored_bundles(
    storage_harness: Harness, venue: Venue
) -> None:
    h = storage_harness
    _prepare(h, venue, venue.openings[:N_ACCOUNTS])
    with _client(h, "admin") as admin:
        admin.register_circuit("solvency-next", venue.vk, margin=False, provenance="dev")
    with _client(h, "venue") as client:
        client.freeze_registry(EPOCH)
    assert _post(h, venue.bundle).status_code == 201
    moved = _declare(h, circuit_id="solvency-next", from_epoch=0)
    assert moved.status_code == 409
    assert moved.json()["detail"] == (
        f"epoch {EPOCH} already has solvency bundles under circuit {CIRCUIT};"
        " its circuit cannot change"
    )
    later = _declare(h, circuit_id="solvency-next", from_epoch=EPOCH + 1)
    assert later.status_code == 201, later.text
    again = _declare(h, circuit_id=CIRCUIT, from_epoch=EPOCH, to_epoch=EPOCH)
    assert again.status_code == 201  # re-declaring what counts is a new record, not an edit
    with _client(h, "auditor") as auditor:
        listed = auditor.solvency_circuit_policy()
        entries = [e for e in auditor.audit_log() if e.action == "policy.declare_solvency"]
    assert [(p.circuit_id, p.from_epoch, p.to_epoch) for p in listed] == [
        (CIRCUIT, EPOCH, None), ("solvency-next", EPOCH + 1, None), (CIRCUIT, EPOCH, EPOCH),
    ]  # fmt: skip
    assert [p.id for p in listed] == sorted(p.id for p in listed)
    assert [e.target for e in entries] == [f"circuit={c}" for c, _, _ in
                                           [(p.circuit_id, 0, 0) for p in listed]]  # fmt: skip
    assert entries[0].detail == {"fingerprint": listed[0].fingerprint, "from_epoch": EPOCH,
                                 "to_epoch": None}  # fmt: skip
    assert {e.role for e in entries} == {"admin"}
    with _client(h, "clearing") as clearing:
        assert clearing.solvency_summary(EPOCH, VENUE).declared


def test_retired_declared_circuit_takes_no_new_bundle(harness: Harness, venue: Venue) -> None:
    h = harness
    _prepare(h, venue, venue.openings[:N_ACCOUNTS])
    with _client(h, "venue") as client:
        client.freeze_registry(EPOCH)
    with _client(h, "admin") as admin:
        admin.retire_circuit(CIRCUIT)
    refused = _post(h, venue.bundle)
    assert refused.status_code == 422 and "retired" in refused.json()["detail"]
    assert _stored(h) == 0


def test_a_bundle_waits_for_a_solvency_declaration_in_flight_and_then_reads_it(
    postgres_harness: Harness, venue: Venue
) -> None:
    """PostgreSQL, another worker played by our own transaction: while it declares another
    solvency circuit for the epoch (holding the solvency policy lock), a bundle post waits,
    then reads that declaration and is refused; nothing is stored. Without the lock the
    bundle would be stored under a circuit that no longer counts."""
    from sqlalchemy.orm import Session

    from api.models import SolvencyCircuitPolicy, utc_now
    from api.services.policy_lock import lock_policy
    from tests.api.locks import Call

    h = postgres_harness
    _prepare(h, venue, venue.openings[:N_ACCOUNTS])
    with _client(h, "admin") as admin:
        other = admin.register_circuit("solvency-other", venue.vk, margin=False, provenance="dev")
    with _client(h, "venue") as client:
        client.freeze_registry(EPOCH)
    engine = h.app.state.zkm.engine
    with Session(engine) as declaring:
        lock_policy(declaring, margin=False, exclusive=True)
        declaring.add(
            SolvencyCircuitPolicy(
                circuit_id="solvency-other", fingerprint=other.fingerprint, from_epoch=EPOCH,
                to_epoch=EPOCH, declared_by="worker-2", declared_at=utc_now(),
            )
        )  # fmt: skip
        declaring.flush()
        post = Call(lambda: _post(h, venue.bundle))
        assert post.waiting(engine)  # the store waits for the declaration's transaction
        declaring.commit()
    answer = post.result()
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "solvency_circuit_not_declared"
    assert answer.json()["declared_circuit"] == "solvency-other"
    assert _stored(h) == 0
