"""Small builders for hand-computed margin examples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from circuits.margin.model import (
    AccountState,
    CollateralSpec,
    HaircutTier,
    InstrumentSpec,
    MarginTier,
    MarketSnapshot,
    Position,
    ScenarioSpec,
)
from circuits.margin.units import U


def inst(
    *,
    scale: int = 1,
    mark: int = 0,
    funding_index: int = 0,
    mm: Sequence[tuple[int, int]] = ((0, 0),),
    im: Sequence[tuple[int, int]] | None = None,
    risk: Sequence[int] = (0,),
    som: int = 0,
    kind: str = "perp",
) -> InstrumentSpec:
    """Return an instrument from tier pairs ``(rate_ppm, deduction)``."""
    return InstrumentSpec.model_validate(
        {
            "symbol": "T",
            "kind": kind,
            "size_scale": scale,
            "mark_price": mark,
            "funding_index": funding_index,
            "maintenance_tiers": [MarginTier(rate_ppm=r, deduction=d) for r, d in mm],
            "initial_tiers": [MarginTier(rate_ppm=r, deduction=d) for r, d in (im or mm)],
            "risk_array": list(risk),
            "short_option_minimum": som,
        }
    )


def coll(
    *,
    price: int = 1,
    scale: int = 1,
    haircuts: Sequence[tuple[int, int]] = ((U, 0),),
    liability: int = U,
) -> CollateralSpec:
    """Return a collateral asset from haircut pairs ``(weight_ppm, addition)``."""
    return CollateralSpec(
        symbol="C",
        price=price,
        scale=scale,
        haircut_tiers=[HaircutTier(weight_ppm=w, addition=a) for w, a in haircuts],
        liability_weight_ppm=liability,
    )


def snap(
    instruments: Sequence[InstrumentSpec], collateral: Sequence[CollateralSpec], **extra: Any
) -> MarketSnapshot:
    """Return a snapshot with as many scenarios as the first risk array and 2 tier slots."""
    n_s = len(instruments[0].risk_array)
    fields: dict[str, Any] = {
        "epoch": 7,
        "timestamp": 1_700_000_000,
        "tier_slots": 2,
        "haircut_tier_slots": 2,
        "scenarios": [ScenarioSpec(name=f"s{s}") for s in range(n_s)],
        "instruments": list(instruments),
        "collateral": list(collateral),
    }
    fields.update(extra)
    return MarketSnapshot.model_validate(fields)


def state(positions: Sequence[tuple[int, int, int]], balances: Sequence[int]) -> AccountState:
    """Return a state from ``(size, cost_basis, funding_entry)`` triples and balances."""
    return AccountState(
        positions=[Position(size=q, cost_basis=b, funding_entry=f) for q, b, f in positions],
        balances=list(balances),
    )
