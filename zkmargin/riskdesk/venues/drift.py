"""Drift v2 as zkmargin slots: spot-asset weights (collateral) and perp margin ratios.

Sources (read 2026-12-03): https://docs.drift.trade/getting-started/cross-collateral-deposits
— the margin-parameter table (e.g. "SOL | 80%* | 90% | 120% | 110% | 0.003") and the worked
example "weight = min (.80, 1.1 / [ 1 + (0.003 * sqrt(2000)] ) = min(.80, ~.96987) = .80"
(the IMF factor "acts as a discount on account size"); the on-chain integer forms in
github.com/drift-labs/protocol-v2 ``programs/drift/src/math/margin.rs``. Read 2026-12-04:
the same repository's ``programs/drift/src/state/perp_market.rs`` (``PerpMarket::
get_margin_ratio``) for the perp margin ratio.

Collateral. The model has one weight set per asset and snapshot, shared by both
requirement kinds, while Drift's initial and maintenance weights differ: this profile
builds one snapshot per kind (:func:`collateral` and :func:`sized_collateral` take the
kind). Version 1 (:func:`collateral`): the flat weight, exact up to
:func:`discount_free_balance`, *above* Drift beyond it (refused as exact there). Version 2
(:func:`sized_collateral`, size-weights): the size discount ``min(w, 1.1/(1 + f·√size))``
and the borrow premium ``max(λ, λ − λ/5 + f·√size)`` themselves.

Perps (:func:`sized_perp`, version 2, size-rates bit 0). Drift's margin ratio of a position
of ``size`` base units is ``max(r, r − r/5 + f·√size)`` (on chain ``r`` is the market's
``margin_ratio_initial`` or ``margin_ratio_maintenance`` at 10^-4 with ``r/5`` floored, ``f``
its ``imf_factor`` at 10^-6); the premium binds above :func:`perp_premium_crossover`.
Drift rounds every step down (``isqrt(10·size + 1)``, the premium ratio to 10^-4, the
notional and the requirement to the QQ); the size-rate feature rounds up (a root of one
quantum more, the exact notional, a ceiling). So the requirement is **never below
Drift's**, and above it by less than ``N·(100 + f/10^4)/10^6 + 3`` QQ (``N`` the notional
in QQ, ``f`` as the integer): Drift's 10^-4 floor of the premium ratio, the root's excess
and 3 QQ of rounding — 2 QQ at most below the crossover (measured on the sweep of
``tests/margin/venues/test_drift.py``, which also pins 99.83 ppm of ``N`` at 906 BTC just
above it). Not modelled: high-leverage mode (its own ratios), the ``Fill`` requirement
type, open-order margin (the account model has no orders) and a user's own
``max_margin_ratio`` (a floor the user sets on the initial ratio: with one set, Drift
asks more than this profile).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from circuits.margin.model import CollateralSpec, HaircutTier, InstrumentSpec, MarginTier
from circuits.margin.size_rate_model import MAX_SIZE_FACTOR, KindSizeRates, SizeRate, SizeWeights
from circuits.margin.statement import REQUIREMENT_INITIAL
from circuits.margin.units import MAX_LIABILITY_WEIGHT, U
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.venues.common import dec, exact_int, instrument, ppm_down, ppm_up

SPOT_WEIGHT_PRECISION = 10_000
"""Drift's weight precision (``MARGIN_PRECISION``, expo −4)."""
SPOT_IMF_PRECISION = 1_000_000
"""Drift's IMF-factor precision (expo −6)."""
BASE_PRECISION = 10**9
"""Drift's token-amount precision for the size in the premium formulas."""
SIZE_DISCOUNT_NUMERATOR = Fraction(11, 10)
"""The 1.1 of ``1.1 / (1 + imf_factor·√size)``."""
MARGIN_PRECISION = 10_000
"""Drift's margin-ratio precision (expo −4), the ratio's unit in ``get_margin_ratio``."""
RATIO_PPM = 1_000_000 // MARGIN_PRECISION
"""ppm per 10^-4 of margin ratio."""


@dataclass(frozen=True)
class SpotAsset:
    """A row of Drift's margin-parameter table (weights as published decimals)."""

    symbol: str
    initial_asset_weight: str
    maintenance_asset_weight: str
    initial_liability_weight: str
    maintenance_liability_weight: str
    imf_factor: str


SOL = SpotAsset("SOL", "0.80", "0.90", "1.20", "1.10", "0.003")
USDC = SpotAsset("USDC", "1", "1", "1", "1", "0")


