"""``zkm margin setup --features`` → prove → verify with a version-2 snapshot using the
size-dependent features, on the tiny shape; and the requirement binds at exactly the
size-dependent value (1 QQ less equity fails)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from algebra.errors import NotCompliantError, UnsatisfiedConstraintError
from circuits.margin.model import AccountState
from circuits.margin.reference import margin_report
from circuits.margin.statement import REQUIREMENT_INITIAL
from circuits.margin.units import U
from circuits.margin.witness import build_assignment, raw_assignment
from tests.margin.circuit_fixtures import opening_for
from tests.margin.size_rate_fixtures import sized_account, sized_circuit, sized_snapshot
from zkmargin.cli import main


@pytest.fixture(scope="module")
def sized_flow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Dev keys for the tiny shape with features 0–2, a v2 snapshot and an opening."""
    root = tmp_path_factory.mktemp("sized")
    (root / "snapshot.json").write_text(sized_snapshot().model_dump_json(indent=2))
    (root / "opening.json").write_text(opening_for(sized_account()).model_dump_json(indent=2))
    args = ["margin", "setup", "--size", "tiny", "--out", str(root / "keys"), "--dev",
            "--features", "size-rates,size-weights,open-interest"]  # fmt: skip
    assert main(args) == 0
    return root


def test_setup_records_the_feature_mask(sized_flow: Path) -> None:
    meta = json.loads((sized_flow / "keys" / "margin.json").read_text())
    assert meta["params"]["features"] == 7
    assert meta["n_constraints"] == sized_circuit().n_constraints


@pytest.mark.parametrize("kind", ["maintenance", "initial"])
def test_prove_then_verify_a_version_2_snapshot(sized_flow: Path, kind: str) -> None:
    out = sized_flow / f"proof-{kind}"
    assert main(["margin", "prove", str(sized_flow / "opening.json"),
                 str(sized_flow / "snapshot.json"), "--keys", str(sized_flow / "keys"),
                 "--out", str(out), "--kind", kind]) == 0  # fmt: skip
    assert main(["margin", "verify", str(out), str(sized_flow / "snapshot.json"),
                 "--keys", str(sized_flow / "keys")]) == 0  # fmt: skip


def test_verify_against_another_open_interest_is_invalid(sized_flow: Path) -> None:
    out = sized_flow / "proof-oi"
    assert main(["margin", "prove", str(sized_flow / "opening.json"),
                 str(sized_flow / "snapshot.json"), "--keys", str(sized_flow / "keys"),
                 "--out", str(out), "--kind", "initial"]) == 0  # fmt: skip
    changed = json.loads((sized_flow / "snapshot.json").read_text())
    changed["instruments"][0]["open_interest"]["value"] += 1
    (sized_flow / "snapshot-oi.json").write_text(json.dumps(changed))
    assert main(["margin", "verify", str(out), str(sized_flow / "snapshot-oi.json"),
                 "--keys", str(sized_flow / "keys")]) == 1  # fmt: skip


def test_version_1_keys_refuse_a_version_2_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "snapshot.json").write_text(sized_snapshot().model_dump_json())
    (tmp_path / "opening.json").write_text(opening_for(sized_account()).model_dump_json())
    # keys_size is read before any key file: a plain tiny margin.json is enough
    (tmp_path / "keys").mkdir()
    meta = {"size": "tiny", "params": {"n_instruments": 4, "n_collateral": 2, "n_scenarios": 4,
                                       "tier_slots": 2, "haircut_tier_slots": 2}}  # fmt: skip
    (tmp_path / "keys" / "margin.json").write_text(json.dumps(meta))
    assert main(["margin", "prove", str(tmp_path / "opening.json"),
                 str(tmp_path / "snapshot.json"), "--keys", str(tmp_path / "keys"),
                 "--out", str(tmp_path / "p")]) == 2  # fmt: skip
    assert (
        "snapshot uses features size-rates,size-weights,open-interest (0x7); these keys"
        " implement none (set up with --features size-rates,size-weights,open-interest)"
    ) in capsys.readouterr().err


@pytest.mark.parametrize("features", ["bogus", "0x100000", "-1"])
def test_setup_refuses_unknown_features(features: str, tmp_path: Path) -> None:
    args = ["margin", "setup", "--size", "tiny", "--out", str(tmp_path), "--dev",
            "--features", features]  # fmt: skip
    assert main(args) == 2


def _at_requirement(delta: int) -> AccountState:
    """The sized account with cost basis moved so initial equity = requirement + delta."""
    snapshot, account = sized_snapshot(), opening_for(sized_account()).state
    report = margin_report(account, snapshot)
    shift = report.equity - report.requirement(REQUIREMENT_INITIAL) - delta
    first = account.positions[0]
    positions = [first.model_copy(update={"cost_basis": first.cost_basis - shift})]
    return account.model_copy(update={"positions": positions + account.positions[1:]})


def test_initial_requirement_binds_at_the_size_dependent_value() -> None:
    snapshot = sized_snapshot()
    exact = opening_for(_at_requirement(0))
    report = margin_report(exact.state, snapshot)
    assert report.requirement(REQUIREMENT_INITIAL) == 180_000  # 12 % cap, tiers ask 50 000
    witness = sized_circuit().solve(build_assignment(exact, snapshot, REQUIREMENT_INITIAL, U))
    assert sized_circuit().r1cs.which_is_unsatisfied(witness) is None
    below = opening_for(_at_requirement(-1))
    with pytest.raises(NotCompliantError):
        build_assignment(below, snapshot, REQUIREMENT_INITIAL, U)
    with pytest.raises(UnsatisfiedConstraintError):
        sized_circuit().solve(raw_assignment(below, snapshot, REQUIREMENT_INITIAL, U))
