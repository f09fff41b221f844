"""Deribit's size-linear futures margin (fixtures/deribit.json): chords exact at the published
25 and 350 BTC examples, conservative between, and measured below beyond the last chord;
version-2 size-rates express the affine rule itself: exact at every size to the satoshi."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from circuits.margin.model import MarketSnapshot
from circuits.margin.reference import margin_report
from circuits.margin.sizes import TINY
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from tests.margin.helpers import state
from tests.margin.venues.helpers import assert_circuit_boundary, cli_report, example, to_qq
from zkmargin.riskdesk.venues import deribit
from zkmargin.riskdesk.venues.common import quote_collateral, venue_snapshot

DEC = deribit.SATOSHI_DECIMALS
SCALE = 10**4  # 0.0001 BTC a size quantum


def _snapshot(chords: list[int]) -> MarketSnapshot:
    fut = deribit.future(
        "BTC-FUT", sizes_btc=chords, size_scale=SCALE, n_scenarios=TINY.n_scenarios
    )
    return venue_snapshot([fut], [quote_collateral("BTC")], quote_decimals=DEC)


@pytest.mark.parametrize("example_id", ["futures-im-25-btc", "futures-im-350-btc"])
def test_published_initial_margins_are_reproduced_to_the_satoshi(
    example_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_keys: Path
) -> None:
    ex = example("deribit", example_id)
    inputs, results = ex["inputs"], ex["results"]
    snapshot = _snapshot(inputs["chords"])
    size = Fraction(inputs["size"])
    account = state([(to_qq(inputs["size"], 4), 0, 0)], [0])
    report = margin_report(account, snapshot)
    assert report.initial == to_qq(results["initial_margin"], DEC)
    assert report.initial == deribit.margin_btc(size, deribit.INITIAL) * 10**DEC
    assert report.maintenance == to_qq(results["maintenance_margin"], DEC)
    assert report.maintenance == deribit.margin_btc(size, deribit.MAINTENANCE) * 10**DEC
    cli = cli_report(tmp_path, capsys, account, snapshot)
    assert (cli["initial"], cli["maintenance"]) == (report.initial, report.maintenance)
    if example_id == "futures-im-25-btc":
        for kind in (REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL):
            keys = tiny_keys if kind == REQUIREMENT_INITIAL else None  # one Groth16 proof
            assert assert_circuit_boundary(account, snapshot, kind, 0, keys) == "tiny"


def test_chords_are_conservative_between_and_below_beyond_the_last_size() -> None:
    ex = example("deribit", "futures-between-and-beyond")
    snapshot = _snapshot(ex["inputs"]["chords"])
    model = ex["model"]
    for size, venue in ex["results"]["venue_initial_margin"].items():
        engine = margin_report(state([(to_qq(size, 4), 0, 0)], [0]), snapshot).initial
        assert deribit.margin_btc(Fraction(size), deribit.INITIAL) == Fraction(venue)
        gap = engine - to_qq(venue, DEC)
        if size in model["excess_qq"]:
            assert gap == model["excess_qq"][size]
        else:
            assert -gap == model["deficit_qq"][size]
    for tenth in range(1, 3501):  # every 0.1 BTC up to the last chord: never below
        size = Fraction(tenth, 10)
        engine = margin_report(state([(tenth * 1000, 0, 0)], [0]), snapshot).initial
        assert engine >= deribit.margin_btc(size, deribit.INITIAL) * 10**DEC


def _sized_snapshot() -> MarketSnapshot:
    fut = deribit.sized_future("BTC-FUT", size_scale=SCALE, n_scenarios=1)
    return venue_snapshot([fut], [quote_collateral("BTC")], quote_decimals=DEC, extended=True)


def test_size_rates_reproduce_between_and_beyond_the_chords_to_the_satoshi(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = example("deribit", "futures-between-and-beyond")
    snapshot = _sized_snapshot()
    assert snapshot.version == 2
    for size, venue in ex["results"]["venue_initial_margin"].items():
        account = state([(to_qq(size, 4), 0, 0)], [0])
        report = margin_report(account, snapshot)
        assert report.initial == to_qq(venue, DEC)
        cli = cli_report(tmp_path, capsys, account, snapshot)
        assert cli["initial"] == to_qq(venue, DEC)
    for tenth in range(1, 10_001):  # every 0.1 BTC to 1 000 BTC, both kinds: the ceiling
        size_btc = Fraction(tenth, 10)
        report = margin_report(state([(-tenth * SCALE // 10, 0, 0)], [0]), snapshot)
        for got, rule in ((report.initial, deribit.INITIAL),
                          (report.maintenance, deribit.MAINTENANCE)):  # fmt: skip
            venue_sat = deribit.margin_btc(size_btc, rule) * 10**DEC
            assert got == -(-venue_sat.numerator // venue_sat.denominator)
    account = state([(to_qq("700", 4), 0, 0)], [0])
    assert assert_circuit_boundary(account, snapshot, REQUIREMENT_INITIAL, 0) == "custom"
