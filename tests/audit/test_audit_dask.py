"""Distributed audit: a 2-worker LocalCluster gives exactly the single-process verdicts."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from tests.audit.fixtures import Entry, break_pairing, off_curve_json, swap_c, write_jsonl
from tests.conftest import require
from tests.verifier.vectors import ToyKey
from verifier.audit.runners import ClusterError, DaskRunner, DaskSpec, LocalRunner, parse_dask_spec
from verifier.audit.sources import open_source
from zkmargin.audit.run import AuditOptions, run_audit


def test_parse_dask_spec_accepts_local_counts_and_addresses() -> None:
    assert parse_dask_spec("local:3") == DaskSpec(workers=3)
    assert parse_dask_spec("tcp://10.0.0.5:8786") == DaskSpec(address="tcp://10.0.0.5:8786")
    assert parse_dask_spec("local").workers is not None


@pytest.mark.parametrize("spec", ["local:0", "local:x", "local:999", "8786", "tcp://", "cluster"])
def test_parse_dask_spec_rejects_malformed_specs(spec: str) -> None:
    with pytest.raises(ClusterError):
        parse_dask_spec(spec)


def test_local_cluster_audit_matches_single_process(
    key: ToyKey, pool: list[Entry], tmp_path: Path
) -> None:
    require(importlib.util.find_spec("distributed") is not None, "dask.distributed")
    lines: list[dict[str, Any] | str] = [entry.to_json() for entry in pool[:200]]
    lines[3] = break_pairing(pool[3]).to_json()
    lines[77] = swap_c(pool[77], pool[5]).to_json()
    lines[150] = off_curve_json(pool[150])
    bad_decimal = pool[160].to_json()
    bad_decimal["proof"]["pi_c"][0] = "12x"
    lines[160] = bad_decimal  # a proof that does not parse: found by the worker when deferred
    both_bad = pool[170].to_json()
    both_bad["proof"]["pi_b"] = "nope"
    both_bad["public"] = ["-1", "2", "3", "4"]
    lines[170] = both_bad  # the proof's error wins, with or without deferral
    lines.insert(120, "not json")
    path = write_jsonl(tmp_path / "d.jsonl", lines)
    options = AuditOptions(chunk_size=16)

    def audit(runner: LocalRunner | DaskRunner, defer: bool) -> dict[str, Any]:
        items = open_source(path).items(defer_proofs=defer)
        report = run_audit(key.vk, items, source="d", options=options, runner=runner)
        out = report.to_json()
        return {name: out[name] for name in ("counts", "invalid", "epochs", "key")}

    single = audit(LocalRunner(), defer=False)
    assert audit(LocalRunner(), defer=True) == single
    with DaskRunner(DaskSpec(workers=2)) as runner:
        assert runner.workers == 2
        distributed = audit(runner, defer=True)
    assert distributed == single
    assert [e["id"] for e in single["invalid"]] == [
        "p00003",
        "p00077",
        "line 121",
        "p00150",
        "p00160",
        "p00170",
    ]
    assert single["invalid"][4]["kind"] == "malformed"
    assert "pi_c" in single["invalid"][4]["reason"]
    assert "pi_b" in single["invalid"][5]["reason"]


def test_cli_audits_on_an_existing_cluster_by_address(
    key: ToyKey, pool: list[Entry], tmp_path: Path
) -> None:
    require(importlib.util.find_spec("distributed") is not None, "dask.distributed")
    from distributed import LocalCluster

    from tests.audit.fixtures import write_vk
    from tests.conftest import REPO_ROOT
    from zkmargin.cli import main

    lines: list[dict[str, Any] | str] = [entry.to_json() for entry in pool[:40]]
    lines[31] = break_pairing(pool[31]).to_json()
    source = write_jsonl(tmp_path / "c.jsonl", lines)
    vk = write_vk(tmp_path / "vk.json", key)
    report = tmp_path / "r.json"
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        env={"PYTHONPATH": str(REPO_ROOT)},
    ) as cluster:
        argv = [
            "audit",
            "--vk",
            str(vk),
            str(source),
            "--dask",
            cluster.scheduler_address,
            "--chunk-size",
            "8",
            "--report",
            str(report),
            "-q",
        ]
        assert main(argv) == 1
    data = json.loads(report.read_text())
    assert data["runner"] == f"dask cluster {cluster.scheduler_address}"
    assert [e["id"] for e in data["invalid"]] == ["p00031"]
