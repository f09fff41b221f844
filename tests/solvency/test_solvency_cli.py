"""``zkm solvency`` end to end on tiny accounts: setup → prove → verify → inclusion, the
tamper table (each refused with its finding), resumption and a 2-worker Dask cluster."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from circuits.margin.loading import dump_json
from circuits.solvency.reference import venue_totals
from tests.conftest import require
from tests.solvency.fixtures import random_openings, tiny_snapshot
from zkmargin.cli import main
from zkmargin.solvency.bundle import read_statement
from zkmargin.solvency.keys import load_verifying_key
from zkmargin.solvency.registry import load_registry
from zkmargin.solvency.verify import SolvencyReport, verify_bundle

N_ACCOUNTS = 5
CHUNK = 2
RICH = str(10**15)


@pytest.fixture(scope="module")
def venue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Openings, snapshots (epochs 1 and 2), registry, dev keys and a proven epoch-1 bundle."""
    root = tmp_path_factory.mktemp("solvency")
    snapshot = tiny_snapshot()
    (root / "snapshot.json").write_text(dump_json(snapshot))
    (root / "snapshot2.json").write_text(dump_json(tiny_snapshot(epoch=2)))
    openings = random_openings(snapshot, N_ACCOUNTS, seed=21)
    (root / "openings").mkdir()
    for k, opening in enumerate(openings):
        (root / "openings" / f"a{k}.json").write_text(dump_json(opening))
    _write_registry(root / "registry.json", [o.commitment for o in openings])
    assert main(["solvency", "setup", "--size", "tiny", "--chunk", str(CHUNK),
                 "--keys", str(root / "keys")]) == 0  # fmt: skip
    assert _prove(root, "bundle") == 0
    return root


def _write_registry(path: Path, commitments: list[int], epoch: int = 1) -> None:
    path.write_text(json.dumps({"epoch": epoch, "commitments": [str(c) for c in commitments]}))


def _prove(root: Path, out: str, *extra: str) -> int:
    return main(["solvency", "prove", "--epoch", "1", "--accounts", str(root / "openings"),
                 "--snapshot", str(root / "snapshot.json"), "--keys", str(root / "keys"),
                 "--out", str(root / out), "--quiet", *extra])  # fmt: skip


def _verify_cli(root: Path, bundle: Path, *extra: str) -> int:
    return main(["solvency", "verify", str(bundle), "--snapshot", str(root / "snapshot.json"),
                 "--keys", str(root / "keys"), "--registry", str(root / "registry.json"),
                 "--reserves", RICH, "--insurance", "0", *extra])  # fmt: skip


def _report(root: Path, bundle: Path, snapshot: str = "snapshot.json") -> SolvencyReport:
    from circuits.margin.loading import load_snapshot

    return verify_bundle(
        bundle, load_verifying_key(root / "keys"), load_snapshot(root / snapshot),
        reserves=10**15, insurance=0, registry=load_registry(root / "registry.json", 1),
    )  # fmt: skip


def _copy(venue: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(venue / "bundle", tmp_path / "bundle"))


def _edit_statement(bundle: Path, change: Any) -> None:
    path = bundle / "statement.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_valid_bundle_verifies_with_the_reference_totals(venue: Path, tmp_path: Path) -> None:
    from circuits.margin.loading import load_opening

    report = _report(venue, venue / "bundle")
    assert report.findings == [] and report.verdict() == "SOLVENT"
    openings = [load_opening(p) for p in sorted((venue / "openings").glob("*.json"))]
    assert report.totals == venue_totals([o.state for o in openings], tiny_snapshot())
    assert report.totals.deficit > 0 and report.totals.count == N_ACCOUNTS
    out = tmp_path / "r.json"
    html = tmp_path / "r.html"
    assert (
        _verify_cli(venue, venue / "bundle", "--json-out", str(out), "--html-out", str(html)) == 0
    )
    data = json.loads(out.read_text())
    assert data["verdict"] == "SOLVENT" and data["registry_checked"] is True
    assert "SOLVENT" in html.read_text()


