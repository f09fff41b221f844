"""The size-dependent engine is never more lenient than a plain transcription of the venue's
own formula, at any size: Drift's size-premium margin ratio, asset and liability weights
(protocol-v2 ``math/margin.rs``: ``calculate_size_premium_liability_weight``,
``calculate_size_discount_asset_weight``; read 2026-12-03) and dYdX v4's open-interest-scaled
initial margin (``x/perpetuals/types/liquidity_tier.go``: ``GetAdjustedInitialMarginPpm``,
``GetInitialMarginQuoteQuantums``; read 2026-12-03)."""

from __future__ import annotations

from math import isqrt

from hypothesis import given, settings
from hypothesis import strategies as st

from circuits.margin.size_rate_model import (
    KindSizeRates,
    OpenInterest,
    OpenInterestScaling,
    SizeRate,
    SizeWeights,
)
from circuits.margin.size_rates import size_requirement, size_weighted_value
from circuits.margin.units import U
from tests.margin.helpers import coll, inst

DRIFT_BASE = 10**9  # BASE_PRECISION / AMM_RESERVE_PRECISION
MARGIN_PRECISION = 10_000
SPOT_IMF_PRECISION = 10**6
sizes = st.one_of(st.integers(0, 10**12), st.integers(0, (1 << 62)))
prices = st.one_of(st.integers(1, 10**8), st.integers(1, 10**12))
imf_factors = st.one_of(st.integers(0, 10_000), st.integers(0, 10**6))


def drift_size_premium(size: int, imf_factor: int, weight: int, precision: int) -> int:
    """Drift's ``calculate_size_premium_liability_weight`` (bounded form), transcribed."""
    if imf_factor == 0:
        return weight
    size_sqrt = isqrt(size * 10 + 1)
    numerator = weight - weight // 5
    premium = numerator + size_sqrt * imf_factor // (100_000 * SPOT_IMF_PRECISION // precision)
    return max(weight, premium)


def drift_asset_weight(size: int, imf_factor: int, asset_weight: int) -> int:
    """Drift's ``calculate_size_discount_asset_weight``, transcribed."""
    if imf_factor == 0:
        return asset_weight
    size_sqrt = isqrt(size * 10 + 1)
    numerator = SPOT_IMF_PRECISION + SPOT_IMF_PRECISION // 10
    discounted = (
        numerator * MARGIN_PRECISION // (SPOT_IMF_PRECISION + size_sqrt * imf_factor // 100_000)
    )
    return min(asset_weight, discounted)


@settings(max_examples=300, deadline=None)
@given(size=sizes, price=prices, imf=imf_factors, ratio=st.integers(1, MARGIN_PRECISION))
def test_perp_requirement_is_never_below_drifts(
    size: int, price: int, imf: int, ratio: int
) -> None:
    rate = SizeRate(base_ppm=ratio * 100, cap_ppm=ratio * 100,
                    premium_base_ppm=(ratio - ratio // 5) * 100, factor_ppm=imf)  # fmt: skip
    spec = inst(scale=DRIFT_BASE, mark=price).model_copy(
        update={"size_rates": KindSizeRates(maintenance=rate, initial=rate)}
    )
    liability_value = size * price // DRIFT_BASE
    drift = liability_value * drift_size_premium(size, imf, ratio, MARGIN_PRECISION)
    drift //= MARGIN_PRECISION
    assert size_requirement(-size, spec, 0) >= drift


@settings(max_examples=300, deadline=None)
@given(size=sizes, price=prices, imf=imf_factors, weight=st.integers(1, MARGIN_PRECISION))
def test_deposit_value_is_never_above_drifts(size: int, price: int, imf: int, weight: int) -> None:
    asset = coll(price=price, scale=DRIFT_BASE, haircuts=((weight * 100, 0),)).model_copy(
        update={"size_weights": SizeWeights(asset_premium_ppm=100_000, asset_factor_ppm=imf,
                                            asset_weight_step_ppm=100)}
    )  # fmt: skip
    drift_weight = drift_asset_weight(size, imf, weight)
    # the weighted value before Drift's own final rounding of the token value
    drift = size * price * drift_weight // (DRIFT_BASE * MARGIN_PRECISION)
    ours = min(size * price * weight * 100 // (U * DRIFT_BASE), size_weighted_value(size, asset))
    assert ours <= drift


@settings(max_examples=300, deadline=None)
@given(
    size=sizes,
    price=prices,
    imf=imf_factors,
    weight=st.integers(MARGIN_PRECISION, 5 * MARGIN_PRECISION),
)
def test_borrow_liability_is_never_below_drifts(
    size: int, price: int, imf: int, weight: int
) -> None:
    asset = coll(price=price, scale=DRIFT_BASE, liability=min(weight * 100, 10 * U)).model_copy(
        update={"size_weights": SizeWeights(
            liability_premium_base_ppm=(weight - weight // 5) * 100, liability_factor_ppm=imf)}
    )  # fmt: skip
    drift_weight = drift_size_premium(size, imf, weight, MARGIN_PRECISION)
    drift = size * price * drift_weight // (DRIFT_BASE * MARGIN_PRECISION)
    assert -size_weighted_value(-size, asset) >= drift


def dydx_adjusted_imf_ppm(oi: int, imf: int, lower: int, upper: int) -> int:
    """dYdX v4 ``GetAdjustedInitialMarginPpm``, transcribed."""
    if upper == 0 or oi <= lower:
        return imf
    if oi >= upper:
        return U
    return (U - imf) * (oi - lower) // (upper - lower) + imf


@settings(max_examples=300, deadline=None)
@given(
    size=sizes, price=prices, imf=st.integers(0, U), oi=st.integers(0, 10**15),
    lower=st.integers(0, 10**14), width=st.integers(1, 10**14),
    scale=st.sampled_from([1, 10**6, 10**9]),
)  # fmt: skip
def test_open_interest_initial_margin_is_never_below_dydxs(
    size: int, price: int, imf: int, oi: int, lower: int, width: int, scale: int
) -> None:
    scaling = OpenInterestScaling(base_ppm=imf, top_ppm=U, lower_cap=lower, upper_cap=lower + width)
    spec = inst(scale=scale, mark=price).model_copy(
        update={"open_interest": OpenInterest(value=oi, initial=scaling)}
    )
    notional = size * price // scale  # dYdX's quote quantums of the position
    adjusted = dydx_adjusted_imf_ppm(oi, imf, lower, lower + width)
    dydx = -(-notional * adjusted // U)  # BigMulPpm(…, roundUp=true)
    assert size_requirement(size, spec, 1) >= dydx
    # and it is exact when the rate and the notional divide evenly
    if (size * price) % scale == 0 and ((U - imf) * max(0, min(oi - lower, width))) % width == 0:
        assert size_requirement(size, spec, 1) == dydx
