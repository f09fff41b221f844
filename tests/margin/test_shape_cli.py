"""``zkm margin setup`` with custom slot counts, run as a user would: ``python -m zkmargin`` in a
fresh process. A 3-tier schedule proves end to end with ``--tier-slots 3``; a snapshot that
does not fit the keys is refused naming the slot; named-size key directories (including
ones written before the shape was recorded in the verifying key) still prove."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from circuits.margin.commitment import commit
from circuits.margin.loading import dump_json
from circuits.margin.model import AccountState, MarketSnapshot
from circuits.margin.sizes import TINY, custom_size, pad_snapshot, pad_state
from tests.conftest import REPO_ROOT
from tests.margin.helpers import coll, inst, snap, state

THREE_TIERS = ((10_000, 0), (20_000, 5), (40_000, 45))  # breakpoints |N| = 500 and 2000


def zkm(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m zkmargin ARGS`` in a fresh interpreter, as from a shell."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "zkmargin", *map(str, args)],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def _market(tier_slots: int, tiers: tuple[tuple[int, int], ...]) -> MarketSnapshot:
    one = inst(mark=1, mm=tiers, risk=[0, 0, 0, 0]).model_copy(update={"symbol": "BTC-PERP"})
    base = snap([one], [coll()], tier_slots=tier_slots)
    return pad_snapshot(base, custom_size("tiny", {"tier_slots": tier_slots}))


def _account() -> AccountState:
    # |N| = 5000: the third piece binds (5000·4 % − 45 = 155); equity is 200.
    return pad_state(state([(5_000, -5_000, 0)], [200]), TINY)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shape")
    (root / "snapshot3.json").write_text(dump_json(_market(3, THREE_TIERS)))
    (root / "snapshot2.json").write_text(dump_json(_market(2, THREE_TIERS[:2])))
    (root / "opening.json").write_text(dump_json(commit(_account())))
    done = zkm("margin", "setup", "--size", "tiny", "--tier-slots", "3", "--dev",
               "--out", "keys3", cwd=root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "3 tier slots" in done.stdout
    done = zkm("margin", "setup", "--size", "tiny", "--dev", "--out", "keys2", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def test_setup_records_the_custom_shape_in_margin_json_and_the_vk(workdir: Path) -> None:
    meta = json.loads((workdir / "keys3" / "margin.json").read_text())
    shape = {**TINY.params(), "tier_slots": 3}
    assert (meta["size"], meta["params"]) == ("custom", shape)
    # Pinned (docs/margin-model.md, "Constraint cost per slot"): tiny is 9 055 with 2 slots.
    assert meta["n_constraints"] == 10_759
    vk = json.loads((workdir / "keys3" / "verification_key.json").read_text())
    assert vk["zkm_margin_shape"] == shape
    named = json.loads((workdir / "keys2" / "margin.json").read_text())
    assert (named["size"], named["params"]) == ("tiny", TINY.params())
    assert named["n_constraints"] == 9_055


def test_three_tier_schedule_proves_and_verifies_with_tier_slots_3(workdir: Path) -> None:
    report = zkm("margin", "report", "opening.json", "snapshot3.json", "--keys", "keys3",
                 "--json", cwd=workdir)  # fmt: skip
    assert report.returncode == 0, report.stderr
    summary = json.loads(report.stdout)
    assert (summary["maintenance"], summary["compliant_maintenance"]) == (155, True)
    done = zkm("margin", "prove", "opening.json", "snapshot3.json", "--keys", "keys3",
               "--out", "proof3", cwd=workdir)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = zkm("margin", "verify", "proof3", "snapshot3.json", "--keys", "keys3", cwd=workdir)
    assert done.returncode == 0 and done.stdout.startswith("OK"), done.stdout + done.stderr


def test_snapshot_with_more_tiers_than_the_keys_is_refused_naming_the_instrument(
    workdir: Path,
) -> None:
    done = zkm("margin", "prove", "opening.json", "snapshot3.json", "--keys", "keys2",
               "--out", "proof-bad", cwd=workdir)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: snapshot instrument BTC-PERP has 3 margin tiers; these keys have 2 tier slots"
        " (set up with --tier-slots 3)"
    ]
    assert not (workdir / "proof-bad").exists()
    done = zkm("margin", "verify", "proof3", "snapshot3.json", "--keys", "keys2", cwd=workdir)
    assert done.returncode == 2 and "--tier-slots 3" in done.stderr


def test_snapshot_with_fewer_tier_slots_than_the_keys_is_refused(workdir: Path) -> None:
    done = zkm("margin", "prove", "opening.json", "snapshot2.json", "--keys", "keys3",
               "--out", "proof-bad", cwd=workdir)  # fmt: skip
    assert done.returncode == 2
    assert "tier_slots=2; these keys have 3 tier slots (set up with --tier-slots 2)" in (
        done.stderr
    )


def test_named_size_keys_without_a_recorded_vk_shape_still_prove(workdir: Path) -> None:
    # Key directories made before this change have no zkm_margin_shape in their vk.
    vk_path = workdir / "keys2" / "verification_key.json"
    vk = json.loads(vk_path.read_text())
    vk.pop("zkm_margin_shape")
    vk_path.write_text(json.dumps(vk, indent=1) + "\n")
    done = zkm("margin", "prove", "opening.json", "snapshot2.json", "--keys", "keys2",
               "--out", "proof2", cwd=workdir)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = zkm("margin", "verify", "proof2", "snapshot2.json", "--keys", "keys2", cwd=workdir)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--tier-slots", "9", "--tier-slots must be an integer from 1 to 8, got 9"),
        ("--haircut-tier-slots", "0", "--haircut-tier-slots must be an integer from 1 to 8"),
        ("--instruments", "4096", "--instruments must be an integer from 1 to 4095, got 4096"),
    ],
)
def test_shapes_beyond_the_bounds_exit_2_with_one_line(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    done = zkm("margin", "setup", "--size", "tiny", option, value, "--dev", "--out", "k",
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert not (tmp_path / "k").exists()


def test_report_liquidation_from_the_shell(workdir: Path) -> None:
    done = zkm("margin", "report", "opening.json", "snapshot3.json", "--liquidation",
               cwd=workdir)  # fmt: skip
    assert done.returncode == 0, done.stderr
    # equity = 200 + 5000·(m − 1); MM = ⌈5000m·4 %⌉ − 45 above |N| = 2000, so the account
    # only gains as the mark rises and loses everything below m = 1.
    assert "BTC-PERP: mark 1; down: 0; up: none within the snapshot's bounds" in done.stdout
    assert "maintenance_distance: 45" in done.stdout
    as_json = zkm("margin", "report", "opening.json", "snapshot3.json", "--liquidation",
                  "--json", cwd=workdir)  # fmt: skip
    assert json.loads(as_json.stdout)["liquidation"] == [
        {"slot": 0, "symbol": "BTC-PERP", "mark": 1, "down": 0, "up": None}
    ]
    plain = zkm("margin", "report", "opening.json", "snapshot3.json", "--json", cwd=workdir)
    assert "liquidation" not in json.loads(plain.stdout)
