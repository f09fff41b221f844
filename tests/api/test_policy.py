"""Circuit policy and key provenance: only the declared circuit counts, unsafe keys say so."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Harness, make_harness
from tests.api.fixtures import SimulatingKey, tiny_snapshot_json

EPOCH = 5
HONEST = "margin-v1"
ATTESTATION = {"attested_offline": True, "transcript_sha256": "ab" * 32}


def _register(h: Harness, circuit_id: str, key: SimulatingKey, **extra: Any) -> Any:
    body = {"circuit_id": circuit_id, "verifying_key": key.vk_json, **extra}
    return h.client.post("/v1/circuits", json=body, headers=h.headers("admin"))


def _submit(
    h: Harness, key: SimulatingKey, circuit_id: str, public: list[int], epoch: int = EPOCH
) -> Any:
    body = {
        "account_id": "acct-1",
        "epoch": epoch,
        "circuit_id": circuit_id,
        "proof": key.prove(public),
        "public_inputs": [str(x) for x in public],
    }
    return h.client.post("/v1/proofs", json=body, headers=h.headers("trader"))


def _post_state(h: Harness, epoch: int = EPOCH, commitment: int = 1111) -> int:
    """Post the epoch's snapshot and acct-1's commitment; return the snapshot hash."""
    snapshot = h.client.post(
        "/v1/snapshots",
        json={"epoch": epoch, "snapshot": tiny_snapshot_json(epoch)},
        headers=h.headers("oracle"),
    )
    assert snapshot.status_code == 201, snapshot.text
    body = {"account_id": "acct-1", "epoch": epoch, "commitment": str(commitment)}
    committed = h.client.post("/v1/commitments", json=body, headers=h.headers("venue"))
    assert committed.status_code == 201
    return int(snapshot.json()["snapshot_hash"])


def _status(h: Harness, epoch: int = EPOCH) -> dict[str, Any]:
    answer = h.client.get(
        "/v1/accounts/acct-1/status", params={"epoch": epoch}, headers=h.headers("clearing")
    )
    assert answer.status_code == 200
    result: dict[str, Any] = answer.json()
    return result


@pytest.fixture
def strict(tmp_path: Path) -> Iterator[Harness]:
    """The service as deployed: unsafe keys refused."""
    yield from make_harness(f"sqlite:///{tmp_path}/strict.db", allow_unsafe_keys=False)


def test_second_dev_circuit_cannot_buy_compliant(storage_harness: Harness) -> None:
    # Issue 13, item 1: a dev key left registered let a trader whose account cannot prove
    # get `compliant`, kind 1, buffer 5x, because any margin circuit counted.
    h = storage_harness
    honest, dev = SimulatingKey.generate(seed=1), SimulatingKey.generate(seed=2)
    assert _register(h, HONEST, honest).status_code == 201
    assert _register(h, "dev-left-behind", dev).status_code == 201
    h.declare(HONEST)
    digest = _post_state(h)
    forged = _submit(h, dev, "dev-left-behind", [1111, digest, 1, 5_000_000])
    assert forged.status_code == 422
    assert forged.json()["detail"] == (
        f"circuit 'dev-left-behind' does not count for margin statements at epoch {EPOCH}"
        f" (declared: {HONEST})"
    )
    status = _status(h)
    assert status["status"] == "missing" and status["verdict"]["circuit_id"] == HONEST
    entries = h.client.get("/v1/epochs/5/proofs", headers=h.headers("auditor")).text
    assert entries == ""


def test_unsafe_keys_are_refused_unless_allowed(strict: Harness) -> None:
    key = SimulatingKey.generate(seed=3)
    refused = _register(strict, HONEST, key)
    assert refused.status_code == 422
    assert "unsafe (dev) key" in refused.json()["detail"]
    assert "--allow-unsafe-keys" in refused.json()["detail"]
    claimed_only = _register(strict, HONEST, key, provenance="ceremony-verified")
    assert claimed_only.status_code == 422
    assert "needs a provenance record" in claimed_only.json()["detail"]
    marked = copy.deepcopy(key.vk_json) | {"zkm_provenance": "ceremony-verified"}
    body = {"circuit_id": HONEST, "verifying_key": marked}
    in_file_only = strict.client.post("/v1/circuits", json=body, headers=strict.headers("admin"))
    assert in_file_only.status_code == 422
    dev_file = copy.deepcopy(key.vk_json) | {"zkm_provenance": "dev"}
    body = {"circuit_id": HONEST, "verifying_key": dev_file, "provenance": "ceremony-verified",
            "ceremony": ATTESTATION}  # fmt: skip
    contradicted = strict.client.post("/v1/circuits", json=body, headers=strict.headers("admin"))
    assert contradicted.status_code == 422 and "contradicts" in contradicted.json()["detail"]
    half = _register(strict, HONEST, key, provenance="ceremony-verified",
                     ceremony={"attested_offline": True})  # fmt: skip
    assert half.status_code == 422
    assert strict.client.get("/v1/circuits", headers=strict.headers("admin")).json() == []


def test_admin_attested_key_records_who_attested_what(strict: Harness) -> None:
    key = SimulatingKey.generate(seed=4)
    created = _register(strict, HONEST, key, provenance="ceremony-verified", ceremony=ATTESTATION)
    assert created.status_code == 201, created.text
    circuit = created.json()
    admin_id = strict.keys["admin"].split("_")[1]
    assert (circuit["provenance"], circuit["unsafe"]) == ("ceremony-verified", False)
    record = circuit["provenance_record"]
    assert record["method"] == "admin-attested" and record["attested_by"] == admin_id
    assert record["transcript_sha256"] == ATTESTATION["transcript_sha256"]
    strict.declare(HONEST, fingerprint=circuit["fingerprint"])
    digest = _post_state(strict)
    submitted = _submit(strict, key, HONEST, [1111, digest, 0, 1_000_000])
    assert submitted.status_code == 201, submitted.text
    expected = {"circuit_id": HONEST, "fingerprint": circuit["fingerprint"],
                "provenance": "ceremony-verified", "unsafe": False, "warning": None}  # fmt: skip
    assert submitted.json()["verdict"] == expected
    assert _status(strict)["verdict"] == expected
    report = strict.client.get(f"/v1/epochs/{EPOCH}/report", headers=strict.headers("auditor"))
    assert report.json()["verdict"] == expected
    audit = strict.client.get("/v1/audit", headers=strict.headers("auditor")).json()
    registered = next(e for e in audit if e["action"] == "circuit.register")
    assert registered["detail"]["provenance_record"]["attested_by"] == admin_id


def test_unsafe_verdicts_say_unsafe_in_every_answer(harness: Harness) -> None:
    key = SimulatingKey.generate(seed=5)
    circuit = _register(harness, HONEST, key)
    assert circuit.status_code == 201 and circuit.json()["unsafe"] is True
    assert circuit.json()["provenance"] == "dev"
    harness.declare(HONEST)
    digest = _post_state(harness)
    submitted = _submit(harness, key, HONEST, [1111, digest, 0, 1_000_000]).json()
    stored = harness.client.get(
        f"/v1/proofs/{submitted['proof_id']}", headers=harness.headers("trader")
    ).json()
    report = harness.client.get(f"/v1/epochs/{EPOCH}/report", headers=harness.headers("auditor"))
    export = harness.client.get(f"/v1/epochs/{EPOCH}/proofs", headers=harness.headers("auditor"))
    line = json.loads(export.text.splitlines()[0])
    epoch = harness.client.get(f"/v1/epochs/{EPOCH}", headers=harness.headers("clearing")).json()
    answers = [submitted, stored, _status(harness), report.json(), line]
    for verdict in [a["verdict"] for a in answers] + [epoch["circuit"]]:
        assert verdict["unsafe"] is True and verdict["provenance"] == "dev"
        assert verdict["warning"].startswith("UNSAFE: circuit margin-v1 has a dev key")
        assert verdict["fingerprint"] == circuit.json()["fingerprint"]
    assert line["counts"] is True


def test_policy_follows_epoch_ranges_and_never_moves_existing_verdicts(
    storage_harness: Harness,
) -> None:
    h = storage_harness
    old, new = SimulatingKey.generate(seed=6), SimulatingKey.generate(seed=7)
    assert _register(h, "old", old).status_code == 201
    assert _register(h, "new", new).status_code == 201
    nothing = _submit(h, old, "old", [1, 2, 0, 1_000_000])
    assert nothing.status_code == 422
    assert nothing.json()["detail"] == (
        f"no circuit is declared for margin statements at epoch {EPOCH}"
    )
    h.declare("old", from_epoch=0)
    digest = _post_state(h)
    assert _submit(h, old, "old", [1111, digest, 0, 1_000_000]).status_code == 201
    h.declare("new", from_epoch=EPOCH + 1)
    policy = h.client.get("/v1/policy/margin-circuits", headers=h.headers("trader")).json()
    assert [(p["circuit_id"], p["from_epoch"]) for p in policy] == [("old", 0), ("new", EPOCH + 1)]
    assert _status(h)["status"] == "compliant" and _status(h)["verdict"]["circuit_id"] == "old"
    later = _post_state(h, epoch=EPOCH + 1, commitment=2222)
    assert _submit(h, old, "old", [2222, later, 0, 1_000_000], epoch=EPOCH + 1).status_code == 422
    assert _submit(h, new, "new", [2222, later, 0, 1_000_000], epoch=EPOCH + 1).status_code == 201
    moved = h.client.post(
        "/v1/policy/margin-circuits",
        json={"circuit_id": "new", "from_epoch": EPOCH},
        headers=h.headers("admin"),
    )
    assert moved.status_code == 409
    assert moved.json()["detail"] == f"epoch {EPOCH} already has verdicts under circuit old;" \
        " its circuit cannot change"  # fmt: skip
    wrong = h.client.post(
        "/v1/policy/margin-circuits",
        json={"circuit_id": "new", "from_epoch": 20, "fingerprint": "00" * 32},
        headers=h.headers("admin"),
    )
    assert wrong.status_code == 422 and "fingerprint" in wrong.json()["detail"]


def test_retired_circuit_takes_no_new_proofs_and_keeps_its_verdicts(harness: Harness) -> None:
    key = SimulatingKey.generate(seed=8)
    assert _register(harness, HONEST, key).status_code == 201
    harness.declare(HONEST)
    digest = _post_state(harness)
    assert _submit(harness, key, HONEST, [1111, digest, 0, 1_000_000]).status_code == 201
    retired = harness.client.post(f"/v1/circuits/{HONEST}/retire", headers=harness.headers("admin"))
    assert retired.status_code == 200 and retired.json()["retired_at"] is not None
    refused = _submit(harness, key, HONEST, [1111, digest, 1, 1_000_000])
    assert refused.status_code == 422
    assert refused.json()["detail"] == f"circuit '{HONEST}' is retired: it takes no new proofs"
    assert _status(harness)["status"] == "compliant"
    again = harness.client.post(
        "/v1/policy/margin-circuits",
        json={"circuit_id": HONEST, "from_epoch": 30},
        headers=harness.headers("admin"),
    )
    assert again.status_code == 422 and "retired" in again.json()["detail"]
    listed = harness.client.get(f"/v1/circuits/{HONEST}", headers=harness.headers("trader"))
    assert listed.json()["retired_at"] == retired.json()["retired_at"]


@pytest.fixture(scope="module")
def ceremony_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished power-4 ceremony for a tiny circuit: ptau, r1cs, initial and final zkeys."""
    from algebra.backend import get_backend
    from circuits.formats.r1cs_file import read_r1cs, write_r1cs
    from prover.ceremony.keys import entropy_rng
    from prover.ceremony.phase1 import contribute, new_ptau
    from prover.ceremony.phase2 import contribute_zkey
    from prover.ceremony.prepare import prepare_phase2
    from prover.setup import setup_from_ptau
    from prover.zkey import write_zkey
    from tests.prover.conftest import tiny_r1cs

    native = get_backend("native")
    root = tmp_path_factory.mktemp("ceremony")
    new_ptau(4, root / "pot0.ptau", backend=native)
    contribute(root / "pot0.ptau", root / "pot1.ptau", name="alice",
               rng=entropy_rng(None), backend=native)  # fmt: skip
    prepare_phase2(root / "pot1.ptau", root / "pot.ptau", backend=native)
    write_r1cs(tiny_r1cs(), root / "tiny.r1cs")
    initial = setup_from_ptau(read_r1cs(root / "tiny.r1cs"), root / "pot.ptau", backend=native)
    write_zkey(initial, root / "tiny_0.zkey", backend=native)
    contribute_zkey(root / "tiny_0.zkey", root / "tiny_1.zkey", name="bob",
                    rng=entropy_rng(None), backend=native)  # fmt: skip
    return root


