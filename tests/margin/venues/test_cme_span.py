"""CME SPAN scanning risk (fixtures/cme_span.json): 16-scenario risk arrays of the public S&P
500 worked example, reproduced through the engine, the CLI and the standard-size circuit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from circuits.margin.model import AccountState, MarketSnapshot
from circuits.margin.reference import margin_report
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from tests.margin.helpers import state
from tests.margin.venues.helpers import (
    assert_circuit_boundary,
    cli_report,
    example,
    fixture,
    to_qq,
)
from zkmargin.riskdesk.venues import cme_span
from zkmargin.riskdesk.venues.common import quote_collateral, venue_snapshot

DEC = 2
ARRAYS = fixture("cme_span")["arrays"]
FUTURE_PNL, CALL_PNL = ARRAYS["future"], ARRAYS["call"]


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


def _magnitudes(quote: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", quote.split("Pft/Loss")[1])]


def test_fixture_arrays_are_the_quoted_ones() -> None:
    source = next(s for s in fixture("cme_span")["sources"] if "McMillan" in s["url"])
    future = next(q for q in source["quotes"] if q.startswith("Long 1 Future"))
    call = next(q for q in source["quotes"] if q.startswith("Long 1 Dec 410 call"))
    assert _magnitudes(future) == [abs(v) for v in FUTURE_PNL]
    assert _magnitudes(call) == [abs(v) for v in CALL_PNL]
    assert len(cme_span.scenarios()) == len(FUTURE_PNL) == 16


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
