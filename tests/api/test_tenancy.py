"""Tenancy: scope before load, venues and markets, admin-opened epochs, voiding, unique C."""

from __future__ import annotations

from typing import Any

from api.auth import Role
from tests.api.conftest import OTHER_VENUE, VENUE, Harness
from tests.api.fixtures import SimulatingKey, tiny_snapshot_json

EPOCH = 5
CIRCUIT = "margin-v1"


def _post(h: Harness, path: str, body: Any, role: str | None = None, key: str = "") -> Any:
    headers = h.headers(role) if role else {"Authorization": f"Bearer {key}"}
    return h.client.post(path, json=body, headers=headers)


def _commit(h: Harness, account: str, value: int, *, epoch: int = EPOCH, key: str = "") -> Any:
    body = {"account_id": account, "epoch": epoch, "commitment": str(value)}
    return _post(h, "/v1/commitments", body, None if key else "venue", key)


def _snapshot(h: Harness, epoch: int = EPOCH, *, key: str = "", **changes: Any) -> Any:
    body = {"epoch": epoch, "snapshot": tiny_snapshot_json(epoch) | changes}
    return _post(h, "/v1/snapshots", body, None if key else "oracle", key)


def _ready(h: Harness, key: SimulatingKey) -> None:
    body = {"circuit_id": CIRCUIT, "verifying_key": key.vk_json}
    assert _post(h, "/v1/circuits", body, "admin").status_code == 201
    h.declare(CIRCUIT)


def _submit(
    h: Harness, key: SimulatingKey, account: str, public: list[int], role: str = "trader"
) -> Any:
    body = {"account_id": account, "epoch": EPOCH, "circuit_id": CIRCUIT,
            "proof": key.prove(public), "public_inputs": [str(x) for x in public]}  # fmt: skip
    return _post(h, "/v1/proofs", body, role)


