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
snapshot per kind (initial weight = BASE_DISCOUNT·BASE_DISCOUNT_SCALE).

Short options (:func:`option`, version-2 option formula, bit 17). Parameters (read
2026-12-04, https://docs.derive.xyz/docs/copy-of-standard-margin-parameters, "Isolated Option
Margin Parameters", ETH/BTC): ``SHORT_OPTION_IM_MAX`` 0.15, ``SHORT_OPTION_IM_MIN`` 0.13,
``CALL_MM`` 0.09, ``PUT_MM`` 0.09, ``PUT_MTM`` 0.09, ``MTM_OFFSET`` 1.05. The formula is not
in the stored docs pages (the Standard Margin page's copy stops before it); it is transcribed
from the chain code (read 2026-12-04, derivexyz/v2-core commit 0131e42,
``src/risk-managers/StandardManager.sol``, ``_getIsolatedMarginForCall`` /
``_getIsolatedMarginForPut``). Per short unit, with ``m = max(IM_MAX − OTM/S, IM_MIN)`` and
``V = P`` the option's mark-to-market, Derive's isolated margin is ``−(req + V)`` with

* call MM ``CALL_MM·S``; call IM ``m·S = max(IM_MAX·S − OTM, IM_MIN·S)``;
* put MM ``max(PUT_MM·S, PUT_MTM·P)``;
* put IM ``max(m·S, MTM_OFFSET·(max(PUT_MM·S, PUT_MTM·P) + P) − P)``.

The mark-to-market ``V`` is the short's value, which zkmargin's equity already holds
(``q·P/scale``), so ``μ = 0`` and the calls and the put MM are the option formula exactly
(``α, β = 1, γ`` resp. ``α, δ``). The put IM's second branch is
``MTM_OFFSET·PUT_MM·S + (MTM_OFFSET − 1)·P`` — a piece on S *and* P — so it is not one fixed
set of ``α, β, γ, δ, μ``. Two ways to express it:

* ``put_initial="exact"`` (default): S, K and P are public snapshot values, so the profile
  evaluates both branches at them and writes the binding branch's rates (``α = IM_MAX, β = 1,
  γ = IM_MIN`` or ``α = MTM_OFFSET·PUT_MM, δ = MTM_OFFSET·PUT_MTM, μ = MTM_OFFSET − 1``): exact
  for that snapshot (the rates depend on its prices, and anyone can recompute them);
* ``put_initial="bound"``: price-independent rates ``α = IM_MAX, β = 1, γ = max(IM_MIN,
  MTM_OFFSET·PUT_MM), δ = MTM_OFFSET·PUT_MTM, μ = MTM_OFFSET − 1``: never below Derive, above it
  by at most ``(MTM_OFFSET − 1)·P`` = 5 % of the mark per short unit.

Not modelled (each noted in docs/margin-model.md): the per-expiry max-loss / unpaired-call
offset (Derive takes the better of it and the isolated sum, so the isolated margin here is
never below Derive's), the oracle-confidence and USDC-depeg IM add-ons (zero while feeds are
confident and USDC ≥ 0.99; otherwise Derive asks more), and long options, which Derive's
standard margin gives no value outside same-expiry spreads while zkmargin counts their mark in
equity — this profile is for short options.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from circuits.margin.model import CollateralSpec, HaircutTier, InstrumentSpec, MarginTier
from circuits.margin.option_charges import OptionRates
from circuits.margin.statement import REQUIREMENT_INITIAL
from circuits.margin.units import U
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.venues.common import dec, formula_option, instrument, ppm_down, ppm_up


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


@dataclass(frozen=True)
class OptionParams:
    """A Derive market's isolated option margin parameters (published decimals)."""

    im_max: str
    im_min: str
    call_mm: str
    put_mm: str
    put_mtm: str
    mtm_offset: str


ETH_BTC_OPTIONS = OptionParams("0.15", "0.13", "0.09", "0.09", "0.09", "1.05")
"""The ETH and BTC column of "Isolated Option Margin Parameters" (module docstring)."""

PutInitial = Literal["exact", "bound"]


def _put_offset_binds(params: OptionParams, strike: int, spot: int, mark: int) -> bool:
    """Return whether the put IM's ``MTM_OFFSET·MM`` branch exceeds the isolated one."""
    otm = max(spot - strike, 0)
    isolated = max(dec(params.im_max) * spot - otm, dec(params.im_min) * spot)
    mm = max(dec(params.put_mm) * spot, dec(params.put_mtm) * mark)
    return dec(params.mtm_offset) * (mm + mark) - mark > isolated


def option_rates(
    params: OptionParams, right: str, *, strike: int, spot: int, mark: int,
    put_initial: PutInitial = "exact",
) -> tuple[OptionRates, OptionRates]:  # fmt: skip
    """Return ``(maintenance, initial)`` rates of a short ``right`` (module docstring).

    Raises:
        RiskInputError: an unknown right or ``put_initial``, or ``MTM_OFFSET < 1``.
    """
    if right not in ("call", "put"):
        raise RiskInputError(f"option right must be call or put, not {right!r}")
    if put_initial not in ("exact", "bound"):
        raise RiskInputError(f"put_initial must be exact or bound, not {put_initial!r}")
    offset = dec(params.mtm_offset)
    if offset < 1:
        raise RiskInputError(f"MTM_OFFSET {params.mtm_offset} below 1 is not supported")
    isolated = OptionRates(underlying_ppm=ppm_up(params.im_max), otm_ppm=U,
                           floor_ppm=ppm_up(params.im_min))  # fmt: skip
    if right == "call":
        return OptionRates(underlying_ppm=ppm_up(params.call_mm)), isolated
    maintenance = OptionRates(underlying_ppm=ppm_up(params.put_mm),
                              mark_floor_ppm=ppm_up(params.put_mtm))  # fmt: skip
    spot_offset = ppm_up(offset * dec(params.put_mm))
    mark_offset = ppm_up(offset * dec(params.put_mtm))
    extra = ppm_up(offset - 1)
    if put_initial == "bound":
        initial = OptionRates(
            underlying_ppm=ppm_up(params.im_max), otm_ppm=U,
            floor_ppm=max(ppm_up(params.im_min), spot_offset), mark_floor_ppm=mark_offset,
            mark_ppm=extra,
        )  # fmt: skip
    elif _put_offset_binds(params, strike, spot, mark):
        initial = OptionRates(underlying_ppm=spot_offset, mark_floor_ppm=mark_offset,
                              mark_ppm=extra)  # fmt: skip
    else:
        initial = isolated
    return maintenance, initial


def option(
    params: OptionParams, symbol: str, *, right: str, strike: int, spot: int, mark_price: int,
    size_scale: int, n_scenarios: int = 1, put_initial: PutInitial = "exact",
) -> InstrumentSpec:  # fmt: skip
    """Return a short-option slot: strike, spot and mark in QQ per whole unit (module
    docstring; the mark is Derive's mark-to-market per option).

    Raises:
        RiskInputError: see :func:`option_rates`.
    """
    maintenance, initial = option_rates(params, right, strike=strike, spot=spot,
                                        mark=mark_price, put_initial=put_initial)  # fmt: skip
    return formula_option(
        symbol, right=right, strike=strike, underlying_price=spot,
        mark_price=mark_price, size_scale=size_scale, maintenance=maintenance, initial=initial,
        n_scenarios=n_scenarios,
    )  # fmt: skip