def test_service_runs_zkey_verify_on_named_ceremony_files(
    ceremony_files: Path, tmp_path: Path
) -> None:
    from prover.zkey import read_zkey
    from verifier.snarkjs_json import verifying_key_to_json

    final_vk = verifying_key_to_json(read_zkey(ceremony_files / "tiny_1.zkey").vk)
    initial_vk = verifying_key_to_json(read_zkey(ceremony_files / "tiny_0.zkey").vk)
    files = {"zkey": "tiny_1.zkey", "r1cs": "tiny.r1cs", "ptau": "pot.ptau"}
    for h in make_harness(
        f"sqlite:///{tmp_path}/c.db", allow_unsafe_keys=False, ceremony_dir=str(ceremony_files)
    ):

        def register(vk: dict[str, Any], evidence: dict[str, Any], h: Harness = h) -> Any:
            body = {"circuit_id": "tiny", "verifying_key": vk, "margin": False,
                    "provenance": "ceremony-verified", "ceremony": evidence}  # fmt: skip
            return h.client.post("/v1/circuits", json=body, headers=h.headers("admin"))

        unfinished = register(initial_vk, {**files, "zkey": "tiny_0.zkey"})
        assert unfinished.status_code == 422
        # zkey verify itself refuses an uncontributed key (γ = δ = G2): anyone could forge.
        assert "zkey verify failed: no phase-2 contribution" in unfinished.json()["detail"]
        other_key = register(initial_vk, files)
        assert other_key.status_code == 422
        assert "not the key being registered" in other_key.json()["detail"]
        assert register(final_vk, {**files, "ptau": "../pot.ptau"}).status_code == 422
        absent = register(final_vk, {**files, "ptau": "absent.ptau"})
        assert absent.status_code == 422 and "no ceremony file" in absent.json()["detail"]
        created = register(final_vk, files)
        assert created.status_code == 201, created.text
        record = created.json()["provenance_record"]
        assert record["method"] == "verified-by-service"
        assert record["requested_by"] == h.keys["admin"].split("_")[1]
        import hashlib

        digest = hashlib.sha256((ceremony_files / "tiny_1.zkey").read_bytes()).hexdigest()
        assert record["transcript_sha256"] == digest
        assert created.json()["unsafe"] is False
