"""Exact conversions and schedule builders shared by the venue profiles.

Venues publish decimal rates ("2.5%", "0.003"), bracket tables ("0-150M: 40x") and
amounts in whole quote units; a zkmargin snapshot wants integers: rates in ppm, money in
quote quantums (QQ). Every conversion here is exact or rounds on the conservative side
(rates and requirements up, collateral down), and says so.

* :func:`bracket_schedule` — a "tax bracket" margin table (Binance's maintenance amount,
  Hyperliquid's maintenance deduction): tier ``k`` starting at notional ``L_k`` with rate
  ``r_k`` is the affine piece ``|N|·r_k − D_k``, ``D_k = D_{k−1} + L_k·(r_k − r_{k−1})``.
* :func:`ratio_tier_schedule` — a tiered collateral ratio (Binance): tier ``k`` from value
  ``L_k`` at ratio ``w_k`` is the piece ``X·w_k + A_k``, ``A_k = A_{k−1} + L_k·(w_{k−1} − w_k)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from circuits.margin.extensions import EXTENDED_VERSION
from circuits.margin.model import (
    CollateralSpec,
    HaircutTier,
    InstrumentSpec,
    MarginTier,
    MarketSnapshot,
    ScenarioSpec,
)
from circuits.margin.option_charges import OptionFormula, OptionRates
from circuits.margin.rounding import RoundingProfile
from circuits.margin.units import U
from zkmargin.riskdesk.errors import RiskInputError

Decimal = str | int | Fraction
"""A published decimal number, written as the venue writes it ("0.025", "2.5%", 40)."""

READ_ON = "2026-12-03"
"""The date the venues' pages were read for the profiles and fixtures."""


def dec(value: Decimal) -> Fraction:
    """Return the exact rational value of a published decimal (``"2.5%"`` → 1/40)."""
    if isinstance(value, Fraction | int):
        return Fraction(value)
    text = value.replace(",", "").replace("_", "").strip()
    try:
        if text.endswith("%"):
            return Fraction(text[:-1]) / 100
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise RiskInputError(f"not a decimal number: {value!r}") from None


def exact_int(value: Fraction, what: str) -> int:
    """Return ``value`` as an int; RiskInputError naming ``what`` if it is not whole."""
    if value.denominator != 1:
        raise RiskInputError(f"{what} = {value} is not a whole number of quanta")
    return value.numerator


def qq(amount: Decimal, quote_decimals: int) -> int:
    """Return an amount of quote units in QQ, exactly (RiskInputError if it needs rounding)."""
    return exact_int(dec(amount) * 10**quote_decimals, f"{amount} at {quote_decimals} decimals")


