"""Published prover terms (``zkm margin terms``, ``zkm margin prove --terms``): made once by the
snapshot's publisher, checked by a proof; bound to the key, snapshot and kind they were made
for; untrusted by the trader (wrong terms never yield a bad proof)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from circuits.margin.errors import MarginInputError
from circuits.margin.loading import load_opening, load_snapshot
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from prover.prove import FixedWireSums
from zkmargin.cli import main
from zkmargin.margin.terms import (
    ProverTerms,
    compute_prover_terms,
    load_prover_terms,
    prover_terms_from_json,
)
from zkmargin.margin.workflow import prove_margin, verify_margin


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny sample, one compliant opening, dev keys, and a second key set (another δ)."""
    root = tmp_path_factory.mktemp("terms")
    assert main(["margin", "sample", "--out", str(root), "--size", "tiny", "--accounts", "2"]) == 0
    state = root / "accounts" / "account-000.json"
    assert main(["margin", "commit", str(state), "--out", str(root / "opening.json")]) == 0
    for name in ("keys", "other-keys"):
        assert main(["margin", "setup", "--size", "tiny", "--out", str(root / name), "--dev"]) == 0
    return root


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZKM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _prove(made: Path, terms: ProverTerms | None, notices: list[str] | None = None) -> bool:
    snapshot = load_snapshot(made / "snapshot.json")
    opening = load_opening(made / "opening.json", snapshot)
    sink = notices.append if notices is not None else None
    proof, public = prove_margin(
        opening, snapshot, made / "keys", REQUIREMENT_MAINTENANCE, 1_000_000,
        notice=sink, terms=terms,
    )  # fmt: skip
    return verify_margin(proof, public, snapshot, made / "keys", opening.commitment).valid


def test_published_terms_are_used_in_the_first_proof(made: Path, fresh_cache: Path) -> None:
    terms = compute_prover_terms(load_snapshot(made / "snapshot.json"), made / "keys", 0)
    shutil.rmtree(fresh_cache)  # the trader's machine: nothing cached
    assert _prove(made, terms)
    (entry,) = (fresh_cache / "shared-sums").glob("*.bin")
    assert entry.read_bytes() == terms.sums.to_bytes()
    assert entry.name == f"{terms.shared_key.hex()}.bin"


def test_terms_round_trip_through_their_file(made: Path, tmp_path: Path) -> None:
    terms = compute_prover_terms(load_snapshot(made / "snapshot.json"), made / "keys", 1)
    path = tmp_path / "terms.json"
    path.write_text(terms.to_json())
    assert load_prover_terms(path) == terms
    assert json.loads(path.read_text())["requirement_kind"] == "initial"


@pytest.mark.parametrize("mismatch", ["kind", "key", "snapshot"])
def test_terms_for_something_else_are_refused_before_proving(
    made: Path, tmp_path: Path, mismatch: str
) -> None:
    snapshot = load_snapshot(made / "snapshot.json")
    if mismatch == "kind":
        terms = compute_prover_terms(snapshot, made / "keys", REQUIREMENT_INITIAL)
        match = "another snapshot or requirement kind"
    elif mismatch == "key":
        terms = compute_prover_terms(snapshot, made / "other-keys", REQUIREMENT_MAINTENANCE)
        match = "another proving key"
    else:
        data = json.loads((made / "snapshot.json").read_text())
        data["epoch"] += 1
        (tmp_path / "other.json").write_text(json.dumps(data))
        terms = compute_prover_terms(load_snapshot(tmp_path / "other.json"), made / "keys", 0)
        match = "another snapshot or requirement kind"
    with pytest.raises(MarginInputError, match=match):
        _prove(made, terms)


def test_wrong_terms_never_yield_a_bad_proof(made: Path, fresh_cache: Path) -> None:
    """Valid points in the wrong places: the self-check catches them, the prover says so and
    proves without them (and does not keep them)."""
    good = compute_prover_terms(load_snapshot(made / "snapshot.json"), made / "keys", 0)
    s = good.sums
    bad = ProverTerms(good.requirement_kind, good.zkey_sha256, good.shared_key,
                      FixedWireSums(s.l_g1, s.b_g1, s.b_g2, s.a_g1))  # fmt: skip
    shutil.rmtree(fresh_cache)
    notices: list[str] = []
    assert _prove(made, bad, notices)
    assert any("did not fit" in line for line in notices)
    for entry in (fresh_cache / "shared-sums").glob("*.bin"):
        assert entry.read_bytes() != bad.sums.to_bytes()


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"format": "other"}, "not a zkmargin-prover-terms file"),
        ({"version": 2}, "version 2"),
        ({"extra": 1}, "unknown fields: extra"),
        ({"requirement_kind": "both"}, "maintenance or initial"),
        ({"zkey_sha256": "zz"}, "zkey_sha256 must be a hex string"),
        ({"shared_key": "00" * 31}, "shared_key must be 32 bytes"),
        ({"terms": "00" * 319}, "terms must be 320 bytes"),
        ({"terms": 5}, "terms must be a hex string"),
    ],
)
def test_malformed_terms_files_are_refused(
    made: Path, change: dict[str, object], match: str
) -> None:
    terms = compute_prover_terms(load_snapshot(made / "snapshot.json"), made / "keys", 0)
    data = {**json.loads(terms.to_json()), **change}
    with pytest.raises(MarginInputError, match=match):
        prover_terms_from_json(data)


def test_terms_from_the_shell(
    made: Path, tmp_path: Path, fresh_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The publisher writes the file; a trader with an empty cache proves with it; a file for
    the other kind is a one-line exit 2."""
    snapshot, keys = str(made / "snapshot.json"), str(made / "keys")
    for kind in ("maintenance", "initial"):
        out = str(tmp_path / f"{kind}.json")
        argv = ["margin", "terms", snapshot, "--keys", keys, "--kind", kind, "--out", out]
        assert main(argv) == 0
    shutil.rmtree(fresh_cache)
    prove = ["margin", "prove", str(made / "opening.json"), snapshot, "--keys", keys,
             "--out", str(tmp_path / "proof")]  # fmt: skip
    assert main([*prove, "--terms", str(tmp_path / "maintenance.json")]) == 0
    verify = ["margin", "verify", str(tmp_path / "proof"), snapshot, "--keys", keys]
    assert main(verify) == 0
    capsys.readouterr()
    assert main([*prove, "--terms", str(tmp_path / "initial.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert "another snapshot or requirement kind" in err and len(err.splitlines()) == 1
    assert main([*prove, "--terms", str(tmp_path / "missing.json")]) == 2