def size_discounted_weight(weight: str, imf_factor: str, size: int) -> Decimal:
    """Return Drift's ``min(w, 1.1/(1 + f·√size))`` to 30 significant digits."""
    with localcontext() as ctx:
        ctx.prec = 30
        discount = Decimal("1.1") / (1 + Decimal(imf_factor) * Decimal(size).sqrt())
        return min(Decimal(weight), discount)


def chain_size_discount_weight(size: int, imf_factor: int, weight: int) -> int:
    """Return the on-chain discounted asset weight (precision 10^4) of a deposit.

    A plain transcription of the published integer formula of github.com/drift-labs/protocol-v2
    ``programs/drift/src/math/margin.rs`` (``calculate_size_discount_asset_weight``):
    ``min(w, ⌊1.1·10^6·10^4 / (10^6 + ⌊isqrt(10·size + 1)·f/10^5⌋)⌋)`` with ``size`` in
    10^-9 tokens and ``f`` in 10^-6.
    """
    if imf_factor == 0:
        return weight
    root = math.isqrt(size * 10 + 1)
    numerator = SPOT_IMF_PRECISION + SPOT_IMF_PRECISION // 10
    discounted = (
        numerator * SPOT_WEIGHT_PRECISION // (SPOT_IMF_PRECISION + root * imf_factor // 100_000)
    )
    return min(weight, discounted)


def chain_size_premium_liability_weight(size: int, imf_factor: int, weight: int) -> int:
    """Return the on-chain (bounded) size-premium liability weight (precision 10^4).

    Transcribes ``calculate_size_premium_liability_weight`` of the same file:
    ``max(λ, λ − ⌊λ/5⌋ + ⌊isqrt(10·size + 1)·f / (10^5·10^6/10^4)⌋)``.
    """
    if imf_factor == 0:
        return weight
    root = math.isqrt(size * 10 + 1)
    premium = (
        weight
        - weight // 5
        + root * imf_factor // (100_000 * SPOT_IMF_PRECISION // SPOT_WEIGHT_PRECISION)
    )
    return max(weight, premium)


def discount_free_balance(asset: SpotAsset, kind: int) -> int:
    """Return the largest whole-token balance whose size discount does not bind.

    ``1.1/(1 + f·√s) ≥ w ⇔ s ≤ ((1.1/w − 1)/f)²``; with ``f = 0`` it never binds (returns
    ``sys.maxsize``-like 2^63 − 1).
    """
    f = dec(asset.imf_factor)
    if f == 0:
        return (1 << 63) - 1
    w = dec(
        asset.initial_asset_weight
        if kind == REQUIREMENT_INITIAL
        else asset.maintenance_asset_weight
    )
    root = (SIZE_DISCOUNT_NUMERATOR / w - 1) / f
    bound = root * root
    return math.floor(bound)


def collateral(asset: SpotAsset, kind: int, *, price: int, scale: int) -> CollateralSpec:
    """Return the asset's collateral slot for requirement ``kind`` (0 maintenance, 1 initial)."""
    initial = kind == REQUIREMENT_INITIAL
    weight = asset.initial_asset_weight if initial else asset.maintenance_asset_weight
    liability = asset.initial_liability_weight if initial else asset.maintenance_liability_weight
    lam = ppm_up(liability)
    if lam > MAX_LIABILITY_WEIGHT:
        raise RiskInputError(
            f"{asset.symbol}: liability weight {liability} exceeds the model's 10x"
        )
    return CollateralSpec(
        symbol=asset.symbol, price=price, scale=scale,
        haircut_tiers=[HaircutTier(weight_ppm=ppm_down(weight))], liability_weight_ppm=lam,
    )  # fmt: skip


def sized_collateral(asset: SpotAsset, kind: int, *, price: int) -> CollateralSpec:
    """Return the asset's slot for ``kind`` with Drift's size premiums (version-2
    size-weights, bit 1): the deposit weight ``min(w, 1.1/(1 + f·√size))`` (β = U, π = 10 %,
    a 10^-4 weight step) and the borrow weight ``max(λ, λ − λ/5 + f·√size)``, at Drift's
    10^-9 token quantum (scale 10^9), where the feature's root is never below Drift's
    ``isqrt(10·size + 1)``."""
    base = collateral(asset, kind, price=price, scale=BASE_PRECISION)
    factor = exact_int(dec(asset.imf_factor) * U, f"{asset.symbol} imf factor")
    lam = base.liability_weight_ppm
    weights = SizeWeights(
        asset_premium_ppm=100_000, asset_factor_ppm=factor, asset_weight_step_ppm=100,
        liability_premium_base_ppm=lam - lam // 5, liability_factor_ppm=factor,
    )  # fmt: skip
    return base.model_copy(update={"size_weights": weights})


