"""Derive (formerly Lyra) standard-manager perps and base collateral as zkmargin slots.

Sources (read 2026-12-03): https://docs.derive.xyz/docs/standard-margin-1 ("Perp Margin is
the margin requirement for all perpetuals in the account, calculated as a simple percentage
of the underlying's spot price"; "Base Collateral is the value of the base asset held in the
subaccount (with a risk based haircut)") and the parameter table
https://docs.derive.xyz/docs/standard-manager-parameters (``PERP_REQ_MM`` 0.05 for ETH and
BTC, ``PERP_REQ_IM`` 0.066; ``BASE_DISCOUNT`` 0.8 ETH / 0.75 BTC, scaled by
``BASE_DISCOUNT_SCALE`` 0.9375 / 0.93 for the initial margin; ``SHORT_OPTION_IM_MAX`` 0.15 …).

What the current model expresses: the perp requirement as a flat fraction of ``|N|`` — exact
when the perp's mark equals the spot (Derive charges the *spot* price, issue #15 item 4
"rates on the underlying's notional"); base collateral as a flat weight per kind, so one
snapshot per kind (initial weight = BASE_DISCOUNT·BASE_DISCOUNT_SCALE). Derive's isolated
short-option margin (``max``/``min`` spot requirements with an OTM reduction, different IM
and MM) awaits per-kind option charges (issue #15 item 4).
"""

from __future__ import annotations

from dataclasses import dataclass

from circuits.margin.model import CollateralSpec, HaircutTier, InstrumentSpec, MarginTier
from circuits.margin.statement import REQUIREMENT_INITIAL
from zkmargin.riskdesk.venues.common import dec, instrument, ppm_down, ppm_up


@dataclass(frozen=True)
class Market:
    """A Derive market's standard-manager parameters (published decimals)."""

    symbol: str
    perp_req_mm: str
    perp_req_im: str
    base_discount: str | None
    base_discount_scale: str | None


ETH = Market("ETH", "0.05", "0.066", "0.8", "0.9375")
BTC = Market("BTC", "0.05", "0.066", "0.75", "0.93")


def perp(market: Market, *, mark_price: int, size_scale: int, n_scenarios: int) -> InstrumentSpec:
    """Return the market's perp slot (mark = spot assumed, see the module docstring)."""
    return instrument(
        f"{market.symbol}-PERP", size_scale=size_scale, mark_price=mark_price,
        maintenance=[MarginTier(rate_ppm=ppm_up(market.perp_req_mm))],
        initial=[MarginTier(rate_ppm=ppm_up(market.perp_req_im))], n_scenarios=n_scenarios,
    )  # fmt: skip


def base_weight(market: Market, kind: int) -> str:
    """Return the base asset's collateral weight for ``kind`` as an exact decimal string."""
    if market.base_discount is None or market.base_discount_scale is None:
        return "0"
    weight = dec(market.base_discount)
    if kind == REQUIREMENT_INITIAL:
        weight *= dec(market.base_discount_scale)
    return f"{weight.numerator}/{weight.denominator}"


def base_collateral(market: Market, kind: int, *, price: int, scale: int) -> CollateralSpec:
    """Return the base asset's collateral slot for requirement ``kind``."""
    return CollateralSpec(
        symbol=market.symbol, price=price, scale=scale,
        haircut_tiers=[HaircutTier(weight_ppm=ppm_down(base_weight(market, kind)))],
    )  # fmt: skip
