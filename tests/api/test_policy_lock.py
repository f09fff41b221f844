"""Circuit declarations and retirements against the proofs in flight, across workers.

On PostgreSQL a declaration (or retirement) takes the margin policy lock exclusively and a
proof's insert takes it shared before reading the declared circuit (api.services.policy). A
second worker is played by a transaction of our own on the same database: while it holds
the lock as a declaration would, a proof submitted to the service waits, then reads the
declaration committed meanwhile and is refused; while it holds the lock as a proof insert
would, a declaration and a retirement wait for it. Without the lock the proof would be
stored under a circuit that no longer counts, and the declaration would not wait.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from api.models import CircuitPolicy, ProofRecord, utc_now
from api.services.policy_lock import lock_policy
from tests.api.conftest import Harness
from tests.api.fixtures import SimulatingKey, tiny_snapshot_json
from tests.api.locks import Call, someone_waits_for_the_lock

EPOCH = 5
HONEST, OTHER = "margin-a", "margin-b"


def _register(h: Harness, circuit_id: str, key: SimulatingKey) -> None:
    body = {"circuit_id": circuit_id, "verifying_key": key.vk_json}
    assert h.client.post("/v1/circuits", json=body, headers=h.headers("admin")).status_code == 201


def _post_state(h: Harness) -> int:
    """Post the epoch's snapshot and acct-1's commitment 1111; return the snapshot hash."""
    body = {"epoch": EPOCH, "snapshot": tiny_snapshot_json(EPOCH)}
    snapshot = h.client.post("/v1/snapshots", json=body, headers=h.headers("oracle"))
    assert snapshot.status_code == 201, snapshot.text
    commitment = {"account_id": "acct-1", "epoch": EPOCH, "commitment": "1111"}
    assert (
        h.client.post("/v1/commitments", json=commitment, headers=h.headers("venue")).status_code
        == 201
    )
    return int(snapshot.json()["snapshot_hash"])


def _declaration(h: Harness, circuit_id: str) -> dict[str, Any]:
    return {"circuit_id": circuit_id, "from_epoch": EPOCH, "to_epoch": EPOCH}


def _fingerprint(h: Harness, circuit_id: str) -> str:
    answer = h.client.get(f"/v1/circuits/{circuit_id}", headers=h.headers("admin"))
    return str(answer.json()["fingerprint"])


def test_a_proof_waits_for_a_declaration_in_flight_and_then_reads_it(
    postgres_harness: Harness,
) -> None:
    h = postgres_harness
    honest, other = SimulatingKey.generate(seed=1), SimulatingKey.generate(seed=2)
    _register(h, HONEST, honest)
    _register(h, OTHER, other)
    h.declare(HONEST, from_epoch=EPOCH, to_epoch=EPOCH)
    digest = _post_state(h)
    public = [1111, digest, 0, 1_000_000]
    body = {
        "account_id": "acct-1",
        "epoch": EPOCH,
        "circuit_id": HONEST,
        "proof": honest.prove(public),
        "public_inputs": [str(x) for x in public],
    }
    with Session(h.app.state.zkm.engine) as declaring:  # another worker declaring OTHER
        lock_policy(declaring, margin=True, exclusive=True)
        declaring.add(
            CircuitPolicy(
                circuit_id=OTHER, fingerprint=_fingerprint(h, OTHER), from_epoch=EPOCH,
                to_epoch=EPOCH, declared_by="worker-2", declared_at=utc_now(),
            )
        )  # fmt: skip
        declaring.flush()
        submit = Call(lambda: h.client.post("/v1/proofs", json=body, headers=h.headers("trader")))
        assert submit.waiting(
            h.app.state.zkm.engine
        )  # the insert waits for the declaration's transaction
        declaring.commit()
    answer = submit.result()
    assert answer.status_code == 422, answer.text
    assert f"circuit {HONEST!r} no longer counts at epoch {EPOCH}" in answer.json()["detail"]
    with h.app.state.zkm.sessions() as session:
        assert session.query(ProofRecord).count() == 0  # nothing stored under the old circuit


def test_a_declaration_and_a_retirement_wait_for_a_proof_in_flight(
    postgres_harness: Harness,
) -> None:
    h = postgres_harness
    _register(h, HONEST, SimulatingKey.generate(seed=1))
    _register(h, OTHER, SimulatingKey.generate(seed=2))
    cases: list[tuple[str, Callable[[], Any], int]] = [
        (
            "declare",
            lambda: h.client.post(
                "/v1/policy/margin-circuits",
                json=_declaration(h, HONEST),
                headers=h.headers("admin"),
            ),
            201,
        ),
        (
            "retire",
            lambda: h.client.post(f"/v1/circuits/{OTHER}/retire", headers=h.headers("admin")),
            200,
        ),
    ]
    for name, call, status in cases:
        with Session(h.app.state.zkm.engine) as inserting:  # a proof insert in flight
            lock_policy(inserting, margin=True, exclusive=False)
            made = Call(call)
            assert made.waiting(h.app.state.zkm.engine), name
            inserting.commit()
        answer = made.result()
        assert answer.status_code == status, (name, answer.text)


def test_proof_inserts_never_wait_for_each_other(postgres_harness: Harness) -> None:
    """The shared side: a second store's lock is granted while the first holds its own."""
    engine = postgres_harness.app.state.zkm.engine
    with Session(engine) as first, Session(engine) as second:
        lock_policy(first, margin=True, exclusive=False)
        taken = Call(lambda: lock_policy(second, margin=True, exclusive=False))
        taken.result()  # granted while the first holds its own
        assert not someone_waits_for_the_lock(engine, seconds=0.1)
        first.commit()
        second.commit()
