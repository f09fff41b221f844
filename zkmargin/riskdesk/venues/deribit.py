"""Deribit's size-linear futures margin as chord tiers, exact at chosen sizes.

Source (read 2026-12-03): https://test.deribit.com/pages/docs/futures — "Initial margin:
Starting with 2.0% (50x leverage trading), linearly increasing 0.5% per 100BTC increase in
position size", with the worked examples 25 BTC → 2.125 % (= 0.53125 BTC) and 350 BTC →
3.75 % (= 13.125 BTC); "Maintenance margin: Starting with 1.5%, linearly increasing with
0.5% per 100BTC increase in position size".

The venue's requirement is quadratic in size, ``M(s) = s·(base + slope·s)``: convex, so
the "max of affine pieces" through chosen sizes ``s_0 = 0 < s_1 < … < s_k`` (the chords)
is **exact at every chosen size, above the venue's formula between them, and below it
beyond the last one**. A publisher must therefore choose the last size at or above the
largest position any account may hold (Deribit's position limits), or wait for the
affine-in-size fraction (issue #15 item 2). Quote currency: BTC, QQ = 1 satoshi.

Options (:func:`option`, :func:`option_snapshot`): Deribit's option margins as published in
its "margin requirements calculation" (read 2026-12-03 from doc.tslab.pro's copy,
https://doc.tslab.pro/tslab/eng/data-providers/connection-to-broker/deribit-cryptocurrency-exchange/deribit-margin-requirements-calculation),
per 1-BTC contract, in BTC: short call IM ``Maximum(0.15 − OTM amount/underlying, 0.1) +
mark``, MM ``0.075 + mark``; short put IM ``Maximum(that IM, MM)``, MM
``Maximum(0.075, 0.075·mark) + mark``. Coin-margined: the quote asset is the coin, the
underlying price ``S`` is one coin (10^8 satoshi) and the strike is ``K_usd/S_usd`` coins, so
"0.15" is ``0.15·S`` and the rule is the version-2 option formula (bit 17) with
``α = 0.15, β = 1, γ = 0.1, μ = 1`` (call IM), ``α = 0.075, μ = 1`` (call MM),
``α = 0.075, δ = 0.075, μ = 1`` (put MM) and all four for the put IM (``0.1·S ≥ 0.075·S``, so
``max(IM, MM) = max(0.15·S − OTM, 0.1·S, 0.075·P) + P``): exact, rounded up once per position
to the satoshi. Longs are not charged.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

from circuits.margin.model import InstrumentSpec, MarginTier, MarketSnapshot
from circuits.margin.option_charges import OptionRates
from circuits.margin.size_rate_model import KindSizeRates, SizeRate
from circuits.margin.units import U
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.venues.common import (
    Decimal,
    dec,
    exact_int,
    formula_option,
    instrument,
    ppm_up,
    quote_collateral,
    venue_snapshot,
)

SATOSHI_DECIMALS = 8
INITIAL = ("2.0%", "0.5%")
"""(base, increase per 100 BTC) of the initial margin rate."""
MAINTENANCE = ("1.5%", "0.5%")


def margin_rate(size_btc: Fraction, rule: tuple[str, str]) -> Fraction:
    """Return the venue's rate ``base + size/100·slope`` at ``|size|`` BTC."""
    base, per_100 = dec(rule[0]), dec(rule[1])
    return base + abs(size_btc) / 100 * per_100


def margin_btc(size_btc: Fraction, rule: tuple[str, str]) -> Fraction:
    """Return the venue's margin ``|size|·rate`` in BTC."""
    return abs(size_btc) * margin_rate(size_btc, rule)


def chord_schedule(sizes_btc: Sequence[int], rule: tuple[str, str]) -> list[MarginTier]:
    """Return the chords of ``M(s)`` through ``0 < s_1 < … < s_k`` BTC as tier pieces.

    Raises:
        RiskInputError: the sizes do not increase, or a chord is not whole ppm / satoshi.
    """
    points = [0, *sizes_btc]
    if any(b <= a for a, b in itertools.pairwise(points)):
        raise RiskInputError("chord sizes must be positive and increasing")
    tiers: list[MarginTier] = []
    for a, b in itertools.pairwise(points):
        ma, mb = margin_btc(Fraction(a), rule), margin_btc(Fraction(b), rule)
        slope = (mb - ma) / (b - a)
        deduction = slope * a - ma
        tiers.append(
            MarginTier(
                rate_ppm=exact_int(slope * U, f"chord rate {a}..{b} BTC"),
                deduction=exact_int(
                    deduction * 10**SATOSHI_DECIMALS, f"chord deduction at {a} BTC"
                ),
            )
        )
    return tiers


