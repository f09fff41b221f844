"""Version-2 tiny snapshots using the size-dependent features (bits 0–2) and their circuit."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from circuits.frontend import CompiledCircuit, compile
from circuits.margin.circuit import MarginCircuit, margin_params
from circuits.margin.model import AccountState, MarketSnapshot
from circuits.margin.size_rate_model import (
    KindSizeRates,
    OpenInterest,
    OpenInterestScaling,
    SizeRate,
    SizeWeights,
)
from circuits.margin.sizes import TINY, MarginSize, pad_snapshot
from tests.margin.circuit_fixtures import example_snapshot
from tests.margin.helpers import state

ALL_FEATURES = 0b111
TINY_SIZED = dataclasses.replace(TINY, name="tiny-sized", features=ALL_FEATURES)


@lru_cache(maxsize=4)
def sized_circuit(features: int = ALL_FEATURES) -> CompiledCircuit:
    """The tiny MarginCircuit compiled with feature mask ``features``."""
    return compile(MarginCircuit, margin_params(sized(features)))


def sized(features: int) -> MarginSize:
    """The tiny size with feature mask ``features``."""
    return dataclasses.replace(TINY, name="tiny-sized", features=features)


def sized_snapshot() -> MarketSnapshot:
    """The tiny example snapshot as version 2: the perp has an affine-with-cap and a
    square-root rate per kind and open-interest scaling; BTC has size-premium weights."""
    base = example_snapshot()
    perp = base.instruments[0].model_copy(
        update={
            "size_rates": KindSizeRates(
                maintenance=SizeRate(base_ppm=5_000, slope_ppm=2_000, cap_ppm=60_000,
                                     premium_base_ppm=4_000, factor_ppm=9_000),
                initial=SizeRate(base_ppm=10_000, slope_ppm=4_000, cap_ppm=120_000,
                                 premium_base_ppm=8_000, factor_ppm=18_000),
            ),
            "open_interest": OpenInterest(
                value=7_000_000,
                initial=OpenInterestScaling(base_ppm=20_000, top_ppm=1_000_000,
                                            lower_cap=5_000_000, upper_cap=105_000_000),
            ),
        }
    )  # fmt: skip
    btc = base.collateral[0].model_copy(
        update={
            "size_weights": SizeWeights(asset_premium_ppm=100_000, asset_factor_ppm=50_000,
                                        asset_weight_step_ppm=100,
                                        liability_premium_base_ppm=900_000,
                                        liability_factor_ppm=80_000),
        }
    )  # fmt: skip
    snapshot = base.model_copy(
        update={
            "version": 2,
            "instruments": [perp, *base.instruments[1:]],
            "collateral": [btc, *base.collateral[1:]],
        }
    )
    return pad_snapshot(MarketSnapshot.model_validate(snapshot.model_dump()), TINY_SIZED)


def sized_account(cash: int = 400_000) -> AccountState:
    """The example account: long perp, short options, a BTC deposit and ``cash`` USD."""
    return state([(3_000, -1_400_000, 100), (-20, 9_000, 0)], [2_000, cash])