def test_insolvent_venue_exits_1(venue: Path) -> None:
    assert main(["solvency", "verify", str(venue / "bundle"), "--snapshot",
                 str(venue / "snapshot.json"), "--keys", str(venue / "keys"),
                 "--reserves", "1", "--insurance", "0"]) == 1  # fmt: skip


def test_bundle_reveals_no_state_or_salt(venue: Path) -> None:
    from circuits.margin.loading import load_opening

    text = "".join(p.read_text() for p in (venue / "bundle").rglob("*.json"))
    for path in (venue / "openings").glob("*.json"):
        assert str(load_opening(path).salt) not in text


def test_account_left_out_is_refused(venue: Path, tmp_path: Path) -> None:
    registry = load_registry(venue / "registry.json", 1)
    _write_registry(tmp_path / "registry.json", [*registry, 12345])
    code = main(["solvency", "verify", str(venue / "bundle"), "--snapshot",
                 str(venue / "snapshot.json"), "--keys", str(venue / "keys"),
                 "--registry", str(tmp_path / "registry.json"), "--reserves", RICH,
                 "--insurance", "0"])  # fmt: skip
    assert code == 1


def test_proven_bundle_that_leaves_an_account_out_is_refused(venue: Path, tmp_path: Path) -> None:
    root = tmp_path / "venue"
    shutil.copytree(venue, root, ignore=shutil.ignore_patterns("bundle"))
    (root / "openings" / "a0.json").unlink()
    assert _prove(root, "partial") == 0
    report = _report(venue, root / "partial")
    assert any("left out" in f for f in report.findings)


@pytest.mark.parametrize(
    ("tamper", "finding"),
    [
        ("counted_twice", "listed twice"),
        ("dummy", "not registered"),
        ("wrong_commitment", "not registered"),
        ("reordered_chunks", "covers other commitments"),
        ("forged_totals", "opening of the final accumulator"),
        ("forged_acc_out", "acc_in does not continue"),
        ("dropped_chunk", "chunk proofs for"),
        ("swapped_proof", "does not verify"),
        ("other_snapshot_hash", "another snapshot"),
    ],
)
def test_tampered_bundle_is_refused_with_a_finding(
    venue: Path, tmp_path: Path, tamper: str, finding: str
) -> None:
    bundle = _copy(venue, tmp_path)
    _TAMPERS[tamper](bundle)
    report = _report(venue, bundle)
    assert report.verdict() == "INVALID"
    assert any(finding in f for f in report.findings), report.findings
    assert _verify_cli(venue, bundle) == 1


def test_snapshot_of_another_epoch_is_refused(venue: Path) -> None:
    report = _report(venue, venue / "bundle", snapshot="snapshot2.json")
    assert any("epoch 2" in f for f in report.findings)
    assert any("snapshot hash" in f for f in report.findings)


def _counted_twice(bundle: Path) -> None:
    _edit_statement(bundle, lambda d: d["commitments"].insert(1, d["commitments"][0]))


def _dummy(bundle: Path) -> None:
    _edit_statement(bundle, lambda d: d["commitments"].append(str(int(d["commitments"][-1]) + 1)))


