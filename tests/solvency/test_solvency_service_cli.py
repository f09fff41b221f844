"""``zkm solvency post`` and ``zkm solvency verify --service`` against a real HTTP service:
a registry that is not frozen is refused, a tampered bundle is refused with its findings and
nothing stored, a valid one is stored and checked against the frozen registry."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.auth import Role
from api.client import ServiceCallError, ZkmClient
from circuits.margin.loading import load_snapshot
from tests.solvency.service_bundle import EPOCH, N_COVERED, ProvenBundle, proven_bundle
from zkmargin.cli import main
from zkmargin.demo.server import InProcessService
from zkmargin.solvency.keys import VK_NAME

VENUE = "venue-cli"
CIRCUIT = "solvency-cli"
RICH = str(10**15)


@dataclass(frozen=True)
class Service:
    """The running service, its keys, and the session's bundle (commitments registered)."""

    url: str
    admin_key: str
    venue_key: str
    clearing_key: str
    proven: ProvenBundle


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    proven = proven_bundle()
    db = f"sqlite:///{tmp_path}/service.db"
    with InProcessService(db, tmp_path / "service.log", allow_unsigned_snapshots=True) as svc:
        accounts = [f"cli-{k}" for k in range(N_COVERED)]
        admin_key = svc.issue_key(Role.ADMIN)
        with ZkmClient(svc.url, admin_key) as admin:
            admin.open_epoch(EPOCH)
            admin.enroll_accounts(VENUE, accounts)
            vk = json.loads((proven.keys / VK_NAME).read_text())
            admin.register_circuit(CIRCUIT, vk, margin=False, provenance="dev")
            admin.declare_solvency_circuit(CIRCUIT, from_epoch=EPOCH)
        with ZkmClient(svc.url, svc.issue_key(Role.ORACLE, markets=["default"])) as oracle:
            snapshot = load_snapshot(proven.snapshot)
            oracle.post_snapshot(EPOCH, snapshot.model_dump(mode="json"))
        venue_key = svc.issue_key(Role.VENUE, venue=VENUE)
        with ZkmClient(svc.url, venue_key) as venue:
            for account, opening in zip(accounts, proven.openings, strict=False):
                venue.register_commitment(account, EPOCH, opening.commitment)
        yield Service(svc.url, admin_key, venue_key, svc.issue_key(Role.CLEARING), proven)


def _run(argv: list[str]) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(argv)
    return code, stdout.getvalue(), stderr.getvalue()


def _post(s: Service, bundle: Path, key: str, *extra: str) -> tuple[int, str, str]:
    return _run(["solvency", "post", str(bundle), "--service", s.url, "--api-key", key,
                 "--circuit", CIRCUIT, "--reserves", RICH, "--insurance", "0", *extra])  # fmt: skip


def _verify(s: Service, *extra: str) -> tuple[int, str, str]:
    p = s.proven
    return _run(["solvency", "verify", str(p.bundle), "--snapshot", str(p.snapshot), "--keys",
                 str(p.keys), "--reserves", RICH, "--insurance", "0", *extra])  # fmt: skip


def _service_args(s: Service) -> list[str]:
    return ["--service", s.url, "--venue", VENUE, "--api-key", s.clearing_key]


def test_verify_service_refuses_an_unfrozen_registry(service: Service) -> None:
    code, _, err = _verify(service, *_service_args(service))
    assert code == 2 and "not frozen" in err
    code, _, err = _post(service, service.proven.bundle, service.venue_key)
    assert code == 2 and "not frozen" in err


def test_post_tampered_bundle_prints_findings_and_stores_nothing(
    service: Service, tmp_path: Path
) -> None:
    tampered = Path(shutil.copytree(service.proven.bundle, tmp_path / "tampered"))
    statement = json.loads((tampered / "statement.json").read_text())
    statement["totals"]["deficit"] = str(int(statement["totals"]["deficit"]) + 1)
    (tampered / "statement.json").write_text(json.dumps(statement))
    code, _, err = _post(service, tampered, service.venue_key, "--freeze")
    assert code == 1, err
    assert "FINDING: the published totals are not the opening of the final accumulator" in err
    with (
        ZkmClient(service.url, service.clearing_key) as clearing,
        pytest.raises(ServiceCallError) as missing,
    ):
        clearing.solvency_summary(EPOCH, VENUE)
    assert missing.value.status_code == 404


def test_post_then_verify_against_the_frozen_registry(service: Service) -> None:
    code, out, err = _post(service, service.proven.bundle, service.venue_key, "--freeze")
    assert code == 0, err
    assert "frozen" in out and "SOLVENT" in out and "UNSAFE" in err
    assert f"circuit {CIRCUIT}: the one declared for epoch {EPOCH}" in out
    code, out, _ = _verify(service, *_service_args(service))
    assert code == 0 and "SOLVENT" in out and "no --registry" not in out
    code, _, err = _post(service, service.proven.bundle, service.clearing_key)
    assert code == 2 and "403" in err
    code, _, err = _verify(service, *_service_args(service), "--registry", "r.json")
    assert code == 2 and "at most one" in err


def test_post_under_an_undeclared_circuit_is_one_line_and_stores_nothing(
    service: Service,
) -> None:
    with ZkmClient(service.url, service.admin_key) as admin:
        vk = json.loads((service.proven.keys / VK_NAME).read_text())
        admin.register_circuit("solvency-other", vk, margin=False, provenance="dev")
    code, _, err = _run(["solvency", "post", str(service.proven.bundle), "--service",
                         service.url, "--api-key", service.venue_key, "--circuit",
                         "solvency-other", "--reserves", RICH, "--insurance", "0",
                         "--freeze"])  # fmt: skip
    assert code == 2, err
    assert f"does not count for solvency bundles at epoch {EPOCH} (declared: {CIRCUIT})" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    with (
        ZkmClient(service.url, service.clearing_key) as clearing,
        pytest.raises(ServiceCallError) as missing,
    ):
        clearing.solvency_summary(EPOCH, VENUE)
    assert missing.value.status_code == 404


def test_post_to_an_unreachable_service_is_one_line(service: Service) -> None:
    code, _, err = _run(["solvency", "post", str(service.proven.bundle), "--service",
                         "http://127.0.0.1:1", "--api-key", service.venue_key, "--circuit",
                         CIRCUIT, "--reserves", "1", "--insurance", "0"])  # fmt: skip
    assert code == 2 and "cannot reach the service" in err and "Traceback" not in err
