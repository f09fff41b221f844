"""Features 0–2 (size-dependent rates, size-premium weights, open-interest scaling): the
engine's exact values, the version-2 rules, and that v1 snapshots dump and hash as before."""

from __future__ import annotations

import pytest

from circuits.margin.commitment import snapshot_hash
from circuits.margin.errors import MarginInputError
from circuits.margin.extensions import extension_elements, feature_mask
from circuits.margin.model import MarketSnapshot
from circuits.margin.reference import margin_report
from circuits.margin.size_rate_model import (
    KindSizeRates,
    OpenInterestScaling,
    SizeRate,
    SizeWeights,
)
from circuits.margin.size_rates import (
    ceil_sqrt,
    open_interest_rate,
    size_requirement,
    size_weighted_value,
)
from circuits.margin.units import U
from tests.margin.circuit_fixtures import example_snapshot, opening_for
from tests.margin.helpers import coll, inst
from tests.margin.size_rate_fixtures import sized_account, sized_snapshot


def _with_rate(rate: SizeRate, *, scale: int = 100, mark: int = 50_000) -> object:
    return inst(scale=scale, mark=mark).model_copy(
        update={"size_rates": KindSizeRates(maintenance=rate, initial=rate)}
    )


@pytest.mark.parametrize(("x", "root"), [(1, 1), (2, 2), (4, 2), (5, 3), (10**18, 10**9)])
def test_ceil_sqrt_is_the_least_root_above(x: int, root: int) -> None:
    assert ceil_sqrt(x) == root


def test_affine_rate_grows_with_size_until_the_cap() -> None:
    rate = SizeRate(base_ppm=5_000, slope_ppm=2_000, cap_ppm=60_000)
    spec = _with_rate(rate)
    # 10 units at 50 000 QQ: notional 500 000 at 5 000 + 2 000·10 = 25 000 ppm → 12 500
    assert size_requirement(1_000, spec, 0) == 12_500  # type: ignore[arg-type]
    # 40 units: 85 000 ppm capped at 60 000 → 2 000 000·6 % = 120 000
    assert size_requirement(-4_000, spec, 0) == 120_000  # type: ignore[arg-type]
    # 1 quantum (0.01 unit): 500 QQ·(5 000 + 20) ppm = 2.51 → rounds up to 3
    assert size_requirement(1, spec, 0) == 3  # type: ignore[arg-type]


def test_square_root_premium_uses_one_extra_quantum_and_rounds_up() -> None:
    spec = _with_rate(SizeRate(factor_ppm=10_000), scale=1)
    # 99 units at 50 000: √(99 + 1) = 10 → 10·10 000 ppm = 10 % of 4 950 000
    assert size_requirement(99, spec, 0) == 495_000  # type: ignore[arg-type]
    # 100 units: ⌈√101⌉ = 11 → 11 % of 5 000 000
    assert size_requirement(100, spec, 0) == 550_000  # type: ignore[arg-type]


def test_open_interest_scales_from_base_to_top_rounding_the_rate_up() -> None:
    scaling = OpenInterestScaling(base_ppm=50_000, top_ppm=U, lower_cap=1_000, upper_cap=4_000)
    assert open_interest_rate(500, scaling) == 50_000
    assert open_interest_rate(1_000, scaling) == 50_000
    assert open_interest_rate(2_000, scaling) == 50_000 + 316_667  # 950 000/3 rounded up
    assert open_interest_rate(4_000, scaling) == U
    assert open_interest_rate(10**12, scaling) == U


def test_deposit_weight_is_discounted_by_size_and_floored_to_its_step() -> None:
    asset = coll(price=100, scale=1, haircuts=((U, 0),)).model_copy(
        update={"size_weights": SizeWeights(asset_premium_ppm=100_000, asset_factor_ppm=100_000,
                                            asset_weight_step_ppm=100)}
    )  # fmt: skip
    # 99 units: weight 1.1/(1 + 0.1·10) = 0.55 → 99·100·0.55 = 5 445
    assert size_weighted_value(99, asset) == 5_445
    # 3 units: 1.1/(1 + 0.1·2) = 0.91666… → 0.9166 on the 10^-4 step → 275 (274.98)
    assert size_weighted_value(3, asset) == 274


def test_borrow_liability_weight_grows_with_size() -> None:
    asset = coll(price=100, scale=1, liability=1_100_000).model_copy(
        update={"size_weights": SizeWeights(liability_premium_base_ppm=880_000,
                                            liability_factor_ppm=100_000)}
    )  # fmt: skip
    # 3 units: max(1.1, 0.88 + 0.1·2) = 1.1 → −330
    assert size_weighted_value(-3, asset) == -330
    # 99 units: 0.88 + 0.1·10 = 1.88 → −9 900·1.88 = −18 612
    assert size_weighted_value(-99, asset) == -18_612


def test_report_takes_the_larger_requirement_and_the_smaller_value() -> None:
    opening = opening_for(sized_account())
    v1, v2 = (
        margin_report(opening.state, example_snapshot()),
        margin_report(opening.state, sized_snapshot()),
    )
    # 30 units at 50 000: MM min(6 %, 0.5 % + 0.2 %·30) = 6 %; IM min(12 %, 13 %) = 12 %
    assert (v1.maintenance_per_instrument[0], v2.maintenance_per_instrument[0]) == (25_000, 90_000)
    assert (v1.initial_per_instrument[0], v2.initial_per_instrument[0]) == (50_000, 180_000)
    assert v2.collateral_values == v1.collateral_values  # the tiers bind BTC's 2 units


def test_size_requirement_beyond_2_pow_131_is_refused_not_capped() -> None:
    spec = _with_rate(SizeRate(factor_ppm=(1 << 32) - 1), scale=1, mark=(1 << 64) - 1)
    with pytest.raises(MarginInputError, match="exceeds 2\\^131"):
        size_requirement(-(1 << 63), spec, 0)  # type: ignore[arg-type]


def test_feature_mask_and_extension_encoding_of_the_sized_snapshot() -> None:
    snapshot = sized_snapshot()
    assert feature_mask(snapshot) == 0b111
    elements = extension_elements(snapshot, 0b111)
    assert elements[:2] == [0b111, 0]
    assert elements[2:12] == [5_000, 2_000, 60_000, 4_000, 9_000,
                              10_000, 4_000, 120_000, 8_000, 18_000]  # fmt: skip
    assert elements[42] == 1 and elements[43:49] == [U, 100_000, 50_000, 100, 900_000, 80_000]
    assert elements[55] == 2 and elements[56:65] == [7_000_000, 0, 0, 0, 1,
                                                     20_000, U, 5_000_000, 105_000_000]  # fmt: skip
    assert len(elements) == 2 + 40 + 1 + 12 + 1 + 36


def test_sized_snapshot_must_be_version_2() -> None:
    v1 = sized_snapshot().model_copy(update={"version": 1})
    with pytest.raises(MarginInputError, match="version 1 cannot use size-rates"):
        snapshot_hash(v1)


def test_version_1_dump_has_no_version_2_keys_and_round_trips() -> None:
    snapshot = example_snapshot()
    text = snapshot.model_dump_json()
    for key in ("size_rates", "open_interest", "size_weights"):
        assert key not in text
    sized = sized_snapshot()
    assert MarketSnapshot.model_validate_json(sized.model_dump_json()) == sized


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"lower_cap": 5, "upper_cap": 5}, "upper_cap must exceed lower_cap"),
        ({"base_ppm": 9, "top_ppm": 8}, "top_ppm must be at least base_ppm"),
    ],
)
def test_open_interest_scaling_is_validated(update: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OpenInterestScaling(**update)
