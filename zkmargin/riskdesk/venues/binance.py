"""Binance position tiers and collateral-ratio tiers as zkmargin schedules.

Sources (read 2026-12-03):

* Cross Margin Pro position tiers, https://www.binance.com/en/margin-fee — a liability's
  margin is tiered by its value in USDT, "Liability token Maintenance Margin = Token
  Liability in USDT * Maintenance Margin Rate − Maintenance Amount" (the tax-bracket form of
  :func:`~zkmargin.riskdesk.venues.common.bracket_schedule`); the initial margin is the same
  bracket sum at the initial rates.
* Cross Margin collateral haircuts,
  https://www.binance.com/en-BH/support/faq/binance-cross-margin-collateral-haircuts-4bec9126c021472285b20874f9380dfb
  — "Collateral Value (USDT) = (100,000,000) * 100% + (120,000,000 − 100,000,000) * 97.5%":
  the concave "min of affine pieces" of
  :func:`~zkmargin.riskdesk.venues.common.ratio_tier_schedule`.

A borrowed token is expressed as a short spot position (an instrument slot whose size is
the negative liability and whose cost basis holds the borrowed proceeds in USDT), so its
tiered requirement applies to ``|N|`` = the liability's USDT value and its equity
contribution ``N + B`` is the liability's mark-to-market.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from circuits.margin.model import CollateralSpec, InstrumentSpec
from zkmargin.riskdesk.venues.common import (
    Decimal,
    bracket_requirement,
    bracket_schedule,
    dec,
    instrument,
    ratio_tier_schedule,
)


@dataclass(frozen=True)
class Bracket:
    """One position tier: liability value from ``lower`` (USDT) at the MMR and IMR."""

    lower: int
    maintenance_rate: str
    initial_rate: str


def maintenance_margin(liability_usdt: Fraction, brackets: list[Bracket]) -> Fraction:
    """Return the venue's maintenance margin of a liability, exactly (bracket sum)."""
    return bracket_requirement(liability_usdt, [(b.lower, b.maintenance_rate) for b in brackets])


def initial_margin(liability_usdt: Fraction, brackets: list[Bracket]) -> Fraction:
    """Return the venue's initial margin of a liability, exactly (bracket sum)."""
    return bracket_requirement(liability_usdt, [(b.lower, b.initial_rate) for b in brackets])


def liability(
    symbol: str,
    brackets: list[Bracket],
    *,
    price: int,
    size_scale: int,
    n_scenarios: int,
    quote_decimals: int = 6,
) -> InstrumentSpec:
    """Return the slot of a borrowable token margined by its position tiers."""
    return instrument(
        symbol,
        size_scale=size_scale,
        mark_price=price,
        maintenance=bracket_schedule(
            [(b.lower, b.maintenance_rate) for b in brackets], quote_decimals
        ),
        initial=bracket_schedule([(b.lower, b.initial_rate) for b in brackets], quote_decimals),
        n_scenarios=n_scenarios,
    )


def collateral_value(value_usdt: Fraction, tiers: list[tuple[Decimal, Decimal]]) -> Fraction:
    """Return the venue's tiered collateral value ``Σ_k w_k·(min(X, L_{k+1}) − L_k)⁺``."""
    return bracket_requirement(value_usdt, [(lower, dec(ratio)) for lower, ratio in tiers])


def tiered_collateral(
    symbol: str,
    tiers: list[tuple[Decimal, Decimal]],
    *,
    price: int,
    scale: int,
    quote_decimals: int = 6,
) -> CollateralSpec:
    """Return a collateral asset valued by its tiered collateral ratio."""
    return CollateralSpec(
        symbol=symbol, price=price, scale=scale,
        haircut_tiers=ratio_tier_schedule(tiers, quote_decimals),
    )  # fmt: skip
