"""Market data and policies are validated strictly, each defect refused in one readable line."""

from __future__ import annotations

import pytest

from tests.riskdesk.helpers import MARKET, POLICY, edited, market, policy
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.loading import load_market, load_policy


def test_shipped_inputs_validate_and_are_labelled_synthetic() -> None:
    data = market()
    assert "SYNTHETIC" in data.label
    assert {a.symbol for a in data.assets} == {"BTC", "ETH", "SOL", "LINK"}
    assert policy().maintenance.confidence == 0.99


def test_market_rejects_unknown_field() -> None:
    with pytest.raises(RiskInputError, match="market data: surprise: Extra inputs"):
        load_market(edited(MARKET, surprise=1))


def test_market_rejects_string_number_in_strict_mode() -> None:
    doc = edited(MARKET)
    doc["assets"][0]["index_price"] = "45603"
    with pytest.raises(RiskInputError, match=r"assets\[0\].index_price"):
        load_market(doc)


def test_market_rejects_instrument_on_unknown_underlying() -> None:
    doc = edited(MARKET)
    doc["instruments"][0]["underlying"] = "DOGE"
    with pytest.raises(RiskInputError, match="unknown underlying DOGE"):
        load_market(doc)


def test_market_rejects_option_without_strike() -> None:
    doc = edited(MARKET)
    option = next(i for i in doc["instruments"] if i["kind"] == "option")
    del option["strike"]
    with pytest.raises(RiskInputError, match="an option needs strike"):
        load_market(doc)


def test_market_rejects_expired_option() -> None:
    doc = edited(MARKET)
    option = next(i for i in doc["instruments"] if i["kind"] == "option")
    option["expiry"] = doc["as_of"]
    with pytest.raises(RiskInputError, match="expired before as_of"):
        load_market(doc)


def test_market_rejects_non_positive_close() -> None:
    doc = edited(MARKET)
    doc["assets"][1]["closes"][5] = 0.0
    with pytest.raises(RiskInputError, match=r"assets\[1\].closes\[5\]"):
        load_market(doc)


def test_policy_rejects_floor_above_cap() -> None:
    doc = edited(POLICY)
    doc["maintenance"] = {**doc["maintenance"], "floor_ppm": 600_000}
    with pytest.raises(RiskInputError, match="floor_ppm must not exceed cap_ppm"):
        load_policy(doc)


def test_policy_rejects_initial_looser_than_maintenance() -> None:
    doc = edited(POLICY)
    doc["initial"] = {**doc["initial"], "confidence": 0.95}
    with pytest.raises(RiskInputError, match="initial must be at least as strict"):
        load_policy(doc)


def test_policy_rejects_decreasing_breakpoints() -> None:
    doc = edited(POLICY)
    doc["tiers"] = {**doc["tiers"], "breakpoints": [2.0, 1.0]}
    with pytest.raises(RiskInputError, match="breakpoints must strictly increase"):
        load_policy(doc)


def test_unreadable_and_non_json_files_are_refused(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "m.json"
    with pytest.raises(RiskInputError, match="cannot read"):
        load_market(path)
    path.write_text("{not json")
    with pytest.raises(RiskInputError, match="is not valid JSON"):
        load_market(path)


def test_committed_json_schemas_are_current() -> None:
    from zkmargin.riskdesk.json_schemas import DEFAULT_DIR, render_schemas

    for name, text in render_schemas().items():
        assert (DEFAULT_DIR / name).read_text() == text, f"regenerate docs/schemas/{name}"
