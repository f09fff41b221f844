"""The audit pipeline on files: exact invalid ids, malformed entries, directories, keys, samples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.audit.fixtures import (
    Entry,
    break_pairing,
    off_curve_json,
    swap_c,
    write_jsonl,
)
from tests.verifier.vectors import ToyKey
from verifier.audit.sources import SourceError, open_source
from verifier.batch import FAILED_PAIRING
from verifier.snarkjs_json import proof_to_json
from zkmargin.audit.report import AuditReport
from zkmargin.audit.run import AuditOptions, KeyMismatchError, run_audit
from zkmargin.audit.stats import buffer_bin


def audit_file(key: ToyKey, path: Path, **options: Any) -> AuditReport:
    source = open_source(path)
    return run_audit(
        key.vk, source.items(), source=source.description, options=AuditOptions(**options)
    )


def invalid_ids(report: AuditReport) -> dict[str, str]:
    return {entry.item_id: entry.kind for entry in report.invalid}


def test_audit_names_exactly_the_invalid_proofs_among_many(
    key: ToyKey, pool: list[Entry], tmp_path: Path
) -> None:
    lines = [entry.to_json() for entry in pool]
    lines[7] = break_pairing(pool[7]).to_json()
    lines[130] = swap_c(pool[130], pool[131]).to_json()
    lines[131] = swap_c(pool[131], pool[130]).to_json()
    lines[299] = break_pairing(pool[299]).to_json()
    report = audit_file(key, write_jsonl(tmp_path / "p.jsonl", lines), chunk_size=64)
    assert invalid_ids(report) == {
        "p00007": "verification",
        "p00130": "verification",
        "p00131": "verification",
        "p00299": "verification",
    }
    assert report.valid == 296 and report.checked == report.entries == 300
    assert all(entry.reason == FAILED_PAIRING for entry in report.invalid)
    assert [e.position for e in report.invalid] == [7, 130, 131, 299]


def test_malformed_entries_are_invalid_items_not_crashes(
    key: ToyKey, pool: list[Entry], tmp_path: Path
) -> None:
    no_public = {"id": "no-public", "proof": proof_to_json(pool[0].proof)}
    big_input = pool[1].to_json() | {"id": "big-input"}
    big_input["public"][3] = str(2**254)
    short = pool[2].to_json() | {"id": "short-inputs"}
    short["public"] = short["public"][:3]
    bad_shape = pool[3].to_json() | {"id": "bad-b"}
    bad_shape["proof"]["pi_b"] = [["1", "2"]]
    lines: list[dict[str, Any] | str] = [
        pool[10].to_json(),
        "{oops",
        "",
        "[1, 2]",
        no_public,
        big_input,
        short,
        bad_shape,
        off_curve_json(pool[4]) | {"id": "off-curve"},
        pool[11].to_json(),
    ]
    report = audit_file(key, write_jsonl(tmp_path / "m.jsonl", lines), chunk_size=4)
    reasons = {entry.item_id: entry.reason for entry in report.invalid}
    assert set(reasons) == {
        "line 2",
        "line 4",
        "no-public",
        "big-input",
        "short-inputs",
        "bad-b",
        "off-curve",
    }
    assert "not valid JSON" in reasons["line 2"]
    assert "not a JSON object" in reasons["line 4"]
    assert "'public'" in reasons["no-public"]
    assert "public[3]" in reasons["big-input"]
    assert "expected 4 public inputs" in reasons["short-inputs"]
    assert "pi_b" in reasons["bad-b"]
    assert "not on the curve" in reasons["off-curve"]
    assert all(entry.kind == "malformed" for entry in report.invalid)
    assert report.valid == 2 and report.entries == 9


def test_directory_source_reads_proof_and_public_pairs(
    key: ToyKey, pool: list[Entry], tmp_path: Path
) -> None:
    for entry in [pool[0], break_pairing(pool[1]), pool[2]]:
        folder = tmp_path / entry.item_id
        folder.mkdir()
        (folder / "proof.json").write_text(json.dumps(proof_to_json(entry.proof)))
        (folder / "public.json").write_text(json.dumps([str(x) for x in entry.public]))
    (tmp_path / "lonely").mkdir()
    (tmp_path / "lonely" / "proof.json").write_text(json.dumps(proof_to_json(pool[3].proof)))
    (tmp_path / "garbled").mkdir()
    (tmp_path / "garbled" / "proof.json").write_text("{")
    (tmp_path / "garbled" / "public.json").write_text("[]")
    report = audit_file(key, tmp_path)
    assert report.entries == 5 and report.valid == 2
    reasons = {entry.item_id: entry.reason for entry in report.invalid}
    assert reasons["p00001"] == FAILED_PAIRING
    assert "public.json" in reasons["lonely"]
    assert "not valid JSON" in reasons["garbled"]


def test_unreadable_sources_raise_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        open_source(tmp_path / "missing.jsonl")
    with pytest.raises(SourceError, match=r"no \*/proof\.json"):
        open_source(tmp_path)


def test_key_with_another_input_count_is_rejected(
    key: ToyKey, pool: list[Entry], tmp_path: Path
) -> None:
    lines = [entry.to_json() for entry in pool[:5]]
    for line in lines:
        line["public"] = line["public"][:2]
    with pytest.raises(KeyMismatchError, match="4 public inputs"):
        audit_file(key, write_jsonl(tmp_path / "w.jsonl", lines))


def test_sample_audits_a_seeded_subset(key: ToyKey, pool: list[Entry], tmp_path: Path) -> None:
    lines = [entry.to_json() for entry in pool[:40]]
    path = write_jsonl(tmp_path / "s.jsonl", lines)
    first = audit_file(key, path, sample=10, seed=3)
    again = audit_file(key, path, sample=10, seed=3)
    assert first.checked == 10 and first.entries == 40
    assert first.sample == {"requested": 10, "seed": 3, "drawn_from": 40}
    assert first.to_json()["epochs"] == again.to_json()["epochs"]
    everything = audit_file(key, path, sample=100, seed=3)
    assert everything.checked == everything.entries == 40


def test_report_tallies_kinds_and_buffers_of_valid_proofs_per_epoch(
    key: ToyKey, pool: list[Entry], tmp_path: Path
) -> None:
    chosen = pool[:30]
    lines = [entry.to_json() for entry in chosen]
    lines[0] = break_pairing(chosen[0]).to_json()
    report = audit_file(key, write_jsonl(tmp_path / "t.jsonl", lines))
    epochs = {stats.epoch: stats for stats in report.epochs}
    assert list(epochs) == [100, 101, 102]
    valid = chosen[1:]
    for epoch, stats in epochs.items():
        mine = [e for e in valid if e.epoch == epoch]
        assert stats.valid == len(mine)
        assert stats.initial == sum(e.public[2] == 1 for e in mine)
        assert stats.maintenance == sum(e.public[2] == 0 for e in mine)
        expected = [0] * len(stats.buffers)
        for e in mine:
            expected[buffer_bin(e.public[3])] += 1
        assert stats.buffers == expected
    assert epochs[100].invalid == 1


def test_buffer_bins_edges() -> None:
    assert buffer_bin(999_999) == 0
    assert buffer_bin(1_000_000) == 1
    assert buffer_bin(1_249_999) == 2
    assert buffer_bin(1_250_000) == 3
    assert buffer_bin(10**18) == 6


def test_reference_backend_agrees_with_native_on_a_sample(
    key: ToyKey, pool: list[Entry], tmp_path: Path
) -> None:
    lines = [pool[20].to_json(), break_pairing(pool[21]).to_json(), off_curve_json(pool[22])]
    path = write_jsonl(tmp_path / "r.jsonl", lines)
    native = audit_file(key, path)
    reference = audit_file(key, path, backend="reference", sample=3, seed=1)
    assert reference.method.startswith("independent")
    assert invalid_ids(reference) == invalid_ids(native)
    assert reference.valid == native.valid == 1
    assert all(
        "not on the curve" in e.reason
        for e in reference.invalid + native.invalid
        if e.kind == "malformed"
    )
    assert invalid_ids(native) == {"p00021": "verification", "p00022": "malformed"}
