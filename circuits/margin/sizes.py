"""Circuit sizes and the padding of snapshots and states to a size.

A circuit of a size proves statements about snapshots with exactly its slot counts.
A snapshot with fewer real slots is padded with **inert slots** before it is published
(the snapshot hash covers the padded form): an inert instrument has scale 1, mark 0,
funding index 0, one zero tier per kind, zero risk array and zero short-option minimum;
an inert collateral asset has price 0, scale 1, one zero-weight haircut tier and
liability weight U. An account holds nothing in inert slots (size, cost basis, funding
entry and balance 0), so inert slots add exactly 0 to every quantity of the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from circuits.margin.errors import MarginInputError
from circuits.margin.extensions import feature_mask
from circuits.margin.model import (
    AccountState,
    CollateralSpec,
    HaircutTier,
    InstrumentSpec,
    MarginTier,
    MarketSnapshot,
    Position,
)
from circuits.margin.units import U


@dataclass(frozen=True)
class MarginSize:
    """The shape parameters of a ``MarginCircuit``.

    ``features`` is the mask of snapshot-format-2 features the circuit implements
    (:mod:`circuits.margin.extensions`); 0 is the version-1 circuit.
    """

    name: str
    n_instruments: int
    n_collateral: int
    n_scenarios: int
    tier_slots: int
    haircut_tier_slots: int
    features: int = 0

    def params(self) -> dict[str, int]:
        """Return the circuit parameters (``compile(MarginCircuit, size.params())``).

        ``features`` appears only when non-zero, so version-1 parameters (recorded in key
        directories made before version 2) are unchanged.
        """
        params = {
            "n_instruments": self.n_instruments,
            "n_collateral": self.n_collateral,
            "n_scenarios": self.n_scenarios,
            "tier_slots": self.tier_slots,
            "haircut_tier_slots": self.haircut_tier_slots,
        }
        if self.features:
            params["features"] = self.features
        return params


TINY: Final = MarginSize("tiny", 4, 2, 4, 2, 2)
STANDARD: Final = MarginSize("standard", 32, 8, 16, 2, 2)
LARGE: Final = MarginSize("large", 128, 16, 16, 2, 2)
SIZES: Final = {size.name: size for size in (TINY, STANDARD, LARGE)}


def get_size(name: str) -> MarginSize:
    """Return the size called ``name``; MarginInputError for an unknown name."""
    try:
        return SIZES[name]
    except KeyError:
        raise MarginInputError(f"unknown size {name!r}; choose one of {', '.join(SIZES)}") from None


def shape_of(snapshot: MarketSnapshot) -> MarginSize:
    """Return the (unnamed) size whose shape is exactly the snapshot's."""
    return MarginSize(
        "custom",
        snapshot.n_instruments,
        snapshot.n_collateral,
        snapshot.n_scenarios,
        snapshot.tier_slots,
        snapshot.haircut_tier_slots,
        feature_mask(snapshot),
    )


def check_fits(snapshot: MarketSnapshot, size: MarginSize) -> None:
    """Raise MarginInputError unless the snapshot has exactly the shape of ``size``."""
    shape = shape_of(snapshot)
    if shape.params() != size.params():
        raise MarginInputError(
            f"snapshot shape {_describe(shape)} does not match size {size.name}"
            f" {_describe(size)}; pad it with circuits.margin.sizes.pad_snapshot"
        )


def _describe(size: MarginSize) -> str:
    return (
        f"({size.n_instruments} instruments, {size.n_collateral} collateral,"
        f" {size.n_scenarios} scenarios, {size.tier_slots} tiers,"
        f" {size.haircut_tier_slots} haircut tiers"
        + (f", features {size.features:#x}" if size.features else "")
        + ")"
    )


def inert_instrument(n_scenarios: int) -> InstrumentSpec:
    """Return an instrument slot that contributes nothing."""
    zero = [MarginTier(rate_ppm=0)]
    return InstrumentSpec(
        symbol="",
        kind="perp",
        size_scale=1,
        mark_price=0,
        maintenance_tiers=zero,
        initial_tiers=zero,
        risk_array=[0] * n_scenarios,
    )


def inert_collateral() -> CollateralSpec:
    """Return a collateral slot that contributes nothing."""
    return CollateralSpec(
        symbol="", price=0, scale=1, haircut_tiers=[HaircutTier(weight_ppm=0)],
        liability_weight_ppm=U,
    )  # fmt: skip


def pad_snapshot(snapshot: MarketSnapshot, size: MarginSize) -> MarketSnapshot:
    """Return ``snapshot`` padded with inert slots (and tier slots) to the shape of ``size``."""
    if (
        snapshot.n_scenarios != size.n_scenarios
        or snapshot.n_instruments > size.n_instruments
        or snapshot.n_collateral > size.n_collateral
        or snapshot.tier_slots > size.tier_slots
        or snapshot.haircut_tier_slots > size.haircut_tier_slots
        or feature_mask(snapshot) != size.features
    ):
        raise MarginInputError(
            f"snapshot shape {_describe(shape_of(snapshot))} cannot be padded to size"
            f" {size.name} {_describe(size)}"
        )
    instruments = list(snapshot.instruments)
    instruments += [inert_instrument(size.n_scenarios)] * (size.n_instruments - len(instruments))
    collateral = list(snapshot.collateral)
    collateral += [inert_collateral()] * (size.n_collateral - len(collateral))
    return snapshot.model_copy(
        update={
            "instruments": instruments,
            "collateral": collateral,
            "tier_slots": size.tier_slots,
            "haircut_tier_slots": size.haircut_tier_slots,
        }
    )


def pad_state(state: AccountState, size: MarginSize) -> AccountState:
    """Return ``state`` with empty positions and zero balances appended up to ``size``."""
    if len(state.positions) > size.n_instruments or len(state.balances) > size.n_collateral:
        raise MarginInputError(f"state has more slots than size {size.name}")
    positions = list(state.positions)
    positions += [Position()] * (size.n_instruments - len(positions))
    balances = list(state.balances) + [0] * (size.n_collateral - len(state.balances))
    return AccountState(positions=positions, balances=balances)
