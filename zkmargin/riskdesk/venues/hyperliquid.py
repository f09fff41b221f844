"""Hyperliquid margin tables as zkmargin tier schedules.

Source: https://hyperliquid.gitbook.io/hyperliquid-docs/trading/margin-tiers (read 2026-12-03):
``maintenance_margin = notional_position_value * maintenance_margin_rate − maintenance_deduction``,
``maintenance_margin_rate(tier n) = (initial margin rate at maximum leverage at tier n) / 2`` and
``maintenance_deduction(n) = maintenance_deduction(n − 1) + notional_position_lower_bound(n) ·
(rate(n) − rate(n − 1))`` — exactly the tax-bracket form of
:func:`~zkmargin.riskdesk.venues.common.bracket_schedule`. The initial schedule is the same
table at the maximum leverage (rate ``1/L``, deductions doubled): the requirement of a
position opened at the maximum leverage each tier allows. Rates ``1/(2L)`` that are not whole
ppm (3x: 16.666…%) are rounded up, which makes the schedule conservative by
``|N|·(⌈r·U⌉/U − r)`` (measured in ``tests/margin/venues/test_hyperliquid.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from circuits.margin.model import InstrumentSpec, MarginTier
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.venues.common import bracket_requirement, bracket_schedule, instrument


@dataclass(frozen=True)
class MarginTable:
    """A margin table: ``(lower bound of notional in USDC, max leverage)`` per tier."""

    tiers: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        if not self.tiers or self.tiers[0][0] != 0 or any(lev < 1 for _, lev in self.tiers):
            raise RiskInputError("a margin table starts at 0 and has leverages ≥ 1")

    def maintenance_brackets(self) -> list[tuple[int, Fraction]]:
        """Return ``(lower bound, maintenance rate 1/(2L))`` per tier."""
        return [(lower, Fraction(1, 2 * lev)) for lower, lev in self.tiers]

    def initial_brackets(self) -> list[tuple[int, Fraction]]:
        """Return ``(lower bound, initial rate at max leverage 1/L)`` per tier."""
        return [(lower, Fraction(1, lev)) for lower, lev in self.tiers]


BTC_MAINNET = MarginTable(((0, 40), (150_000_000, 20)))
"""BTC, mainnet: "0-150M 40, >150M 20"."""
BTC_TESTNET = MarginTable(((0, 40), (10_000, 25), (50_000, 10), (100_000, 5), (300_000, 3)))
"""BTC, testnet: "0-10k 40, 10-50k 25, 50-100k 10, 100k-300k 5, >300k 3"."""


def maintenance_margin(notional_usd: Fraction, table: MarginTable) -> Fraction:
    """Return the venue's maintenance margin ``N·rate(n) − deduction(n)`` in USDC, exactly."""
    return bracket_requirement(notional_usd, table.maintenance_brackets())


def schedules(table: MarginTable, quote_decimals: int) -> tuple[list[MarginTier], list[MarginTier]]:
    """Return the (maintenance, initial) tier schedules of ``table``."""
    return (
        bracket_schedule(table.maintenance_brackets(), quote_decimals),
        bracket_schedule(table.initial_brackets(), quote_decimals),
    )


def perp(
    symbol: str,
    table: MarginTable,
    *,
    mark_price: int,
    size_scale: int,
    n_scenarios: int,
    quote_decimals: int = 6,
) -> InstrumentSpec:
    """Return a Hyperliquid perp slot: mark in QQ per whole coin, ``size_scale`` quanta a coin."""
    maintenance, initial = schedules(table, quote_decimals)
    return instrument(
        symbol, size_scale=size_scale, mark_price=mark_price,
        maintenance=maintenance, initial=initial, n_scenarios=n_scenarios,
    )  # fmt: skip


def leverage_tables(tables: Sequence[MarginTable]) -> int:
    """Return the number of tier slots the tables need (the longest table)."""
    return max(len(t.tiers) for t in tables)
