"""Drift v2 spot-asset weights as zkmargin collateral, as far as the current model allows.

Source (read 2026-12-03): https://docs.drift.trade/getting-started/cross-collateral-deposits
— the margin-parameter table (e.g. "SOL | 80%* | 90% | 120% | 110% | 0.003") and the worked
example "weight = min (.80, 1.1 / [ 1 + (0.003 * sqrt(2000)] ) = min(.80, ~.96987) = .80"
(the IMF factor "acts as a discount on account size").

What the current model expresses: one flat asset weight and one liability weight per
snapshot, shared by both requirement kinds. Drift's initial and maintenance weights differ,
so this profile builds one snapshot per kind (:func:`collateral` takes the kind). The size
discount ``min(w, 1.1/(1 + f·√size))`` binds only above
:func:`discount_free_balance`; below it the flat weight is exact, above it the flat weight
*overvalues* the deposit, so the profile refuses to describe such balances as exact — the
square-root weight awaits issue #15 item 2 (and the borrow size premium item 5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from circuits.margin.model import CollateralSpec, HaircutTier
from circuits.margin.size_rate_model import SizeWeights
from circuits.margin.statement import REQUIREMENT_INITIAL
from circuits.margin.units import MAX_LIABILITY_WEIGHT, U
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.venues.common import dec, exact_int, ppm_down, ppm_up

SPOT_WEIGHT_PRECISION = 10_000
"""Drift's weight precision (``MARGIN_PRECISION``, expo −4)."""
SPOT_IMF_PRECISION = 1_000_000
"""Drift's IMF-factor precision (expo −6)."""
BASE_PRECISION = 10**9
"""Drift's token-amount precision for the size in the premium formulas."""
SIZE_DISCOUNT_NUMERATOR = Fraction(11, 10)
"""The 1.1 of ``1.1 / (1 + imf_factor·√size)``."""


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
