"""Black-76 pricing, Greeks and SPAN-like risk arrays of options on a forward.

Black, "The pricing of commodity contracts", J. Financial Economics 3 (1976): with zero
rates a call on forward ``F`` (strike ``K``, ``t`` years, volatility ``σ``) is worth
``F·Φ(d1) − K·Φ(d2)`` and a put ``K·Φ(−d2) − F·Φ(−d1)``, ``d1 = (ln(F/K) + σ²t/2)/(σ√t)``,
``d2 = d1 − σ√t``. Greeks per unit of underlying: ``Δ = Φ(d1)`` (call) or ``Φ(d1) − 1``
(put), ``Γ = φ(d1)/(F·σ·√t)``, vega ``= F·φ(d1)·√t`` per 1.00 of volatility.

Risk arrays reprice each option under the scenario grid of
:func:`circuits.margin.pricing.span_scenarios` (price moves in thirds of the underlying's
price scan range, volatility up or down by ``vol_scan`` relative, two extreme moves
covered at 35 %): ``L_s = ⌈(V_0 − V_s)·cover·QQ/scale⌉`` per long size quantum, rounded
up (losses up, gains toward zero); a move of −100 % or more prices the underlying at
``10⁻⁹`` of its forward, as prices stay positive. The implied volatility comes from the
smile: linear in strike between quoted points of the option's expiry, flat beyond them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from circuits.margin.pricing import Scenario
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.schemas import SmilePoint

SECONDS_PER_YEAR = 365 * 86_400


def _cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class OptionValue:
    """Black-76 price and Greeks of one option on one unit of the underlying."""

    price: float
    delta: float
    gamma: float
    vega: float


def black76(forward: float, strike: float, years: float, vol: float, is_call: bool) -> OptionValue:
    """Return the Black-76 value and Greeks (zero rates); intrinsic value at expiry."""
    if years <= 0 or vol <= 0:
        intrinsic = max(forward - strike, 0.0) if is_call else max(strike - forward, 0.0)
        itm = (forward > strike) if is_call else (forward < strike)
        delta = (1.0 if is_call else -1.0) if itm else 0.0
        return OptionValue(intrinsic, delta, 0.0, 0.0)
    sd = vol * math.sqrt(years)
    d1 = (math.log(forward / strike) + sd * sd / 2) / sd
    d2 = d1 - sd
    if is_call:
        price = forward * _cdf(d1) - strike * _cdf(d2)
        delta = _cdf(d1)
    else:
        price = strike * _cdf(-d2) - forward * _cdf(-d1)
        delta = _cdf(d1) - 1.0
    gamma = _pdf(d1) / (forward * sd)
    vega = forward * _pdf(d1) * math.sqrt(years)
    return OptionValue(price, delta, gamma, vega)


def smile_vol(smile: Sequence[SmilePoint], expiry: int, strike: float, where: str) -> float:
    """Return the implied volatility at (expiry, strike): linear in strike, flat outside."""
    points = sorted((p.strike, p.implied_vol) for p in smile if p.expiry == expiry)
    if not points:
        raise RiskInputError(f"{where}: the smile has no quotes for expiry {expiry}")
    if strike <= points[0][0]:
        return points[0][1]
    for (k0, v0), (k1, v1) in itertools.pairwise(points):
        if strike <= k1:
            return v0 + (v1 - v0) * (strike - k0) / (k1 - k0)
    return points[-1][1]


@dataclass(frozen=True)
class OptionMarket:
    """An option's forward, strike, time to expiry (years), implied vol and type."""

    forward: float
    strike: float
    years: float
    vol: float
    is_call: bool

    def value(self, forward: float | None = None, vol: float | None = None) -> OptionValue:
        """Return the Black-76 value, optionally at a shocked forward or volatility."""
        f = self.forward if forward is None else forward
        v = self.vol if vol is None else vol
        return black76(f, self.strike, self.years, v, self.is_call)


MIN_PRICE_FACTOR = 1e-9
"""A price cannot fall below zero: scenario moves of −100 % or more price the underlying at
this fraction of its forward (an extreme move of 2 scan ranges can exceed −100 % when the
scan range is capped above 50 %)."""


def _price_factor(move: float) -> float:
    return max(1.0 + move, MIN_PRICE_FACTOR)


def option_risk_array(
    option: OptionMarket,
    price_scan: float,
    vol_scan: float,
    scenarios: Sequence[Scenario],
    qq_per_unit: int,
    scale: int,
) -> list[int]:
    """Return the loss in QQ of one long size quantum per scenario, rounded up."""
    now = option.value().price
    out = []
    for s in scenarios:
        forward = option.forward * _price_factor(s.price_move * price_scan)
        vol = option.vol * (1 + (vol_scan if s.vol_up else -vol_scan))
        loss = (now - option.value(forward, vol).price) * s.cover
        out.append(math.ceil(float(f"{loss * qq_per_unit / scale:.12g}")))
    return out


def linear_risk_array(
    forward: float, price_scan: float, scenarios: Sequence[Scenario], qq_per_unit: int, scale: int
) -> list[int]:
    """Return the loss in QQ of one long quantum of a perp or future per scenario, rounded up."""
    out = []
    for s in scenarios:
        move = max(s.price_move * price_scan, MIN_PRICE_FACTOR - 1.0)
        out.append(math.ceil(float(f"{-forward * move * s.cover * qq_per_unit / scale:.12g}")))
    return out