@dataclass(frozen=True)
class PerpMarket:
    """A Drift perp market's margin parameters as stored on chain (``PerpMarket``).

    ``margin_ratio_initial`` / ``margin_ratio_maintenance`` at 10^-4 (``MARGIN_PRECISION``;
    1000 = 10 %), ``imf_factor`` at 10^-6 (the precision ``get_margin_ratio`` applies it in,
    through ``calculate_size_premium_liability_weight``; 1000 = 0.001 — the struct's
    comment says ``MARGIN_PRECISION``, the arithmetic says 10^-6).
    """

    symbol: str
    margin_ratio_initial: int
    margin_ratio_maintenance: int
    imf_factor: int


TEST_BTC_PERP = PerpMarket("BTC-PERP", margin_ratio_initial=1000, margin_ratio_maintenance=500,
                           imf_factor=1000)  # fmt: skip
"""The perp market of protocol-v2's ``math/margin/tests.rs`` (``calculate_user_equity_value_
tests``: "margin_ratio_initial: 1000, margin_ratio_maintenance: 500, imf_factor: 1000, //
1_000/1_000_000 = .001"); no live market's parameters are in the stored pages."""


def perp_size_rate(ratio: int, imf_factor: int) -> SizeRate:
    """Return Drift's ``max(r, r − ⌊r/5⌋ + f·√size)`` as a size rate: base = cap = ``r``
    (slope 0), premium base ``r − ⌊r/5⌋`` (Drift's own integer), factor ``f`` (ppm per
    √unit, Drift's 10^-6 as is).

    Raises:
        RiskInputError: a ratio outside ``[0, 10·U]`` ppm or a factor beyond 32 bits.
    """
    if not 0 <= ratio * RATIO_PPM <= 10 * U:
        raise RiskInputError(f"margin ratio {ratio} (10^-4) is outside the model's [0, 1000 %]")
    if not 0 <= imf_factor <= MAX_SIZE_FACTOR:
        raise RiskInputError(f"imf factor {imf_factor} does not fit 32 bits")
    base = ratio * RATIO_PPM
    return SizeRate(base_ppm=base, cap_ppm=base, premium_base_ppm=(ratio - ratio // 5) * RATIO_PPM,
                    factor_ppm=imf_factor)  # fmt: skip


def sized_perp(market: PerpMarket, *, oracle_price: int, n_scenarios: int) -> InstrumentSpec:
    """Return the market's perp slot with Drift's size premium (version-2 size-rates, bit 0).

    Size quantum 10^-9 base unit (``BASE_PRECISION``), mark = the oracle price in QQ per
    base unit (Drift's ``PRICE_PRECISION`` 10^-6 is the USDC QQ at 6 decimals). The tier
    schedules are zero: the whole requirement is ``⌈|q|·P·ρ/(U·scale²)⌉`` with ``ρ`` the
    scaled :func:`perp_size_rate` of each kind (rounding and bound: module docstring).
    """
    base = instrument(
        market.symbol, size_scale=BASE_PRECISION, mark_price=oracle_price,
        maintenance=[MarginTier(rate_ppm=0)], initial=[MarginTier(rate_ppm=0)],
        n_scenarios=n_scenarios,
    )  # fmt: skip
    rates = KindSizeRates(
        maintenance=perp_size_rate(market.margin_ratio_maintenance, market.imf_factor),
        initial=perp_size_rate(market.margin_ratio_initial, market.imf_factor),
    )
    return base.model_copy(update={"size_rates": rates})


def perp_premium_crossover(market: PerpMarket, kind: int) -> Fraction:
    """Return the size (base units) above which Drift's premium exceeds the base ratio.

    ``r − ⌊r/5⌋ + f·√s/100 > r ⇔ s > (100·⌊r/5⌋/f)²`` (ratio units 10^-4, ``f`` at 10^-6);
    without a factor the premium never binds (RiskInputError).
    """
    if market.imf_factor == 0:
        raise RiskInputError(f"{market.symbol}: no imf factor, the size premium never binds")
    ratio = market.margin_ratio_initial if kind == REQUIREMENT_INITIAL else (
        market.margin_ratio_maintenance
    )  # fmt: skip
    root = Fraction(100 * (ratio // 5), market.imf_factor)
    return root * root