def test_proof_ids_of_other_accounts_look_exactly_like_missing_ones(
    storage_harness: Harness, simulating_key: SimulatingKey
) -> None:
    # Issue 13, item 2: a 403 naming the account for existing ids, 404 for the others.
    h = storage_harness
    _ready(h, simulating_key)
    digest = int(_snapshot(h).json()["snapshot_hash"])
    assert _commit(h, "acct-9", 99).status_code == 201
    theirs = _submit(h, simulating_key, "acct-9", [99, digest, 0, 1_000_000], "other_trader")
    assert theirs.status_code == 201
    proof_id = theirs.json()["proof_id"]
    hidden = h.client.get(f"/v1/proofs/{proof_id}", headers=h.headers("trader"))
    missing = h.client.get(f"/v1/proofs/{proof_id + 1}", headers=h.headers("trader"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(proof_id), "N") == missing.json()["detail"].replace(
        str(proof_id + 1), "N"
    )
    assert "acct-9" not in hidden.text
    own = h.client.get(f"/v1/proofs/{proof_id}", headers=h.headers("other_trader"))
    assert own.status_code == 200 and own.json()["account_id"] == "acct-9"
    outside = _submit(h, simulating_key, "acct-9", [99, digest, 0, 1_000_000])
    assert outside.status_code == 403 and "acct-9" not in outside.text


def test_venue_keys_act_only_for_their_venues_accounts(storage_harness: Harness) -> None:
    h = storage_harness
    rival = h.add_key(Role.VENUE, venue=OTHER_VENUE)
    assert _post(h, f"/v1/venues/{OTHER_VENUE}/accounts", {"account_ids": ["b-1"]}, "admin")\
        .status_code == 201  # fmt: skip
    squat = _commit(h, "acct-1", 5, key=rival)
    unknown = _commit(h, "nobody", 5, key=rival)
    assert squat.status_code == unknown.status_code == 404
    assert squat.json() == unknown.json() == {"detail": "this key's venue has no such account"}
    assert _commit(h, "b-1", 6, key=rival).status_code == 201
    assert _commit(h, "b-1", 7).status_code == 404
    assert _commit(h, "acct-1", 5).status_code == 201
    headers = {"Authorization": f"Bearer {rival}"}
    read_other = h.client.get(f"/v1/commitments/acct-1/{EPOCH}", headers=headers)
    read_missing = h.client.get(f"/v1/commitments/b-1/{EPOCH + 1}", headers=headers)
    assert read_other.status_code == read_missing.status_code == 404
    assert read_other.json() == read_missing.json() and "acct-1" not in read_other.text
    own = h.client.get(f"/v1/venues/{OTHER_VENUE}/accounts", headers=headers).json()
    assert [a["account_id"] for a in own] == ["b-1"]
    assert h.client.get(f"/v1/venues/{VENUE}/accounts", headers=headers).status_code == 404
    moved = _post(h, f"/v1/venues/{OTHER_VENUE}/accounts", {"account_ids": ["acct-1"]}, "admin")
    assert moved.status_code == 409
    audit = h.client.get("/v1/audit", headers=h.headers("auditor")).json()
    assert [e["target"] for e in audit if e["action"] == "accounts.enroll"] == [
        f"venue={OTHER_VENUE}"
    ]


def test_epochs_are_opened_by_the_admin_and_nothing_squats_a_future_one(
    storage_harness: Harness,
) -> None:
    h = storage_harness
    far = 2**62
    assert _commit(h, "acct-1", 5, epoch=far).json() == {
        "detail": f"epoch {far} is not open (the admin opens epochs)",
        "errors": [],  # every 422 body has this shape (strict input)
    }
    assert _snapshot(h, far).status_code == 422
    opened = _post(h, "/v1/epochs", {"epoch": 100}, "admin")
    assert opened.status_code == 201 and opened.json()["market"] == "default"
    assert _post(h, "/v1/epochs", {"epoch": 100}, "admin").status_code == 200
    assert _post(h, "/v1/epochs", {"epoch": 100, "market": "fx"}, "admin").status_code == 409
    assert _snapshot(h, 100).status_code == 201
    assert _commit(h, "acct-1", 5, epoch=100).status_code == 201
    read = h.client.get("/v1/epochs/100", headers=h.headers("trader")).json()
    assert read["opened_by"] == h.keys["admin"].split("_")[1]
    assert h.client.get("/v1/epochs/101", headers=h.headers("trader")).status_code == 404


def test_oracle_keys_post_only_for_their_markets(harness: Harness) -> None:
    assert _post(harness, "/v1/epochs", {"epoch": 200, "market": "fx"}, "admin").status_code == 201
    refused = _snapshot(harness, 200)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "this oracle key does not serve market fx"
    fx_oracle = harness.add_key(Role.ORACLE, markets=["fx"])
    assert _snapshot(harness, 200, key=fx_oracle).status_code == 201
    assert _snapshot(harness, EPOCH, key=fx_oracle).status_code == 403


def test_an_old_snapshot_cannot_be_relabelled_as_a_new_epoch(harness: Harness) -> None:
    assert _snapshot(harness, EPOCH).status_code == 201
    old = tiny_snapshot_json(EPOCH)
    relabelled = _post(harness, "/v1/snapshots", {"epoch": EPOCH + 1,
                       "snapshot": old | {"epoch": EPOCH + 1}}, "oracle")  # fmt: skip
    assert relabelled.status_code == 422 and "relabelled" in relabelled.json()["detail"]
    unlabelled = {k: v for k, v in tiny_snapshot_json(EPOCH + 1).items() if k != "epoch"}
    no_epoch = _post(harness, "/v1/snapshots", {"epoch": EPOCH + 1, "snapshot": unlabelled},
                     "oracle")  # fmt: skip
    assert no_epoch.status_code == 422
    assert _snapshot(harness, EPOCH + 1).status_code == 201


def test_a_commitment_value_belongs_to_one_account_per_epoch(storage_harness: Harness) -> None:
    h = storage_harness
    assert _commit(h, "acct-1", 777).status_code == 201
    twice = _commit(h, "acct-2", 777)
    assert twice.status_code == 409 and "acct-1" not in twice.text
    assert _commit(h, "acct-2", 777, epoch=EPOCH + 1).status_code == 201


def test_a_wrong_commitment_is_voided_by_its_poster_before_any_proof(
    storage_harness: Harness, simulating_key: SimulatingKey
) -> None:
    h = storage_harness
    _ready(h, simulating_key)
    digest = int(_snapshot(h).json()["snapshot_hash"])
    assert _commit(h, "acct-1", 1234).status_code == 201
    void = f"/v1/commitments/acct-1/{EPOCH}/void"
    colleague = h.add_key(Role.VENUE, venue=VENUE)
    assert _post(h, void, {"reason": "typo"}, key=colleague).status_code == 403
    rival = h.add_key(Role.VENUE, venue=OTHER_VENUE)
    assert _post(h, void, {"reason": "typo"}, key=rival).status_code == 404
    voided = _post(h, void, {"reason": "typo in C"}, "venue")
    assert voided.status_code == 200, voided.text
    assert (voided.json()["value"], voided.json()["reason"]) == ("1234", "typo in C")
    assert h.client.get(f"/v1/commitments/acct-1/{EPOCH}", headers=h.headers("trader"))\
        .status_code == 404  # fmt: skip
    assert _commit(h, "acct-1", 1111).status_code == 201
    assert _submit(h, simulating_key, "acct-1", [1111, digest, 0, 1_000_000]).status_code == 201
    late = _post(h, void, {"reason": "too late"}, "admin")
    assert late.status_code == 409 and "immutable" in late.json()["detail"]
    audit = h.client.get("/v1/audit", headers=h.headers("auditor")).json()
    voids = [e for e in audit if e["action"] == "commitment.void"]
    assert len(voids) == 1 and voids[0]["detail"] == {"commitment": "1234", "reason": "typo in C"}
    assert voids[0]["target"] == f"account=acct-1 epoch={EPOCH}"


def test_a_wrong_snapshot_is_voided_and_reposted_and_caches_follow(
    storage_harness: Harness, simulating_key: SimulatingKey
) -> None:
    h = storage_harness
    _ready(h, simulating_key)
    wrong = int(_snapshot(h, timestamp=1_700_000_000 + 3600 * EPOCH - 1).json()["snapshot_hash"])
    assert _commit(h, "acct-1", 1111).status_code == 201
    # Warm the service's caches with the wrong snapshot (refused by policy, nothing stored).
    assert _submit(h, simulating_key, "acct-1", [1111, wrong, 7, 1_000_000]).status_code == 422
    void = f"/v1/snapshots/{EPOCH}/void"
    assert _post(h, void, {"reason": "x"}, key=h.add_key(Role.ORACLE, markets=["default"]))\
        .status_code == 403  # fmt: skip
    assert _post(h, void, {"reason": "stale marks"}, "oracle").status_code == 200
    stale = _submit(h, simulating_key, "acct-1", [1111, wrong, 0, 1_000_000])
    assert stale.status_code == 422 and "voided" in stale.json()["detail"]
    right = int(_snapshot(h).json()["snapshot_hash"])
    assert right != wrong
    assert _submit(h, simulating_key, "acct-1", [1111, right, 0, 1_000_000]).status_code == 201
    assert _post(h, void, {"reason": "too late"}, "oracle").status_code == 409
    audit = h.client.get("/v1/audit", headers=h.headers("auditor")).json()
    assert [e["detail"]["snapshot_hash"] for e in audit if e["action"] == "snapshot.void"] == [
        str(wrong)
    ]


def test_keys_create_takes_the_scope_each_role_needs(tmp_path: Any, capsys: Any) -> None:
    from api.auth import authenticate
    from api.db import make_engine, make_session_factory
    from zkmargin.cli import main as zkm

    db = f"sqlite:///{tmp_path}/keys.db"
    refusals = {
        ("--role", "venue"): "a venue key needs its --venue",
        ("--role", "oracle"): "an oracle key needs at least one --market",
        ("--role", "trader", "--account", "a", "--venue", "v"): "only venue keys take --venue",
        ("--role", "venue", "--venue", "v", "--account", "a"): "only trader keys take --account",
    }
    for args, message in refusals.items():
        assert zkm(["keys", "create", *args, "--db", db]) == 2
        assert message in capsys.readouterr().err
    assert zkm(["keys", "create", "--role", "venue", "--venue", "v", "--db", db]) == 0
    venue_key = capsys.readouterr().out.strip().splitlines()[-1]
    args = ["keys", "create", "--role", "oracle", "--market", "fx", "--market", "eq", "--db", db]
    assert zkm(args) == 0
    oracle_key = capsys.readouterr().out.strip().splitlines()[-1]
    engine = make_engine(db)
    with make_session_factory(engine)() as session:
        venue = authenticate(session, venue_key)
        oracle = authenticate(session, oracle_key)
    engine.dispose()
    assert venue is not None and venue.venue_id == "v"
    assert oracle is not None and oracle.markets == frozenset({"fx", "eq"})


def test_a_configured_schedule_opens_the_current_and_next_epoch_only(tmp_path: Any) -> None:
    import time

    from tests.api.conftest import make_harness

    hour = 3600
    current = 1000
    origin = int(time.time()) - current * hour - 10  # epoch 1000 began 10 s ago
    for h in make_harness(f"sqlite:///{tmp_path}/s.db", epoch_seconds=hour, epoch_origin=origin):
        assert _snapshot(h, current).status_code == 201
        assert _commit(h, "acct-1", 5, epoch=current + 1).status_code == 201
        ahead = _commit(h, "acct-1", 6, epoch=current + 2)
        assert ahead.status_code == 422 and "not open" in ahead.json()["detail"]
        opened = h.client.get(f"/v1/epochs/{current}", headers=h.headers("auditor")).json()
        assert (opened["opened_by"], opened["market"]) == ("schedule", "default")
        audit = h.client.get("/v1/audit", headers=h.headers("auditor")).json()
        assert [e["target"] for e in audit if e["action"] == "epoch.open"] == [
            f"epoch={current}",
            f"epoch={current + 1}",
        ]
