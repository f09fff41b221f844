"""Off-circuit pricing of SPAN-like risk arrays with Black-76 (no Black-Scholes in the circuit).

Black, "The pricing of commodity contracts" (J. Financial Economics 3, 1976): with zero
rates, a call on a forward F with strike K, expiry t and volatility σ is worth
``F·Φ(d1) − K·Φ(d2)``, ``d1 = (ln(F/K) + σ²t/2)/(σ√t)``, ``d2 = d1 − σ√t``; a put
``K·Φ(−d2) − F·Φ(−d1)``.

The 16 scenarios follow CME SPAN: price moves of 0, ±1/3, ±2/3 and ±3/3 of the price scan
range, each with volatility up and down (14 scenarios), plus two extreme moves of ±2 scan
ranges whose losses are multiplied by the cover fraction (35 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from circuits.margin.errors import MarginInputError
from circuits.margin.model import ScenarioSpec
from circuits.margin.units import U

EXTREME_COVER_PPM: Final = 350_000


@dataclass(frozen=True)
class Scenario:
    """A price move and a volatility move (both fractions of the scan ranges) and a cover."""

    name: str
    price_move: float
    vol_up: bool
    cover: float = 1.0

    def spec(self, price_scan: float, vol_scan: float) -> ScenarioSpec:
        """Return the snapshot's descriptive record of this scenario."""
        vol_move = vol_scan if self.vol_up else -vol_scan
        return ScenarioSpec(
            name=self.name,
            price_move_ppm=round(self.price_move * price_scan * U),
            vol_move_ppm=round(vol_move * U),
            cover_ppm=round(self.cover * U),
        )


def span_scenarios(n_scenarios: int) -> list[Scenario]:
    """Return the 16 SPAN scenarios, or for fewer slots the n most severe (full moves first)."""
    grid = [
        Scenario(f"{'+' if m >= 0 else '-'}{abs(m)}/3 vol {'up' if up else 'down'}", m / 3, up)
        for m in (0, 1, -1, 2, -2, 3, -3)
        for up in (True, False)
    ]
    extremes = [
        Scenario("+extreme", 2.0, False, EXTREME_COVER_PPM / U),
        Scenario("-extreme", -2.0, False, EXTREME_COVER_PPM / U),
    ]
    full = grid + extremes
    if n_scenarios == len(full):
        return full
    if not 1 <= n_scenarios < len(full):
        raise MarginInputError(f"the sample supports 1..16 scenarios, not {n_scenarios}")
    by_severity = sorted(full, key=lambda s: -abs(s.price_move * s.cover))
    return by_severity[:n_scenarios]


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def black76(forward: float, strike: float, years: float, vol: float, is_call: bool) -> float:
    """Return the Black-76 value (zero rates) of one option on one unit of the underlying."""
    if years <= 0 or vol <= 0:
        return max(forward - strike, 0.0) if is_call else max(strike - forward, 0.0)
    sd = vol * math.sqrt(years)
    d1 = (math.log(forward / strike) + sd * sd / 2) / sd
    d2 = d1 - sd
    if is_call:
        return forward * _phi(d1) - strike * _phi(d2)
    return strike * _phi(-d2) - forward * _phi(-d1)


@dataclass(frozen=True)
class Market:
    """An underlying's forward price (quote units), volatility and scan ranges."""

    forward: float
    vol: float
    price_scan: float
    vol_scan: float


def option_risk_array(
    market: Market, strike: float, years: float, is_call: bool, scenarios: list[Scenario],
    qq_per_quote: int, scale: int,
) -> list[int]:  # fmt: skip
    """Return the loss in QQ of one long size quantum per scenario, rounded up."""
    now = black76(market.forward, strike, years, market.vol, is_call)
    out = []
    for s in scenarios:
        forward = market.forward * (1 + s.price_move * market.price_scan)
        vol = market.vol * (1 + (market.vol_scan if s.vol_up else -market.vol_scan))
        loss = (now - black76(forward, strike, years, vol, is_call)) * s.cover
        out.append(math.ceil(loss * qq_per_quote / scale))
    return out


def linear_risk_array(
    market: Market, scenarios: list[Scenario], qq_per_quote: int, scale: int
) -> list[int]:
    """Return the loss in QQ of one long quantum of a perp or future, rounded up."""
    return [
        math.ceil(
            -market.forward * s.price_move * market.price_scan * s.cover * qq_per_quote / scale
        )
        for s in scenarios
    ]