def future(
    symbol: str, *, sizes_btc: Sequence[int], size_scale: int, n_scenarios: int
) -> InstrumentSpec:
    """Return a futures slot in BTC terms: a position of one BTC is worth 10^8 satoshi."""
    return instrument(
        symbol, kind="future", size_scale=size_scale, mark_price=10**SATOSHI_DECIMALS,
        maintenance=chord_schedule(sizes_btc, MAINTENANCE),
        initial=chord_schedule(sizes_btc, INITIAL), n_scenarios=n_scenarios,
    )  # fmt: skip


SIZE_RATE_CAP_PPM = 10 * U
"""The size-rate feature's largest rate (1000 %): Deribit's rate reaches it at ≈ 196 000 BTC
(initial), beyond which the sized future would be below the venue."""


def size_rate(rule: tuple[str, str]) -> SizeRate:
    """Return ``base + slope·|size|`` with slope in ppm per whole BTC (exact or refused).

    Raises:
        RiskInputError: the base or the per-BTC slope is not a whole ppm.
    """
    base = exact_int(dec(rule[0]) * U, "base rate")
    slope = exact_int(dec(rule[1]) / 100 * U, "rate per BTC")
    return SizeRate(base_ppm=base, slope_ppm=slope, cap_ppm=SIZE_RATE_CAP_PPM)


def sized_future(symbol: str, *, size_scale: int, n_scenarios: int) -> InstrumentSpec:
    """Return a futures slot whose rates are Deribit's affine rule itself (version-2
    size-rates, bit 0): ``⌈|q|·P·(base·scale + slope·|q|)/(U·scale²)⌉`` satoshi is the venue's
    ``|size|·(base + slope·|size|)`` rounded up, at every size up to the cap."""
    base = instrument(
        symbol, kind="future", size_scale=size_scale, mark_price=10**SATOSHI_DECIMALS,
        maintenance=[MarginTier(rate_ppm=0)], initial=[MarginTier(rate_ppm=0)],
        n_scenarios=n_scenarios,
    )  # fmt: skip
    rates = KindSizeRates(maintenance=size_rate(MAINTENANCE), initial=size_rate(INITIAL))
    return base.model_copy(update={"size_rates": rates})


OPTION_IM = ("0.15", "0.1")
"""(rate on the underlying before the OTM reduction, floor) of a short option's IM."""
OPTION_MM = "0.075"
"""A short option's MM rate on the underlying (and, for a put, on its mark)."""


def option_rates(right: str) -> tuple[OptionRates, OptionRates]:
    """Return ``(maintenance, initial)`` option-formula rates of a short ``right``.

    Raises:
        RiskInputError: ``right`` is neither ``"call"`` nor ``"put"``.
    """
    if right not in ("call", "put"):
        raise RiskInputError(f"option right must be call or put, not {right!r}")
    top, floor = (ppm_up(r) for r in OPTION_IM)
    mm = ppm_up(OPTION_MM)
    mark_floor = mm if right == "put" else 0
    maintenance = OptionRates(underlying_ppm=mm, mark_floor_ppm=mark_floor, mark_ppm=U)
    initial = OptionRates(underlying_ppm=top, otm_ppm=U, floor_ppm=floor,
                          mark_floor_ppm=mark_floor, mark_ppm=U)  # fmt: skip
    return maintenance, initial


def coin_strike(strike_usd: Decimal, spot_usd: Decimal) -> int:
    """Return the strike in satoshi per coin, ``K_usd/S_usd·10^8`` (exact or refused).

    Raises:
        RiskInputError: the strike is not a whole number of satoshi at this spot.
    """
    return exact_int(
        dec(strike_usd) / dec(spot_usd) * 10**SATOSHI_DECIMALS, f"strike {strike_usd} USD in BTC"
    )


def option(
    symbol: str, *, right: str, strike: int, mark_price: int, size_scale: int,
    n_scenarios: int = 1,
) -> InstrumentSpec:  # fmt: skip
    """Return a coin-margined option slot: S = one coin, strike and mark in satoshi per coin.

    Raises:
        RiskInputError: ``right`` is neither ``"call"`` nor ``"put"``.
    """
    maintenance, initial = option_rates(right)
    return formula_option(
        symbol, right=right, strike=strike, underlying_price=10**SATOSHI_DECIMALS,
        mark_price=mark_price, size_scale=size_scale, maintenance=maintenance, initial=initial,
        n_scenarios=n_scenarios,
    )  # fmt: skip


def option_snapshot(options: Sequence[InstrumentSpec], *, epoch: int = 1) -> MarketSnapshot:
    """Return a version-2 snapshot of option slots with BTC (satoshi) as collateral slot 0."""
    return venue_snapshot(
        options, [quote_collateral("BTC")], quote_decimals=SATOSHI_DECIMALS, epoch=epoch,
        extended=True,
    )  # fmt: skip
