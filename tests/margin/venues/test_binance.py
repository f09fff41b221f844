"""Binance Cross Margin Pro position tiers and collateral-ratio tiers (fixtures/binance.json)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from circuits.margin.reference import margin_report
from circuits.margin.sizes import TINY
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from tests.margin.helpers import state
from tests.margin.venues.helpers import assert_circuit_boundary, cli_report, example, to_qq
from zkmargin.riskdesk.venues import binance as bn
from zkmargin.riskdesk.venues.common import qq, quote_collateral, venue_snapshot

DEC = 6
SCALE = 10**8


def _brackets(rows: list[list[Any]]) -> list[bn.Bracket]:
    return [bn.Bracket(lower, mmr, imr) for lower, mmr, imr in rows]


def test_cross_margin_pro_liabilities_reproduce_75327_1_and_31330(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = example("binance", "cross-margin-pro-liabilities")
    legs = ex["inputs"]["liabilities"]
    instruments, positions = [], []
    for leg in legs:
        brackets = _brackets(leg["brackets"])
        instruments.append(bn.liability(leg["symbol"], brackets, price=qq(leg["price"], DEC),
                                        size_scale=SCALE, n_scenarios=1))  # fmt: skip
        value = Fraction(leg["amount"]) * Fraction(leg["price"])
        # a borrow: short the token, the proceeds sit in the cost basis
        positions.append((-to_qq(leg["amount"], 8), to_qq(str(value), DEC), 0))
        amount = ex["results"]["maintenance_amount"][leg["symbol"]]
        assert instruments[-1].maintenance_tiers[-1].deduction == to_qq(amount, DEC)
    snapshot = venue_snapshot(instruments, [quote_collateral("USDT")])
    account = state(positions, [0])
    report = margin_report(account, snapshot)
    assert report.initial == to_qq(ex["results"]["initial_margin"], DEC)
    assert report.maintenance == to_qq(ex["results"]["maintenance_margin"], DEC)
    assert report.equity == 0  # a borrow held as its proceeds is worth nothing net
    venue_im = sum(
        bn.initial_margin(
            Fraction(leg["amount"]) * Fraction(leg["price"]), _brackets(leg["brackets"])
        )
        for leg in legs
    )
    assert venue_im * 10**DEC == report.initial
    cli = cli_report(tmp_path, capsys, account, snapshot)
    assert (cli["initial"], cli["maintenance"]) == (report.initial, report.maintenance)
    for kind in (REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL):
        assert assert_circuit_boundary(account, snapshot, kind, 0) == "custom"


def test_eth_leg_fits_tiny_and_proves_at_its_requirement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_keys: Path
) -> None:
    ex = example("binance", "cross-margin-pro-eth-leg")
    leg = ex["inputs"]
    eth = bn.liability(leg["symbol"], _brackets(leg["brackets"]), price=qq(leg["price"], DEC),
                       size_scale=SCALE, n_scenarios=TINY.n_scenarios)  # fmt: skip
    snapshot = venue_snapshot([eth], [quote_collateral("USDT")])
    value = Fraction(leg["amount"]) * Fraction(leg["price"])
    account = state([(-to_qq(leg["amount"], 8), to_qq(str(value), DEC), 0)], [0])
    report = margin_report(account, snapshot)
    assert report.initial == to_qq(ex["results"]["initial_margin"], DEC)
    assert report.maintenance == to_qq(ex["results"]["maintenance_margin"], DEC)
    cli = cli_report(tmp_path, capsys, account, snapshot)
    assert (cli["initial"], cli["maintenance"]) == (report.initial, report.maintenance)
    assert assert_circuit_boundary(account, snapshot, REQUIREMENT_INITIAL, 0, tiny_keys) == "tiny"


def test_collateral_ratio_tiers_value_6000_btc_at_119_5_million(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = example("binance", "collateral-ratio-6000-btc")
    inputs = ex["inputs"]
    tiers = [(lower, ratio) for lower, ratio in inputs["tiers"]]
    btc = bn.tiered_collateral("BTC", tiers, price=qq(inputs["price"], DEC), scale=SCALE)
    usdt = quote_collateral("USDT")
    short = bn.liability("USDT-PERP", _brackets([[0, "1%", "2%"]]), price=qq(1, DEC),
                         size_scale=1, n_scenarios=1)  # fmt: skip
    snapshot = venue_snapshot([short], [usdt, btc])
    account = state([(-1_000, 0, 0)], [0, to_qq(inputs["balance"], 8)])
    report = margin_report(account, snapshot)
    published = to_qq(ex["results"]["collateral_value"], DEC)
    assert report.collateral_values[1] == published
    value = Fraction(inputs["balance"]) * Fraction(inputs["price"])
    assert bn.collateral_value(value, tiers) * 10**DEC == published
    assert cli_report(tmp_path, capsys, account, snapshot)["collateral"] == published
    for balance in ("1", "5000", "6000", "7499.99999999", "9999.5"):
        x = Fraction(balance) * Fraction(inputs["price"])
        engine = margin_report(state([(0, 0, 0)], [0, to_qq(balance, 8)]), snapshot).collateral
        assert engine == int(bn.collateral_value(x, tiers) * 10**DEC)  # exact, rounded down
    assert assert_circuit_boundary(account, snapshot, REQUIREMENT_MAINTENANCE, 0) == "custom"
