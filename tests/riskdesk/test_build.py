"""Snapshot assembly: deterministic, the circuit's format, volatility-scaled, and refusing
inputs that do not fit the policy."""

from __future__ import annotations

import pytest

from circuits.margin.commitment import snapshot_hash
from circuits.margin.loading import load_snapshot
from circuits.margin.model import MarketSnapshot
from circuits.margin.sizes import STANDARD, TINY, check_fits
from circuits.margin.units import U
from tests.riskdesk.helpers import (
    MARKET,
    MARKET_TINY,
    POLICY,
    POLICY_TINY,
    edited,
    market,
    policy,
    scaled_returns,
)
from zkmargin.riskdesk.build import build_snapshot
from zkmargin.riskdesk.canonical import canonical_json
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.loading import load_market, load_policy


def _btc_perp(snapshot: MarketSnapshot) -> int:
    return (
        next(i for i in snapshot.instruments if i.symbol == "BTC-PERP")
        .maintenance_tiers[0]
        .rate_ppm
    )


def test_two_builds_are_byte_identical() -> None:
    first = build_snapshot(market(), policy(), 7).snapshot
    second = build_snapshot(load_market(MARKET), load_policy(POLICY), 7).snapshot
    assert canonical_json(first) == canonical_json(second)
    assert snapshot_hash(first) == snapshot_hash(second)


def test_snapshot_has_the_circuit_format_and_round_trips() -> None:
    snapshot = build_snapshot(market(), policy(), 7).snapshot
    check_fits(snapshot, STANDARD)
    assert snapshot.timestamp == market().as_of and snapshot.epoch == 7
    reloaded = load_snapshot(snapshot.model_dump(mode="json"))
    assert snapshot_hash(reloaded) == snapshot_hash(snapshot)
    options = [i for i in snapshot.instruments if i.kind == "option"]
    assert len(options) == 20
    assert all(o.maintenance_tiers[0].rate_ppm == 0 and o.short_option_minimum > 0 for o in options)
    assert all(any(loss > 0 for loss in o.risk_array) for o in options)
    perps = [i for i in snapshot.instruments if i.kind == "perp" and i.symbol]
    assert len(perps) == 4
    assert all(len(p.maintenance_tiers) == 2 for p in perps)
    usdc = snapshot.collateral[0]
    assert usdc.haircut_tiers[0].weight_ppm == U and usdc.price == 10**6


def test_tiny_policy_builds_a_tiny_snapshot() -> None:
    snapshot = build_snapshot(market(MARKET_TINY), policy(POLICY_TINY), 1).snapshot
    check_fits(snapshot, TINY)


def test_more_volatile_history_raises_margins_and_haircuts() -> None:
    doc = edited(MARKET)
    btc = doc["assets"][0]
    calm = build_snapshot(load_market(doc), policy(), 1)
    btc["closes"] = scaled_returns(btc["closes"], 1.5)
    btc["index_price"] = btc["closes"][-1]
    stormy = build_snapshot(load_market(doc), policy(), 1)
    assert _btc_perp(stormy.snapshot) > _btc_perp(calm.snapshot)
    assert stormy.assets["BTC"].haircut_ppm > calm.assets["BTC"].haircut_ppm
    assert (
        stormy.snapshot.collateral[1].liability_weight_ppm
        > calm.snapshot.collateral[1].liability_weight_ppm
    )


def test_report_carries_greeks_beside_the_snapshot() -> None:
    report = build_snapshot(market(), policy(), 1).report()
    assert set(report["assets"]) == {"BTC", "ETH", "SOL", "LINK"}
    call = next(o for o in report["options"] if o["symbol"].endswith("-C"))
    assert 0 < call["delta"] < 1 and call["gamma"] > 0 and call["vega"] > 0


def test_lookback_longer_than_the_inputs_is_a_mismatch() -> None:
    long_policy = load_policy(edited(POLICY, lookback_days=2_000))
    with pytest.raises(RiskInputError, match="policy/inputs mismatch: the policy's lookback"):
        build_snapshot(market(), long_policy, 1)


def test_too_many_instruments_for_the_size_is_a_mismatch() -> None:
    with pytest.raises(RiskInputError, match="policy/inputs mismatch: size tiny does not fit"):
        build_snapshot(market(), policy(POLICY_TINY), 1)


def test_more_tiers_than_slots_is_a_mismatch() -> None:
    doc = edited(POLICY)
    doc["tiers"] = {**doc["tiers"], "breakpoints": [1.0, 2.0]}
    with pytest.raises(RiskInputError, match=r"3 tiers > 2 slots"):
        build_snapshot(market(), load_policy(doc), 1)


def test_option_without_a_smile_quote_is_refused() -> None:
    doc = edited(MARKET)
    option = next(i for i in doc["instruments"] if i["kind"] == "option")
    option["expiry"] += 86_400
    with pytest.raises(RiskInputError, match="the smile has no quotes for expiry"):
        build_snapshot(load_market(doc), policy(), 1)


def test_epoch_out_of_range_is_refused() -> None:
    with pytest.raises(RiskInputError, match="invalid snapshot"):
        build_snapshot(market(), policy(), 2**64)


def test_mark_too_large_for_64_bits_is_refused_in_one_line() -> None:
    doc = edited(MARKET)
    doc["instruments"][0]["mark_price"] = 1e15
    with pytest.raises(RiskInputError, match="invalid snapshot: mark_price: Input should be less"):
        build_snapshot(load_market(doc), policy(), 1)


def test_out_of_range_amounts_are_refused_by_the_schema() -> None:
    doc = edited(MARKET)
    doc["assets"][0]["depth"] = 1e300
    with pytest.raises(RiskInputError, match=r"assets\[0\].depth: Input should be less"):
        load_market(doc)


def test_a_price_spike_caps_fractions_and_still_builds() -> None:
    doc = edited(MARKET)
    doc["assets"][0]["closes"][-1] = 1e12  # σ explodes: fractions hit the cap (50 %)
    result = build_snapshot(load_market(doc), policy(), 1)
    assert result.assets["BTC"].fractions.maintenance_ppm == policy().maintenance.cap_ppm
