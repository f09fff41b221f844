"""Black-76: put-call parity, known values, Greeks against finite differences, risk arrays."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circuits.margin.pricing import black76 as reference_black76
from circuits.margin.pricing import span_scenarios
from tests.riskdesk.helpers import market
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.options import (
    OptionMarket,
    black76,
    linear_risk_array,
    option_risk_array,
    smile_vol,
)

prices = st.floats(10.0, 100_000.0)
moneyness = st.floats(0.5, 2.0)
years = st.floats(1 / 365, 2.0)
vols = st.floats(0.05, 2.0)


@given(prices, moneyness, years, vols)
def test_put_call_parity_holds(forward: float, m: float, t: float, vol: float) -> None:
    strike = forward * m
    call, put = black76(forward, strike, t, vol, True), black76(forward, strike, t, vol, False)
    assert call.price - put.price == pytest.approx(forward - strike, abs=1e-9 * forward)
    assert call.delta - put.delta == pytest.approx(1.0)
    assert call.gamma == pytest.approx(put.gamma) and call.vega == pytest.approx(put.vega)


def test_known_values() -> None:
    # ATM: C = F·(2Φ(σ√t/2) − 1); F = 100, σ = 0.2, t = 1 → 7.965567455405804
    assert black76(100, 100, 1.0, 0.2, True).price == pytest.approx(7.965567455405804, rel=1e-12)
    # F = 20, K = 20, t = 4/12, σ = 0.25, undiscounted (Hull's Black example gives 1.12 with
    # the e^{−0.09·4/12} discount 0.97045): 1.1515
    assert black76(20, 20, 4 / 12, 0.25, False).price * math.exp(-0.09 / 3) == pytest.approx(
        1.12, abs=0.005
    )
    assert black76(100, 120, 0.0, 0.5, False).price == 20.0  # expired: intrinsic


@given(prices, moneyness, years, vols, st.booleans())
def test_agrees_with_the_circuit_packages_pricer(
    forward: float, m: float, t: float, vol: float, call: bool
) -> None:
    ours = black76(forward, forward * m, t, vol, call).price
    assert ours == pytest.approx(
        reference_black76(forward, forward * m, t, vol, call), rel=1e-9, abs=1e-9 * forward
    )


def test_greeks_match_finite_differences() -> None:
    f, k, t, v, h = 45_000.0, 47_000.0, 30 / 365, 0.6, 1.0
    value = black76(f, k, t, v, True)
    up, down = black76(f + h, k, t, v, True), black76(f - h, k, t, v, True)
    assert value.delta == pytest.approx((up.price - down.price) / (2 * h), rel=1e-6)
    assert value.gamma == pytest.approx((up.price - 2 * value.price + down.price) / h**2, rel=1e-3)
    vega = (black76(f, k, t, v + 1e-5, True).price - black76(f, k, t, v - 1e-5, True).price) / 2e-5
    assert value.vega == pytest.approx(vega, rel=1e-6)


def test_risk_array_of_a_long_call_loses_on_down_moves_and_vol_down() -> None:
    scenarios = span_scenarios(16)
    option = OptionMarket(45_000.0, 45_000.0, 30 / 365, 0.6, True)
    losses = dict(
        zip(
            [s.name for s in scenarios],
            option_risk_array(option, 0.1, 0.25, scenarios, 10**6, 100),
            strict=True,
        )
    )
    assert losses["-3/3 vol down"] > losses["-3/3 vol up"] > 0
    assert losses["+3/3 vol up"] < 0  # a gain
    assert losses["-extreme"] > 0


def test_smile_interpolates_linearly_in_strike_and_refuses_missing_expiry() -> None:
    btc = market().asset("BTC")
    expiry = btc.smile[0].expiry
    points = sorted((p.strike, p.implied_vol) for p in btc.smile if p.expiry == expiry)
    (k0, v0), (k1, v1) = points[2], points[3]
    mid = smile_vol(btc.smile, expiry, (k0 + k1) / 2, "x")
    assert mid == pytest.approx((v0 + v1) / 2)
    assert smile_vol(btc.smile, expiry, 1.0, "x") == points[0][1]  # flat beyond the quotes
    with pytest.raises(RiskInputError, match="no quotes for expiry 1"):
        smile_vol(btc.smile, 1, 1.0, "instrument X")


def test_moves_beyond_minus_100_percent_price_the_underlying_near_zero() -> None:
    scenarios = [s for s in span_scenarios(16) if s.name == "-extreme"]
    put = OptionMarket(100.0, 100.0, 0.1, 0.5, False)
    # scan 0.8: the extreme move is −160 %; the put is then worth its strike, not an error
    (loss,) = option_risk_array(put, 0.8, 0.25, scenarios, 1, 1)
    assert loss == math.ceil((put.value().price - 100.0 * (1 - 1e-9)) * 0.35)
    (perp_loss,) = linear_risk_array(100.0, 0.8, scenarios, 1, 1)
    assert perp_loss == math.ceil(100.0 * (1 - 1e-9) * 0.35)  # at most the whole price
