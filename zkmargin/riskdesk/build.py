"""Deterministic assembly of a margin snapshot from market data and a policy.

``build_snapshot(market, policy, epoch)`` is a pure function: the same inputs give the
same :class:`~circuits.margin.model.MarketSnapshot` (so the same canonical JSON and the
same in-circuit snapshot hash) on every machine. Per underlying it estimates volatility
(:mod:`.volatility`), bounds it against procyclicality and scales fractions
(:mod:`.margins`), derives size tiers from depth (:mod:`.tiers`); perps and futures get
those tiers and a linear risk array, options are margined by Black-76 risk arrays and the
short-option minimum (:mod:`.options`), collateral gets haircut schedules
(:mod:`.haircuts`). The snapshot is padded to the policy's circuit size (a named size or a
custom shape). A report beside it (not hashed in-circuit) records every intermediate figure
and the options' Greeks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from circuits.margin.errors import MarginInputError
from circuits.margin.loading import describe
from circuits.margin.model import (
    CollateralSpec,
    HaircutTier,
    InstrumentSpec,
    MarginTier,
    MarketSnapshot,
)
from circuits.margin.pricing import Scenario, span_scenarios
from circuits.margin.sizes import SIZES, MarginSize, describe_shape, pad_snapshot
from circuits.margin.units import U
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.haircuts import haircut_ppm, haircut_schedule, liability_weight_ppm
from zkmargin.riskdesk.margins import BaseFractions, base_fractions, margin_volatility, oi_factor
from zkmargin.riskdesk.options import (
    SECONDS_PER_YEAR,
    OptionMarket,
    linear_risk_array,
    option_risk_array,
    smile_vol,
)
from zkmargin.riskdesk.schemas import AssetData, InstrumentData, MarketData, Policy
from zkmargin.riskdesk.tiers import capacity, tier_schedule
from zkmargin.riskdesk.volatility import estimate


@dataclass(frozen=True)
class AssetRisk:
    """Everything the snapshot uses about one underlying."""

    symbol: str
    index_price: float
    sigma_current: float
    sigma_long_run: float
    sigma_stressed: float
    sigma_margin: float
    buffer_used: float
    oi_factor: float
    fractions: BaseFractions
    price_scan: float
    unwind_capacity: float
    haircut_ppm: int


@dataclass(frozen=True)
class BuildResult:
    """The snapshot and the report of how it was derived."""

    snapshot: MarketSnapshot
    assets: dict[str, AssetRisk]
    greeks: list[dict[str, Any]]

    def report(self) -> dict[str, Any]:
        """Return the JSON report: per-asset figures and per-option Greeks."""
        return {
            "assets": {
                name: {
                    "index_price": a.index_price,
                    "sigma_daily": {
                        "current": a.sigma_current,
                        "long_run": a.sigma_long_run,
                        "stressed": a.sigma_stressed,
                        "margin": a.sigma_margin,
                    },
                    "buffer_used": round(a.buffer_used, 6),
                    "oi_factor": round(a.oi_factor, 6),
                    "maintenance_ppm": a.fractions.maintenance_ppm,
                    "initial_ppm": a.fractions.initial_ppm,
                    "price_scan": a.price_scan,
                    "unwind_capacity": a.unwind_capacity,
                    "haircut_ppm": a.haircut_ppm,
                }
                for name, a in self.assets.items()
            },
            "options": self.greeks,
        }


def asset_risk(asset: AssetData, policy: Policy) -> AssetRisk:
    """Return the volatility, fractions, scan range and capacity of one underlying."""
    needed = policy.lookback_days + 1
    if len(asset.closes) < needed:
        raise RiskInputError(
            f"policy/inputs mismatch: the policy's lookback needs {needed} closes of"
            f" {asset.symbol}, the market data has {len(asset.closes)}"
        )
    est = estimate(asset.closes[-needed:], policy.volatility)
    vol = margin_volatility(est, policy.anti_procyclicality)
    factor = oi_factor(asset.open_interest, asset.depth, policy.tiers)
    fractions = base_fractions(vol.sigma, policy.maintenance, policy.initial, factor)
    return AssetRisk(
        symbol=asset.symbol,
        index_price=asset.index_price,
        sigma_current=est.current,
        sigma_long_run=est.long_run,
        sigma_stressed=est.stressed,
        sigma_margin=vol.sigma,
        buffer_used=vol.buffer_used,
        oi_factor=factor,
        fractions=fractions,
        price_scan=fractions.maintenance_ppm / U,
        unwind_capacity=capacity(
            asset.depth, policy.tiers.participation, policy.maintenance.mpor_days
        ),
        haircut_ppm=haircut_ppm(vol.sigma, policy.haircuts),
    )


def _linear(
    inst: InstrumentData, risk: AssetRisk, policy: Policy, scenarios: list[Scenario], qq: int
) -> InstrumentSpec:
    assert inst.mark_price is not None  # guaranteed by InstrumentData's validator
    breakpoints = policy.tiers.breakpoints
    return InstrumentSpec(
        symbol=inst.symbol,
        kind=inst.kind,
        size_scale=inst.size_scale,
        mark_price=round(inst.mark_price * qq),
        funding_index=inst.funding_index,
        maintenance_tiers=tier_schedule(
            risk.fractions.maintenance_ppm, risk.unwind_capacity, breakpoints, qq
        ),
        initial_tiers=tier_schedule(
            risk.fractions.initial_ppm, risk.unwind_capacity, breakpoints, qq
        ),
        risk_array=linear_risk_array(
            inst.mark_price, risk.price_scan, scenarios, qq, inst.size_scale
        ),
    )


def _option(
    inst: InstrumentData,
    market: MarketData,
    risk: AssetRisk,
    policy: Policy,
    scenarios: list[Scenario],
    qq: int,
) -> tuple[InstrumentSpec, dict[str, Any]]:
    assert inst.strike is not None and inst.expiry is not None
    asset = market.asset(inst.underlying)
    vol = smile_vol(asset.smile, inst.expiry, inst.strike, f"instrument {inst.symbol}")
    option = OptionMarket(
        asset.index_price,
        inst.strike,
        (inst.expiry - market.as_of) / SECONDS_PER_YEAR,
        vol,
        inst.option_type == "call",
    )
    value = option.value()
    zero = [MarginTier(rate_ppm=0)]
    spec = InstrumentSpec(
        symbol=inst.symbol,
        kind="option",
        size_scale=inst.size_scale,
        mark_price=round(value.price * qq),
        maintenance_tiers=zero,
        initial_tiers=zero,
        risk_array=option_risk_array(
            option, risk.price_scan, policy.options.vol_scan, scenarios, qq, inst.size_scale
        ),
        short_option_minimum=math.ceil(
            policy.options.short_option_minimum * asset.index_price * qq / inst.size_scale
        ),
    )
    greeks = {
        "symbol": inst.symbol,
        "implied_vol": vol,
        "price": value.price,
        "delta": value.delta,
        "gamma": value.gamma,
        "vega": value.vega,
    }
    return spec, greeks


def _collateral(
    market: MarketData, risks: dict[str, AssetRisk], policy: Policy, qq: int
) -> list[CollateralSpec]:
    out = []
    for coll in market.collateral:
        if coll.asset is None:
            out.append(
                CollateralSpec(
                    symbol=coll.symbol,
                    price=qq,
                    scale=coll.scale,
                    haircut_tiers=[HaircutTier(weight_ppm=U)],
                )
            )
            continue
        risk = risks[coll.asset]
        depth = market.asset(coll.asset).depth
        out.append(
            CollateralSpec(
                symbol=coll.symbol,
                price=round(risk.index_price * qq),
                scale=coll.scale,
                haircut_tiers=haircut_schedule(risk.haircut_ppm, depth, policy.haircuts, qq),
                liability_weight_ppm=liability_weight_ppm(risk.haircut_ppm),
            )
        )
    return out


def check_fits_policy(market: MarketData, policy: Policy, size: MarginSize) -> None:
    """Raise RiskInputError unless the market's slots and the policy's tier and haircut
    schedules (at most one piece per breakpoint beyond the first) fit the size."""
    problems = []
    if len(market.instruments) > size.n_instruments:
        problems.append(f"{len(market.instruments)} instruments > {size.n_instruments} slots")
    if len(market.collateral) > size.n_collateral:
        problems.append(f"{len(market.collateral)} collateral assets > {size.n_collateral} slots")
    if 1 + len(policy.tiers.breakpoints) > size.tier_slots:
        problems.append(f"{1 + len(policy.tiers.breakpoints)} tiers > {size.tier_slots} slots")
    haircut_tiers = 1 + len(policy.haircuts.band_breakpoints())
    if haircut_tiers > size.haircut_tier_slots:
        problems.append(
            f"{haircut_tiers} haircut tiers > {size.haircut_tier_slots} haircut tier slots"
        )
    if problems:
        label = size.name if SIZES.get(size.name) == size else describe_shape(size)
        raise RiskInputError(
            f"policy/inputs mismatch: size {label} does not fit: {'; '.join(problems)}"
        )


def _first_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return describe(error)
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def build_snapshot(market: MarketData, policy: Policy, epoch: int) -> BuildResult:
    """Return the snapshot for ``epoch`` derived from ``market`` under ``policy``.

    The snapshot has exactly the shape of ``policy.margin_size()``: a named size or the
    policy's custom shape.

    Raises:
        RiskInputError: the inputs do not fit the policy (history too short, too many
            instruments for the size, a missing smile quote, a value out of range).
    """
    size = policy.margin_size()
    check_fits_policy(market, policy, size)
    qq = 10**market.quote_decimals
    scenarios = span_scenarios(size.n_scenarios)
    risks = {asset.symbol: asset_risk(asset, policy) for asset in market.assets}
    instruments, greeks = [], []
    try:
        for inst in market.instruments:
            risk = risks[inst.underlying]
            if inst.kind == "option":
                spec, option_greeks = _option(inst, market, risk, policy, scenarios, qq)
                instruments.append(spec)
                greeks.append(option_greeks)
            else:
                instruments.append(_linear(inst, risk, policy, scenarios, qq))
        snapshot = MarketSnapshot(
            epoch=epoch,
            timestamp=market.as_of,
            quote_decimals=market.quote_decimals,
            tier_slots=size.tier_slots,
            haircut_tier_slots=size.haircut_tier_slots,
            scenarios=[s.spec(1.0, policy.options.vol_scan) for s in scenarios],
            instruments=instruments,
            collateral=_collateral(market, risks, policy, qq),
        )
        padded = pad_snapshot(snapshot, size)
    except (ValueError, OverflowError, MarginInputError) as error:
        raise RiskInputError(f"the inputs give an invalid snapshot: {_first_line(error)}") from None
    return BuildResult(padded, risks, greeks)
