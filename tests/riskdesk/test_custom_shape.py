"""A risk-desk policy that names a custom circuit shape (the five ``zkm margin setup`` slot
counts): the snapshot has exactly that shape, with up to ``tier_slots`` margin tiers and
``haircut_tier_slots`` haircut bands; bad shapes and schedules that do not fit are refused in
one line; named-size policies serialise and build byte for byte as before; and keys set up
with the same shape options prove and verify the snapshot from a shell."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from circuits.margin.commitment import commit, snapshot_hash
from circuits.margin.errors import MarginInputError
from circuits.margin.loading import dump_json, load_snapshot
from circuits.margin.model import AccountState, CollateralSpec, MarketSnapshot, Position
from circuits.margin.reference import collateral_value, margin_report, tier_requirement
from circuits.margin.sizes import TINY, check_fits, shape_of
from circuits.margin.units import U
from tests.conftest import REPO_ROOT
from tests.riskdesk.helpers import MARKET, MARKET_TINY, POLICY, POLICY_TINY, edited, market
from zkmargin.riskdesk.build import build_snapshot
from zkmargin.riskdesk.canonical import canonical_json, sha256_hex
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.haircuts import haircut_schedule
from zkmargin.riskdesk.loading import load_policy
from zkmargin.riskdesk.schemas import HaircutPolicy

SHAPE = {
    "instruments": 4,
    "collateral": 3,
    "scenarios": 4,
    "tier_slots": 3,
    "haircut_tier_slots": 3,
}
SETUP_OPTIONS = (
    "--instruments", "4", "--collateral", "3", "--scenarios", "4",
    "--tier-slots", "3", "--haircut-tier-slots", "3",
)  # fmt: skip
BREAKPOINTS = [1.0, 4.0]
QQ = 10**6

# Built with the code before custom shapes (main at 4147ab5): a named-size policy keeps its
# canonical bytes (so the signed policy_sha256) and its snapshot, byte for byte.
PINNED = {
    POLICY: (
        "c8acd71d4eb11d02010cd7d7045e9d6d51311a0530034f41bd913e8107488a47",
        "e03b79f7d72f4c44c04a1a79697789f6576009cc68ce025c66f4a8dc328c6ad8",
    ),
    POLICY_TINY: (
        "2470393191387f9feff9b597e5825038d8040277ddfe7f273953d1e53746cad0",
        "6ec5f328d1494aca4bb56056cbe0c69a23a2e4c5049d352b2dcf20d20bc87a2d",
    ),
}


def custom_policy(**changes: Any) -> dict[str, Any]:
    """Return the tiny policy with the custom shape and three-band tiers and haircuts."""
    doc = edited(POLICY_TINY, name="synthetic-desk-ewma-custom", size=dict(SHAPE))
    doc["tiers"] = {**doc["tiers"], "breakpoints": BREAKPOINTS}
    haircuts = {k: v for k, v in doc["haircuts"].items() if k != "breakpoint"}
    doc["haircuts"] = {**haircuts, "breakpoints": BREAKPOINTS}
    doc.update(changes)
    return doc


def _build(doc: dict[str, Any], path: Path = MARKET_TINY) -> MarketSnapshot:
    return build_snapshot(market(path), load_policy(doc), 3).snapshot


def test_custom_shape_policy_builds_a_snapshot_of_exactly_that_shape() -> None:
    policy = load_policy(custom_policy())
    size = policy.margin_size()
    assert (size.name, size.features) == ("custom", 0)
    snapshot = build_snapshot(market(MARKET_TINY), policy, 3).snapshot
    assert shape_of(snapshot).params() == {
        "n_instruments": 4, "n_collateral": 3, "n_scenarios": 4,
        "tier_slots": 3, "haircut_tier_slots": 3,
    }  # fmt: skip
    check_fits(snapshot, size)
    perps = [i for i in snapshot.instruments if i.kind == "perp" and i.symbol]
    assert len(perps) == 2
    assert all(len(p.maintenance_tiers) == len(p.initial_tiers) == 3 for p in perps)
    btc = next(c for c in snapshot.collateral if c.symbol == "BTC")
    assert len(btc.haircut_tiers) == 3
    assert snapshot.collateral[-1].symbol == "" and snapshot.collateral[-1].price == 0  # padded
    assert snapshot_hash(load_snapshot(snapshot.model_dump(mode="json"))) == snapshot_hash(snapshot)


def test_the_same_schedules_do_not_fit_the_named_tiny_keys() -> None:
    snapshot = _build(custom_policy())
    with pytest.raises(MarginInputError, match="snapshot has 3 collateral assets; these keys"):
        check_fits(snapshot, TINY)


@pytest.mark.parametrize("path", [POLICY, POLICY_TINY])
def test_named_size_policies_serialise_and_build_byte_identically(path: Path) -> None:
    policy = load_policy(path)
    policy_sha, snapshot_sha = PINNED[path]
    assert sha256_hex(policy) == policy_sha
    text = canonical_json(policy).decode()
    assert f'"size":"{policy.size}"' in text and '"haircuts":{"breakpoint":1.0,"cap_ppm"' in text
    assert "breakpoints" not in policy.model_dump()["haircuts"]
    snapshot = build_snapshot(market(MARKET if path == POLICY else MARKET_TINY), policy, 7)
    assert sha256_hex(snapshot.snapshot) == snapshot_sha


def test_a_shape_equal_to_a_named_size_builds_the_named_snapshot() -> None:
    named = load_policy(POLICY_TINY)
    shaped = load_policy(
        edited(POLICY_TINY, size={"instruments": 4, "collateral": 2, "scenarios": 4,
                                  "tier_slots": 2, "haircut_tier_slots": 2})
    )  # fmt: skip
    assert shaped.margin_size() == TINY
    assert sha256_hex(shaped) != sha256_hex(named)  # the policy says what it says
    built = [build_snapshot(market(MARKET_TINY), p, 7).snapshot for p in (named, shaped)]
    assert canonical_json(built[0]) == canonical_json(built[1])


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ({**SHAPE, "tier_slots": 9}, "size.shape.tier_slots: Input should be less than or equal"),
        ({**SHAPE, "haircut_tier_slots": 0}, "size.shape.haircut_tier_slots: Input should be"),
        ({**SHAPE, "instruments": 4096}, "size.shape.instruments: Input should be less than"),
        ({**SHAPE, "scenarios": None}, "size.shape.scenarios: Input should be a valid integer"),
        ({"instruments": 4}, "size.shape.collateral: Field required"),
        ({**SHAPE, "features": 1}, "size.shape.features: Extra inputs are not permitted"),
        ({**SHAPE, "collateral": "3"}, "size.shape.collateral: Input should be a valid integer"),
        ("huge", "size.named: Input should be 'tiny', 'standard' or 'large'"),
        (4, "size: size is a named size (tiny, standard or large) or an object with instruments"),
    ],
)  # fmt: skip
def test_bad_shapes_are_refused_in_one_line(size: object, message: str) -> None:
    with pytest.raises(RiskInputError) as caught:
        load_policy(custom_policy(size=size))
    text = str(caught.value)
    assert text.startswith(f"policy: {message}") and "\n" not in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tier_slots": 2}, r"3 tiers > 2 slots"),
        ({"haircut_tier_slots": 2}, r"3 haircut tiers > 2 haircut tier slots"),
        ({"instruments": 3}, r"4 instruments > 3 slots"),
        ({"collateral": 1}, r"2 collateral assets > 1 slots"),
    ],
)
def test_a_shape_the_inputs_or_schedules_do_not_fit_is_refused_naming_the_slot(
    change: dict[str, int], message: str
) -> None:
    doc = custom_policy(size={**SHAPE, **change})
    with pytest.raises(RiskInputError, match=r"policy/inputs mismatch: size custom \(") as caught:
        _build(doc)
    assert caught.match(message)


def test_named_size_policies_refuse_three_haircut_bands() -> None:
    doc = custom_policy(size="tiny")
    doc["tiers"] = {**doc["tiers"], "breakpoints": [1.0]}
    with pytest.raises(RiskInputError, match="size tiny does not fit: 3 haircut tiers > 2"):
        _build(doc)


def test_haircut_breakpoint_forms_are_exclusive_and_increasing() -> None:
    with pytest.raises(ValueError, match="give breakpoint or breakpoints, not both"):
        HaircutPolicy(breakpoint=1.0, breakpoints=[1.0, 2.0])
    with pytest.raises(ValueError, match="breakpoints must strictly increase"):
        HaircutPolicy(breakpoints=[2.0, 2.0])
    with pytest.raises(ValueError, match="at most 7 items"):
        HaircutPolicy(breakpoints=[float(k) for k in range(1, 9)])
    one = HaircutPolicy(breakpoints=[3.0])
    assert "breakpoint" not in one.model_dump() and one.band_breakpoints() == [3.0]
    assert HaircutPolicy.model_validate(one.model_dump()) == one
    assert "breakpoints" not in HaircutPolicy().model_dump()


def test_one_listed_haircut_breakpoint_is_the_single_breakpoint_schedule() -> None:
    single = haircut_schedule(100_000, 10e6, HaircutPolicy(breakpoint=2.5), QQ)
    listed = haircut_schedule(100_000, 10e6, HaircutPolicy(breakpoints=[2.5]), QQ)
    assert single == listed and len(single) == 2


def test_haircut_bands_are_concave_and_continuous_at_each_breakpoint() -> None:
    policy = HaircutPolicy(breakpoints=[1.0, 4.0, 9.0], participation=0.1, liquidation_days=2)
    tiers = haircut_schedule(100_000, 10e6, policy, QQ)  # X_c = $2M: bands at $2M, $8M, $18M
    assert [U - t.weight_ppm for t in tiers] == [100_000, 141_422, 223_607, 316_228]
    coll = CollateralSpec(symbol="B", price=QQ, scale=1, haircut_tiers=tiers)
    assert collateral_value(2_000_000, coll) == pytest.approx(0.9 * 2e6 * QQ, rel=1e-9)
    for k, usd in enumerate((2_000_000, 8_000_000, 18_000_000), start=1):
        raw = usd * QQ
        below, above = (raw * t.weight_ppm // U + t.addition for t in tiers[k - 1 : k + 1])
        assert 0 <= below - above <= 1  # pieces k−1 and k meet at X_k (rounding down)
        assert collateral_value(usd + 1, coll) - collateral_value(usd, coll) <= QQ
    marginal = [
        collateral_value(b + 1_000_000, coll) - collateral_value(b, coll)
        for b in (1_000_000, 5_000_000, 10_000_000, 20_000_000)
    ]
    assert marginal == sorted(marginal, reverse=True) and len(set(marginal)) == 4


def test_haircut_bands_beyond_the_cap_are_dropped() -> None:
    policy = HaircutPolicy(cap_ppm=150_000, breakpoints=[1.0, 4.0, 9.0])
    tiers = haircut_schedule(100_000, 10e6, policy, QQ)
    assert [U - t.weight_ppm for t in tiers] == [100_000, 141_422, 150_000]


# ---- from a shell: riskdesk build / check, margin setup with the same options, prove --------


def zkm(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m zkmargin ARGS`` in a fresh interpreter, as from a shell."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "zkmargin", *map(str, args)],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def _deep_account(snapshot: MarketSnapshot) -> AccountState:
    """A long BTC-PERP of 6× the BTC unwind capacity and 6× its haircut capacity of BTC, so the
    third margin tier and the third haircut band bind."""
    perp = snapshot.instruments[0]
    btc = snapshot.collateral[1]
    assert (perp.symbol, btc.symbol) == ("BTC-PERP", "BTC")
    capacity_qq = 0.1 * 40e6 * 2 * QQ  # participation · depth · days (MPOR 2 = liquidation 2)
    size = math.ceil(6 * capacity_qq * perp.size_scale / perp.mark_price)
    notional = size * perp.mark_price // perp.size_scale
    balance = math.ceil(6 * capacity_qq * btc.scale / btc.price)
    return AccountState(
        positions=[Position(size=size, cost_basis=-notional)] + [Position()] * 3,
        balances=[20_000_000 * QQ, balance, 0],
    )


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("custom-shape")
    (root / "policy.json").write_text(json.dumps(custom_policy(), indent=1) + "\n")
    done = zkm("riskdesk", "keygen", "--out", "oracle.pem", cwd=root)
    assert done.returncode == 0, done.stderr
    done = zkm("riskdesk", "build", MARKET_TINY, "--policy", "policy.json", "--epoch", "5",
               "--out", "snapshot.json", "--sign", "oracle.pem", cwd=root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = zkm("margin", "setup", *SETUP_OPTIONS, "--dev", "--out", "keys", cwd=root)
    assert done.returncode == 0, done.stderr
    snapshot = load_snapshot(root / "snapshot.json")
    (root / "opening.json").write_text(dump_json(commit(_deep_account(snapshot))))
    return root


def test_cli_build_and_check_round_trip_from_a_shell(shell: Path, tmp_path: Path) -> None:
    done = zkm("riskdesk", "check", MARKET_TINY, shell / "snapshot.json", "--policy",
               shell / "policy.json", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith("reproduced"), done.stderr
    done = zkm("riskdesk", "verify-signature", shell / "snapshot.json", "--public-key",
               shell / "oracle.pub.pem", "--market", MARKET_TINY, "--policy",
               shell / "policy.json", "--max-age", "3600", "--now", "1796083300",
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    again = zkm("riskdesk", "build", MARKET_TINY, "--policy", shell / "policy.json",
                "--epoch", "5", "--out", "rebuilt.json", cwd=tmp_path)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "rebuilt.json").read_bytes() == (shell / "snapshot.json").read_bytes()
    report = json.loads((shell / "snapshot.report.json").read_text())
    assert report["policy_sha256"] == sha256_hex(load_policy(shell / "policy.json"))


def test_keys_set_up_with_the_same_shape_prove_and_verify_the_snapshot(shell: Path) -> None:
    snapshot = load_snapshot(shell / "snapshot.json")
    account = _deep_account(snapshot)
    expected = margin_report(account, snapshot)
    perp, btc = snapshot.instruments[0], snapshot.collateral[1]
    # The third tier and the third haircut band are the binding pieces.
    pieces = [tier_requirement(expected.notionals[0], [t]) for t in perp.maintenance_tiers]
    assert max(pieces) == pieces[2] > pieces[1]
    raw = account.balances[1] * btc.price
    values = [raw * t.weight_ppm // (U * btc.scale) + t.addition for t in btc.haircut_tiers]
    assert expected.collateral_values[1] == min(values) == values[2] < values[1]
    done = zkm("margin", "report", "opening.json", "snapshot.json", "--keys", "keys", "--json",
               cwd=shell)  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["maintenance"] == expected.maintenance
    assert summary["compliant_maintenance"] is True
    done = zkm("margin", "prove", "opening.json", "snapshot.json", "--keys", "keys",
               "--out", "proof", cwd=shell)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = zkm("margin", "verify", "proof", "snapshot.json", "--keys", "keys", cwd=shell)
    assert done.returncode == 0 and done.stdout.startswith("OK"), done.stdout + done.stderr


def test_keys_of_another_shape_refuse_the_snapshot_naming_the_slot(shell: Path) -> None:
    named = zkm("riskdesk", "build", MARKET_TINY, "--policy", POLICY_TINY, "--epoch", "5",
                "--out", "tiny.json", cwd=shell)  # fmt: skip
    assert named.returncode == 0, named.stderr
    done = zkm("margin", "report", "opening.json", "tiny.json", "--keys", "keys", cwd=shell)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: snapshot has 2 collateral assets; these keys have 3 collateral slots"
        " (set up with --collateral 2 or pad it with circuits.margin.sizes.pad_snapshot)"
    ]
    snapshot = load_snapshot(shell / "snapshot.json")
    with pytest.raises(MarginInputError, match=r"--collateral 3"):
        check_fits(snapshot, TINY)


def test_a_bad_shape_in_a_policy_file_exits_2_with_one_line(shell: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps(custom_policy(size={**SHAPE, "tier_slots": 9})))
    done = zkm("riskdesk", "build", MARKET_TINY, "--policy", "bad.json", "--epoch", "5",
               "--out", "s.json", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and "size.shape.tier_slots: Input should be less than or equal to 8" in (lines[0])
    ), done.stderr
    assert not (tmp_path / "s.json").exists()
