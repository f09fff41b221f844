"""Derive standard-manager perps and base collateral (fixtures/derive.json), per kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from circuits.margin.model import MarketSnapshot
from circuits.margin.reference import margin_report
from circuits.margin.sizes import TINY
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from tests.margin.helpers import state
from tests.margin.venues.helpers import assert_circuit_boundary, cli_report, example, to_qq
from zkmargin.riskdesk.venues import derive
from zkmargin.riskdesk.venues.common import qq, quote_collateral, venue_snapshot

DEC = 6
ETH_DECIMALS = 8


def _snapshot(kind: int, spot: str) -> MarketSnapshot:
    perp = derive.perp(derive.ETH, mark_price=qq(spot, DEC), size_scale=10**4,
                       n_scenarios=TINY.n_scenarios)  # fmt: skip
    eth = derive.base_collateral(derive.ETH, kind, price=qq(spot, DEC), scale=10**ETH_DECIMALS)
    return venue_snapshot([perp], [quote_collateral("USDC"), eth])


@pytest.mark.parametrize(
    ("kind", "perp_key", "base_key", "margin_key"),
    [
        (REQUIREMENT_MAINTENANCE, "perp_maintenance", "base_collateral_maintenance",
         "maintenance_margin_value"),
        (REQUIREMENT_INITIAL, "perp_initial", "base_collateral_initial", "initial_margin_value"),
    ],
)  # fmt: skip
def test_perp_and_base_collateral_match_the_published_parameters(
    kind: int, perp_key: str, base_key: str, margin_key: str,
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_keys: Path,
) -> None:  # fmt: skip
    ex = example("derive", "eth-perp-and-base")
    inputs, results = ex["inputs"], ex["results"]
    snapshot = _snapshot(kind, inputs["spot"])
    notional = to_qq(inputs["perp_size"], DEC) * int(inputs["spot"])
    balances = [to_qq(inputs["usdc_balance"], DEC), to_qq(inputs["eth_balance"], ETH_DECIMALS)]
    account = state([(to_qq(inputs["perp_size"], 4), -notional, 0)], balances)
    report = margin_report(account, snapshot)
    assert report.level12(kind) == to_qq(results[perp_key], DEC)
    assert report.collateral == to_qq(results[base_key], DEC)
    assert report.equity - report.requirement(kind) == to_qq(results[margin_key], DEC)
    cli = cli_report(tmp_path, capsys, account, snapshot)
    name = "maintenance" if kind == REQUIREMENT_MAINTENANCE else "initial"
    assert cli[f"slack_{name}"] == 10**6 * to_qq(results[margin_key], DEC)
    keys = tiny_keys if kind == REQUIREMENT_MAINTENANCE else None  # one Groth16 proof
    assert assert_circuit_boundary(account, snapshot, kind, 0, keys) == "tiny"


def test_initial_base_weight_is_discount_times_scale() -> None:
    assert derive.base_weight(derive.ETH, REQUIREMENT_INITIAL) == "3/4"
    assert derive.base_weight(derive.BTC, REQUIREMENT_INITIAL) == "279/400"
    assert derive.base_weight(derive.BTC, REQUIREMENT_MAINTENANCE) == "3/4"