def _wrong_commitment(bundle: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["commitments"][-1] = str(int(d["commitments"][-1]) + 1)

    _edit_statement(bundle, change)


def _reordered_chunks(bundle: Path) -> None:
    a, b = bundle / "chunks" / "000000.json", bundle / "chunks" / "000001.json"
    da, db = json.loads(a.read_text()), json.loads(b.read_text())
    da["index"], db["index"] = 1, 0
    a.write_text(json.dumps(db))
    b.write_text(json.dumps(da))


def _forged_totals(bundle: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["totals"]["liabilities"] = str(int(d["totals"]["liabilities"]) - 1)

    _edit_statement(bundle, change)


def _forged_acc_out(bundle: Path) -> None:
    path = bundle / "chunks" / "000000.json"
    data = json.loads(path.read_text())
    data["public"][1] = str(int(data["public"][1]) + 1)
    path.write_text(json.dumps(data))


def _dropped_chunk(bundle: Path) -> None:
    (bundle / "chunks" / "000002.json").unlink()


def _swapped_proof(bundle: Path) -> None:
    a, b = bundle / "chunks" / "000000.json", bundle / "chunks" / "000001.json"
    da, db = json.loads(a.read_text()), json.loads(b.read_text())
    da["proof"], db["proof"] = db["proof"], da["proof"]
    a.write_text(json.dumps(da))
    b.write_text(json.dumps(db))


def _other_snapshot_hash(bundle: Path) -> None:
    path = bundle / "chunks" / "000001.json"
    data = json.loads(path.read_text())
    data["public"][3] = str(int(data["public"][3]) + 1)
    path.write_text(json.dumps(data))


_TAMPERS = {
    "counted_twice": _counted_twice,
    "dummy": _dummy,
    "wrong_commitment": _wrong_commitment,
    "reordered_chunks": _reordered_chunks,
    "forged_totals": _forged_totals,
    "forged_acc_out": _forged_acc_out,
    "dropped_chunk": _dropped_chunk,
    "swapped_proof": _swapped_proof,
    "other_snapshot_hash": _other_snapshot_hash,
}


def test_inclusion_of_every_account_and_of_no_other(venue: Path) -> None:
    statement = read_statement(venue / "bundle")
    for c in statement.commitments:
        assert main(["solvency", "inclusion", str(venue / "bundle"), "--commitment", str(c)]) == 0
    assert main(["solvency", "inclusion", str(venue / "bundle"), "--commitment", "7"]) == 1


def test_inclusion_proof_round_trips_and_an_internal_node_as_leaf_is_refused(
    venue: Path, tmp_path: Path
) -> None:
    """A trader keeps their path; the same path from the parent node (a shorter proof that an
    unseparated tree would accept) is refused, as is the node given as a commitment."""
    from circuits.solvency.epoch import epoch_tree
    from circuits.std.merkle import merkle_root

    bundle = str(venue / "bundle")
    statement = read_statement(venue / "bundle")
    c = statement.commitments[2]
    proof = tmp_path / "proof.json"
    assert main(["solvency", "inclusion", bundle, "--commitment", str(c),
                 "--proof-out", str(proof)]) == 0  # fmt: skip
    assert main(["solvency", "inclusion", bundle, "--commitment", str(c),
                 "--proof", str(proof)]) == 0  # fmt: skip
    document = json.loads(proof.read_text())
    tree = epoch_tree(statement.commitments, statement.chunk)
    node = tree.levels[1][document["leaf_index"] // 2]
    upper = {**document, "leaf_index": document["leaf_index"] // 2,
             "siblings": document["siblings"][1:], "bits": document["bits"][1:]}  # fmt: skip
    upper_siblings = [int(v) for v in upper["siblings"]]
    assert merkle_root(node, upper_siblings, upper["bits"]) == statement.list_root
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(upper))
    assert main(["solvency", "inclusion", bundle, "--commitment", str(node),
                 "--proof", str(forged)]) == 1  # fmt: skip
    padded = {**upper, "siblings": ["0", *upper["siblings"]], "bits": [0, *upper["bits"]]}
    forged.write_text(json.dumps(padded))
    assert main(["solvency", "inclusion", bundle, "--commitment", str(node),
                 "--proof", str(forged)]) == 1  # fmt: skip
    assert main(["solvency", "inclusion", bundle, "--commitment", str(node)]) == 1
    other_epoch = {**document, "epoch": statement.epoch + 1}
    forged.write_text(json.dumps(other_epoch))
    assert main(["solvency", "inclusion", bundle, "--commitment", str(c),
                 "--proof", str(forged)]) == 2  # fmt: skip


def test_statement_of_the_unseparated_list_tree_is_refused(venue: Path, tmp_path: Path) -> None:
    bundle = _copy(venue, tmp_path)
    _edit_statement(bundle, lambda data: data.update(version=1))
    c = read_statement(venue / "bundle").commitments[0]
    assert main(["solvency", "inclusion", str(bundle), "--commitment", str(c)]) == 2


def test_verified_epoch_is_attested_on_chain_through_the_cli(
    venue: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """verify --json-out → attest (the auditor's EIP-712 signature) → postEpoch + attest on the
    exported contract; an INVALID report or a bad key is refused with exit 2."""
    from eth_account import Account

    from tests.conftest import npm_tool
    from tests.onchain.evm import Chain, compile_solidity
    from zkmargin.solvency.attestation import CONTRACT_NAME, statement_from_json

    report = tmp_path / "report.json"
    assert _verify_cli(venue, venue / "bundle", "--json-out", str(report)) == 0
    source = tmp_path / "SolvencyAttestation.sol"
    assert main(["solvency", "export-contract", str(source)]) == 0
    key = tmp_path / "auditor.key"
    key.write_text("0x" + "5a" * 32 + "\n")
    auditor = Account.from_key(bytes([0x5A]) * 32).address
    chain = Chain()
    compiled = compile_solidity(npm_tool("solcjs"), source.read_text(), CONTRACT_NAME)
    contract = chain.deploy(compiled, chain.accounts[1], [auditor])
    signed = tmp_path / "signature.json"
    capsys.readouterr()
    assert main(["solvency", "attest", str(report), "--key", str(key), "--chain-id",
                 str(chain.w3.eth.chain_id), "--contract", contract.address,
                 "--out", str(signed)]) == 0  # fmt: skip
    assert "5a5a" not in capsys.readouterr().out + signed.read_text()  # the key never leaks
    document = json.loads(signed.read_text())
    assert document["signer"] == auditor
    statement = statement_from_json(document["statement"])
    assert statement.list_root == read_statement(venue / "bundle").list_root
    chain.transact(contract.functions.postEpoch(statement.as_tuple()), sender=1)
    assert "0x" + bytes(contract.functions.digestOf(1).call()).hex() == document["digest"]
    signature = bytes.fromhex(document["signature"][2:])
    chain.transact(contract.functions.attest(1, [signature]), sender=2)
    assert contract.functions.isSolvent(1).call() is True

    invalid = json.loads(report.read_text())
    invalid.update(valid=False, verdict="INVALID")
    (tmp_path / "invalid.json").write_text(json.dumps(invalid))
    base = ["--chain-id", "1", "--contract", contract.address]
    assert main(["solvency", "attest", str(tmp_path / "invalid.json"), "--key", str(key),
                 *base]) == 2  # fmt: skip
    key.write_text("not a key")
    assert main(["solvency", "attest", str(report), "--key", str(key), *base]) == 2
    key.write_text("00" * 32)  # zero is not a secp256k1 key
    assert main(["solvency", "attest", str(report), "--key", str(key), *base]) == 2


def test_attest_without_the_onchain_extra_names_it(tmp_path: Path) -> None:
    from tests.cli.test_extras_cli import _zkm_without

    report = {
        "valid": True, "verdict": "SOLVENT", "registry_checked": True, "epoch": 1,
        "list_root": "5", "snapshot_hash": "7", "reserves": "9", "insurance": "0",
        "totals": {"liabilities": "1", "deficit": "0", "at_risk": "0", "maintenance": "1",
                   "initial": "1", "count": "1"},
        "key_fingerprint": "ab" * 32,
    }  # fmt: skip
    (tmp_path / "report.json").write_text(json.dumps(report))
    (tmp_path / "key").write_text("11" * 32)
    done = _zkm_without(
        ["eth_account", "eth_utils"], "solvency", "attest", str(tmp_path / "report.json"),
        "--key", str(tmp_path / "key"), "--chain-id", "1", "--contract", "0x" + "22" * 20,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "zkmargin[onchain]" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "missing", "--snapshot", "x.json", "--keys", "k", "--reserves", "1",
         "--insurance", "0"],
        ["inclusion", "missing", "--commitment", "1"],
        ["inclusion", "missing", "--commitment", "abc"],
        ["setup", "--size", "tiny", "--chunk", "3", "--keys", "k"],
        ["setup", "--size", "huge", "--chunk", "2", "--keys", "k"],
    ],
)  # fmt: skip
def test_bad_input_exits_2(args: list[str], tmp_path: Path) -> None:
    assert main(["solvency", *args]) == 2


def test_registry_of_another_epoch_exits_2(venue: Path, tmp_path: Path) -> None:
    registry = load_registry(venue / "registry.json", 1)
    _write_registry(tmp_path / "registry.json", sorted(registry), epoch=2)
    code = main(["solvency", "verify", str(venue / "bundle"), "--snapshot",
                 str(venue / "snapshot.json"), "--keys", str(venue / "keys"),
                 "--registry", str(tmp_path / "registry.json"), "--reserves", RICH,
                 "--insurance", "0"])  # fmt: skip
    assert code == 2


def test_prove_refuses_keys_of_another_circuit_version(venue: Path, tmp_path: Path) -> None:
    root = tmp_path
    shutil.copytree(venue / "keys", root / "keys")
    meta = json.loads((root / "keys" / "solvency.json").read_text())
    meta["n_constraints"] -= 36
    (root / "keys" / "solvency.json").write_text(json.dumps(meta))
    for name in ("openings", "snapshot.json"):
        (root / name).symlink_to(venue / name)
    assert _prove(root, "stale") == 2
    assert not (root / "stale").exists()


def test_prove_refuses_keys_of_the_unseparated_list_tree(venue: Path, tmp_path: Path) -> None:
    """Same constraint count, other list tree: the version in solvency.json tells them apart."""
    root = tmp_path
    shutil.copytree(venue / "keys", root / "keys")
    meta = json.loads((root / "keys" / "solvency.json").read_text())
    assert meta["list_tree"] == 2
    del meta["list_tree"]
    (root / "keys" / "solvency.json").write_text(json.dumps(meta))
    for name in ("openings", "snapshot.json"):
        (root / name).symlink_to(venue / name)
    assert _prove(root, "stale") == 2


def test_prove_resumes_keeping_finished_chunks(venue: Path, tmp_path: Path) -> None:
    bundle = _copy(venue, tmp_path)
    kept = {p.name: p.read_text() for p in (bundle / "chunks").glob("*.json")}
    (bundle / "chunks" / "000001.json").unlink()
    root = bundle.parent
    for name in ("openings", "keys", "snapshot.json"):
        (root / name).symlink_to(venue / name)
    assert _prove(root, "bundle") == 0
    assert (bundle / "chunks" / "000000.json").read_text() == kept["000000.json"]
    assert (bundle / "chunks" / "000001.json").read_text() != kept["000001.json"]  # re-proven
    assert _report(venue, bundle).verdict() == "SOLVENT"


def test_prove_refuses_a_bundle_of_another_statement(venue: Path, tmp_path: Path) -> None:
    bundle = _copy(venue, tmp_path)
    _forged_totals(bundle)
    root = bundle.parent
    for name in ("openings", "keys", "snapshot.json"):
        (root / name).symlink_to(venue / name)
    assert _prove(root, "bundle") == 2


def test_dask_local_cluster_proves_the_same_epoch(venue: Path, tmp_path: Path) -> None:
    require(importlib.util.find_spec("distributed") is not None, "dask.distributed")
    root = tmp_path
    for name in ("openings", "keys", "snapshot.json"):
        (root / name).symlink_to(venue / name)
    assert _prove(root, "dask", "--dask", "local:2") == 0
    assert read_statement(root / "dask") == read_statement(venue / "bundle")
    assert _report(venue, root / "dask").verdict() == "SOLVENT"