def ppm_up(rate: Decimal) -> int:
    """Return ``⌈rate·U⌉``: a rate in ppm, rounded up (exact when the rate has ≤ 6 decimals)."""
    return -(-dec(rate).numerator * U // dec(rate).denominator)


def ppm_down(weight: Decimal) -> int:
    """Return ``⌊weight·U⌋``: a collateral weight in ppm, rounded down."""
    return dec(weight).numerator * U // dec(weight).denominator


def bracket_schedule(
    brackets: Sequence[tuple[Decimal, Decimal]], quote_decimals: int
) -> list[MarginTier]:
    """Return the convex tier schedule of a bracket table ``[(lower_bound, rate), …]``.

    Rates are rounded up to ppm; deductions are computed from the exact rates and rounded
    down to QQ, so every piece asks at least what the venue's formula asks.
    """
    tiers: list[MarginTier] = []
    deduction = Fraction(0)
    previous: Fraction | None = None
    for k, (lower, rate) in enumerate(brackets):
        r = dec(rate)
        if previous is None:
            if dec(lower) != 0:
                raise RiskInputError("the first bracket must start at 0")
        else:
            deduction += dec(lower) * (r - previous)
        tiers.append(
            MarginTier(
                rate_ppm=ppm_up(r),
                deduction=int(deduction * 10**quote_decimals) if k else 0,
            )
        )
        previous = r
    return tiers


def bracket_requirement(
    notional: Fraction, brackets: Sequence[tuple[Decimal, Decimal]]
) -> Fraction:
    """Return the venue's tax-bracket requirement ``Σ_k r_k·(min(N, L_{k+1}) − L_k)⁺`` exactly."""
    total = Fraction(0)
    bounds = [dec(lower) for lower, _ in brackets] + [None]
    for (lower, rate), upper in zip(brackets, bounds[1:], strict=True):
        top = notional if upper is None else min(notional, upper)
        if top > dec(lower):
            total += dec(rate) * (top - dec(lower))
    return total


def ratio_tier_schedule(
    tiers: Sequence[tuple[Decimal, Decimal]], quote_decimals: int
) -> list[HaircutTier]:
    """Return the concave haircut schedule of a tiered collateral ratio ``[(lower, ratio), …]``.

    Weights are rounded down to ppm and additions down to QQ: the value never exceeds the
    venue's.
    """
    out: list[HaircutTier] = []
    addition = Fraction(0)
    previous: Fraction | None = None
    for k, (lower, ratio) in enumerate(tiers):
        w = dec(ratio)
        if previous is None:
            if dec(lower) != 0:
                raise RiskInputError("the first collateral tier must start at 0")
        else:
            addition += dec(lower) * (previous - w)
        out.append(
            HaircutTier(
                weight_ppm=ppm_down(w), addition=int(addition * 10**quote_decimals) if k else 0
            )
        )
        previous = w
    return out


def instrument(
    symbol: str,
    *,
    kind: str = "perp",
    size_scale: int,
    mark_price: int,
    maintenance: list[MarginTier],
    initial: list[MarginTier],
    n_scenarios: int,
    risk_array: Sequence[int] | None = None,
    short_option_minimum: int = 0,
) -> InstrumentSpec:
    """Return one instrument slot (risk array of zeros unless given)."""
    return InstrumentSpec.model_validate(
        {
            "symbol": symbol,
            "kind": kind,
            "size_scale": size_scale,
            "mark_price": mark_price,
            "maintenance_tiers": maintenance,
            "initial_tiers": initial,
            "risk_array": list(risk_array) if risk_array is not None else [0] * n_scenarios,
            "short_option_minimum": short_option_minimum,
        }
    )



def formula_option(
    symbol: str,
    *,
    right: str,
    strike: int,
    underlying_price: int,
    mark_price: int,
    size_scale: int,
    maintenance: OptionRates,
    initial: OptionRates,
    n_scenarios: int,
) -> InstrumentSpec:
    """Return an option slot charged by the option formula (bit 17) alone: zero tier rates,
    the formula's per-kind rates at strike ``strike`` and underlying price ``underlying_price``."""
    formula = OptionFormula.model_validate(
        {"right": right, "strike": strike, "underlying_price": underlying_price,
         "maintenance": maintenance, "initial": initial}
    )  # fmt: skip
    base = instrument(
        symbol, kind="option", size_scale=size_scale, mark_price=mark_price,
        maintenance=[MarginTier(rate_ppm=0)], initial=[MarginTier(rate_ppm=0)],
        n_scenarios=n_scenarios,
    )  # fmt: skip
    return InstrumentSpec.model_validate({**base.model_dump(), "option_formula": formula})


def quote_collateral(symbol: str) -> CollateralSpec:
    """Return the quote currency as collateral: price 1 QQ per QQ, full weight, λ = U."""
    return CollateralSpec(
        symbol=symbol, price=1, scale=1, haircut_tiers=[HaircutTier(weight_ppm=U)]
    )


def venue_snapshot(
    instruments: Sequence[InstrumentSpec],
    collateral: Sequence[CollateralSpec],
    *,
    scenarios: Sequence[ScenarioSpec] | None = None,
    quote_decimals: int = 6,
    epoch: int = 1,
    timestamp: int = 1_796_256_000,
    rounding: RoundingProfile = "per_term",
    extended: bool = False,
) -> MarketSnapshot:
    """Return a snapshot whose tier slots are the longest schedules it holds (unpadded).

    A venue rounding profile other than ``per_term`` makes it a version-2 snapshot (feature
    rounding-profile), as does ``extended`` (slots using a version-2 feature such as
    size-rates); otherwise it stays version 1.
    """
    n_s = len(instruments[0].risk_array)
    tier_slots = max(max(len(i.maintenance_tiers), len(i.initial_tiers)) for i in instruments)
    haircut_slots = max(len(c.haircut_tiers) for c in collateral)
    return MarketSnapshot(
        epoch=epoch,
        timestamp=timestamp,
        quote_decimals=quote_decimals,
        tier_slots=tier_slots,
        haircut_tier_slots=haircut_slots,
        scenarios=list(scenarios)
        if scenarios is not None
        else [ScenarioSpec(name=f"s{s}") for s in range(n_s)],
        instruments=list(instruments),
        collateral=list(collateral),
        version=EXTENDED_VERSION if extended or rounding != "per_term" else 1,
        rounding=rounding,
    )
