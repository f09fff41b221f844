"""Model validation: bad input is refused with one line naming the field; JSON round-trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from circuits.margin.errors import MarginInputError
from circuits.margin.loading import dump_json, load_opening, load_snapshot, load_state
from circuits.margin.model import MarketSnapshot
from circuits.margin.schemas import DEFAULT_DIR, render_schemas
from circuits.margin.statement import MarginPublicInputs
from tests.margin.helpers import coll, inst, snap, state


def _snapshot_obj() -> dict[str, Any]:
    return snap([inst(mark=10, mm=[(10_000, 0), (20_000, 5)], risk=[1, -2])], [coll()]).model_dump()


def test_snapshot_round_trips_through_json(tmp_path: Path) -> None:
    snapshot = load_snapshot(_snapshot_obj())
    path = tmp_path / "snapshot.json"
    path.write_text(dump_json(snapshot))
    assert load_snapshot(path) == snapshot
    assert load_snapshot(str(path)) == snapshot


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda o: o["instruments"][0].update(mark_price=1 << 64), r"instruments\[0\]\.mark_price"),
        (lambda o: o["instruments"][0].update(size_scale=0), r"instruments\[0\]\.size_scale"),
        (lambda o: o["instruments"][0].update(risk_array=[1]), r"risk_array has 1 entries"),
        (lambda o: o["collateral"][0]["haircut_tiers"][0].update(weight_ppm=1_000_001),
         r"collateral\[0\]\.haircut_tiers\[0\]\.weight_ppm"),
        (lambda o: o["collateral"][0].update(liability_weight_ppm=999_999),
         r"collateral\[0\]\.liability_weight_ppm"),
        (lambda o: o["instruments"][0]["maintenance_tiers"][1].update(rate_ppm=5_000),
         r"maintenance_tiers is not monotone"),
        (lambda o: o["instruments"][0]["maintenance_tiers"][0].update(deduction=1),
         r"maintenance_tiers\[0\]\.deduction must be 0"),
        (lambda o: o.update(tier_slots=1), r"exceeds tier_slots=1"),
        (lambda o: o.update(epoch=-1), r"^snapshot: epoch"),
        (lambda o: o.update(colour="red"), r"colour"),
        (lambda o: o["instruments"][0].update(funding_index=True), r"funding_index"),
    ],
)  # fmt: skip
def test_bad_snapshot_is_refused_naming_the_field(edit: Any, message: str) -> None:
    obj = _snapshot_obj()
    edit(obj)
    with pytest.raises(MarginInputError, match=message) as caught:
        load_snapshot(obj)
    assert "\n" not in str(caught.value)


def test_bad_tier_breakpoints_are_refused() -> None:
    tiers = [(10_000, 0), (20_000, 100), (30_000, 150)]  # breakpoints 10^7 then 5·10^6
    with pytest.raises(ValueError, match="breakpoints must strictly increase"):
        inst(mm=tiers)


def test_state_lengths_must_match_the_snapshot() -> None:
    snapshot = load_snapshot(_snapshot_obj())
    with pytest.raises(MarginInputError, match="balances has 2 entries"):
        load_state(state([(1, 0, 0)], [1, 2]), snapshot)
    with pytest.raises(MarginInputError, match=r"positions\[0\]\.size"):
        load_state({"positions": [{"size": 1 << 63}], "balances": [0]})


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(MarginInputError, match="cannot read"):
        load_snapshot(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(MarginInputError, match="not valid JSON"):
        load_state(tmp_path / "bad.json")


def test_opening_with_a_wrong_commitment_is_refused() -> None:
    from circuits.margin.commitment import commit

    opening = commit(state([(1, 2, 3)], [4]))
    obj = json.loads(opening.model_dump_json())
    assert isinstance(obj["salt"], str) and isinstance(obj["commitment"], str)
    assert load_opening(obj) == opening
    obj["commitment"] = str(opening.commitment + 1)
    with pytest.raises(MarginInputError, match="commitment does not match"):
        load_opening(obj)


def test_public_inputs_round_trip_and_reject_bad_values() -> None:
    inputs = MarginPublicInputs(5, 6, 1, 1_250_000)
    assert MarginPublicInputs.from_list(inputs.to_list()) == inputs
    with pytest.raises(MarginInputError, match="4 public inputs"):
        MarginPublicInputs.from_list([1, 2, 3])
    with pytest.raises(MarginInputError, match="requirement_kind"):
        MarginPublicInputs(5, 6, 2, 1_250_000)
    with pytest.raises(MarginInputError, match="buffer_ppm"):
        MarginPublicInputs(5, 6, 0, 999_999)


def test_committed_schemas_are_up_to_date() -> None:
    for name, text in render_schemas().items():
        committed = DEFAULT_DIR / name
        assert committed.exists(), f"run python -m circuits.margin.schemas ({name} missing)"
        assert committed.read_text() == text, f"{name} is stale: python -m circuits.margin.schemas"
    assert MarketSnapshot.model_json_schema()["title"] == "MarketSnapshot"
