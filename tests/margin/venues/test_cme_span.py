"""CME SPAN scanning risk (fixtures/cme_span.json): 16-scenario risk arrays of the public S&P
500 worked example, reproduced through the engine, the CLI and the standard-size circuit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from circuits.margin.model import AccountState, MarketSnapshot
from circuits.margin.reference import margin_report
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from tests.margin.helpers import state
from tests.margin.venues.helpers import assert_circuit_boundary, cli_report, example, to_qq
from zkmargin.riskdesk.venues import cme_span
from zkmargin.riskdesk.venues.common import quote_collateral, venue_snapshot

DEC = 2
FUTURE_PNL = [0, 0, 3330, 3330, -3330, -3330, 6670, 6670, -6670, -6670,
              10000, 10000, -10000, -10000, 7000, -7000]  # fmt: skip
CALL_PNL = [460, -610, 2640, 1730, -1270, -2340, 5210, 4540, -2540, -3430,
            8060, 7640, -3380, -3990, 3130, -1500]  # fmt: skip


def _snapshot(som: int = 0) -> MarketSnapshot:
    future = cme_span.contract(
        "SP-FUT", kind="future", profit_per_contract=FUTURE_PNL, mark_price=0, quote_decimals=DEC
    )
    call = cme_span.contract(
        "SP-410C", kind="option", profit_per_contract=CALL_PNL, mark_price=0,
        short_option_minimum=som, quote_decimals=DEC,
    )  # fmt: skip
    return venue_snapshot([future, call], [quote_collateral("USD")],
                          scenarios=cme_span.scenarios(), quote_decimals=DEC)  # fmt: skip


def _account(positions: dict[str, int]) -> AccountState:
    return state([(positions.get("future", 0), 0, 0), (positions.get("call", 0), 0, 0)], [0])


def test_fixture_arrays_are_the_quoted_ones() -> None:
    quotes = " ".join(next(s for s in _sources() if "McMillan" in s["url"])["quotes"])
    assert "+ 10,000 + 10,000 -10,000 - 10,000 + 7,000 - 7,000" in quotes
    assert "- 3,380 - 3,990 + 3,130 - 1,500" in quotes
    assert len(cme_span.scenarios()) == 16


def _sources() -> list[dict[str, Any]]:
    from tests.margin.venues.helpers import fixture

    return list(fixture("cme_span")["sources"])


@pytest.mark.parametrize("example_id", ["long-future", "long-call", "covered-write"])
def test_scanning_risk_reproduces_the_published_requirement(
    example_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = example("cme_span", example_id)
    account, snapshot = _account(ex["inputs"]["positions"]), _snapshot()
    report = margin_report(account, snapshot)
    expected = to_qq(ex["results"]["scanning_risk"], DEC)
    assert report.scenario == expected == report.requirement(REQUIREMENT_MAINTENANCE)
    assert report.binding(REQUIREMENT_INITIAL) == "scenario"
    if "worst_scenario" in ex["results"]:
        worst = report.scenario_losses.index(report.scenario)
        assert snapshot.scenarios[worst].name == "price down 3/3, vol up"
    cli = cli_report(tmp_path, capsys, account, snapshot)
    assert cli["requirement_maintenance"] == cli["worst_scenario_loss"] == expected


def test_short_option_minimum_binds_over_the_scan_and_the_circuit_agrees() -> None:
    ex = example("cme_span", "covered-write-with-som")
    account = _account(ex["inputs"]["positions"])
    snapshot = _snapshot(som=to_qq(ex["inputs"]["short_option_minimum"], DEC))
    report = margin_report(account, snapshot)
    assert report.short_option_minimum == report.requirement(REQUIREMENT_MAINTENANCE)
    assert report.requirement(REQUIREMENT_MAINTENANCE) == to_qq(ex["results"]["requirement"], DEC)
    covered = example("cme_span", "covered-write")
    plain = _snapshot()
    assert margin_report(account, plain).scenario == to_qq(covered["results"]["scanning_risk"], DEC)
    assert assert_circuit_boundary(account, plain, REQUIREMENT_MAINTENANCE, 0) == "standard"
