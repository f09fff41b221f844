"""Circuit sizes and the padding of snapshots and states to a size.

A circuit of a size proves statements about snapshots with exactly its slot counts. The
named sizes (``tiny``, ``standard``, ``large``) are fixed shapes; ``zkm margin setup`` can
override any of their five counts (:func:`custom_size`), within :data:`MAX_SLOTS` slots and
:data:`MAX_TIER_SLOTS` tier slots, and records the shape beside the keys.
A snapshot with fewer real slots is padded with **inert slots** before it is published
(the snapshot hash covers the padded form): an inert instrument has scale 1, mark 0,
funding index 0, one zero tier per kind, zero risk array and zero short-option minimum;
an inert collateral asset has price 0, scale 1, one zero-weight haircut tier and
liability weight U. An account holds nothing in inert slots (size, cost basis, funding
entry and balance 0), so inert slots add exactly 0 to every quantity of the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from circuits.margin.errors import MarginInputError
from circuits.margin.extensions import MAX_FEATURE_BIT, feature_mask, feature_names
from circuits.margin.model import (
    AccountState,
    CollateralSpec,
    HaircutTier,
    InstrumentSpec,
    MarginTier,
    MarketSnapshot,
    Position,
)
from circuits.margin.units import MAX_SLOTS, MAX_TIER_SLOTS, U


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


SHAPE_OPTIONS: Final = {
    "n_instruments": ("--instruments", "instrument slots", MAX_SLOTS),
    "n_collateral": ("--collateral", "collateral slots", MAX_SLOTS),
    "n_scenarios": ("--scenarios", "scenarios", MAX_SLOTS),
    "tier_slots": ("--tier-slots", "tier slots", MAX_TIER_SLOTS),
    "haircut_tier_slots": ("--haircut-tier-slots", "haircut tier slots", MAX_TIER_SLOTS),
}
"""Per shape parameter: the setup option that sets it, what it counts, and its largest value."""


def check_shape(params: dict[str, int]) -> None:
    """Raise MarginInputError unless ``params`` has exactly the five counts, each in range
    (and, for a version-2 circuit, a non-zero ``features`` mask)."""
    if set(params) - {"features"} != set(SHAPE_OPTIONS):
        raise MarginInputError(f"a margin shape has exactly {', '.join(SHAPE_OPTIONS)}")
    features = params.get("features", 1)
    if type(features) is not int or not 0 < features < 1 << (MAX_FEATURE_BIT + 1):
        raise MarginInputError(f"the feature mask must be a non-zero 32-bit mask, got {features!r}")
    for key, (option, _, most) in SHAPE_OPTIONS.items():
        value = params[key]
        if type(value) is not int or not 1 <= value <= most:
            raise MarginInputError(f"{option} must be an integer from 1 to {most}, got {value!r}")


def size_of_shape(params: dict[str, int]) -> MarginSize:
    """Return the size with shape ``params``: a named size if one has exactly it, else custom.

    Raises:
        MarginInputError: a count is missing, not an integer or out of range.
    """
    check_shape(params)
    for size in SIZES.values():
        if size.params() == params:
            return size
    return MarginSize("custom", **params)


def custom_size(base: str, overrides: dict[str, int | None]) -> MarginSize:
    """Return the named size ``base`` with the counts in ``overrides`` (None = keep) replaced.

    Overriding nothing, or with the base's own values, returns the named size itself, so
    ``--size tiny`` and ``--size tiny --tier-slots 2`` make the same circuit.

    Raises:
        MarginInputError: unknown base name or a count out of range.
    """
    params = get_size(base).params()
    for key, value in overrides.items():
        if key not in SHAPE_OPTIONS:
            raise MarginInputError(f"unknown shape parameter {key!r}")
        if value is not None:
            params[key] = value
    return size_of_shape(params)


def describe_shape(size: MarginSize) -> str:
    """Return the size's name and its five counts, e.g. ``tiny (4 instrument slots, …)``."""
    return f"{size.name} {_describe(size)}"


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
    """Raise MarginInputError unless the snapshot has exactly the shape of ``size``.

    The message names the first slot that does not fit and the setup option that would
    make keys for the snapshot, e.g. ``snapshot instrument BTC-PERP has 4 margin tiers;
    these keys have 2 tier slots (set up with --tier-slots 4)``.
    """
    counts = (
        ("n_instruments", "instruments", snapshot.n_instruments),
        ("n_collateral", "collateral assets", snapshot.n_collateral),
        ("n_scenarios", "scenarios", snapshot.n_scenarios),
    )
    for key, noun, have in counts:
        want = size.params()[key]
        if have != want:
            option, slots, _ = SHAPE_OPTIONS[key]
            pad = " or pad it with circuits.margin.sizes.pad_snapshot" if have < want else ""
            raise MarginInputError(
                f"snapshot has {have} {noun}; these keys have {want} {slots}"
                f" (set up with {option} {have}{pad})"
            )
    _check_schedules_fit(snapshot, size)
    for key, noun in (("tier_slots", "tier_slots"), ("haircut_tier_slots", "haircut_tier_slots")):
        have, want = getattr(snapshot, key), size.params()[key]
        if have != want:
            option, slots, _ = SHAPE_OPTIONS[key]
            raise MarginInputError(
                f"snapshot encodes its schedules in {noun}={have}; these keys have {want}"
                f" {slots} (set up with {option} {have})"
            )
    mask = feature_mask(snapshot)
    if mask != size.features:
        raise MarginInputError(
            f"snapshot uses features {feature_names(mask)} ({mask:#x}); these keys implement"
            f" {feature_names(size.features)} (set up with --features {feature_names(mask)})"
        )


def shape_mismatch(have: dict[str, int], want: dict[str, int]) -> str | None:
    """Return ``"<n> <what>, the circuit <m>"`` for the first count of snapshot shape ``have``
    that differs from circuit shape ``want`` (None when they agree)."""
    for key, (option, what, _) in SHAPE_OPTIONS.items():
        if have.get(key) != want.get(key):
            return (
                f"{have.get(key)} {what}; the circuit was set up with {want.get(key)}"
                f" ({option} {want.get(key)})"
            )
    return None


def shape_of_json(snapshot: Mapping[str, Any]) -> dict[str, int]:
    """Return the five counts of a validated snapshot in JSON form (e.g. as stored)."""
    return {
        "n_instruments": len(snapshot["instruments"]),
        "n_collateral": len(snapshot["collateral"]),
        "n_scenarios": len(snapshot["scenarios"]),
        "tier_slots": int(snapshot["tier_slots"]),
        "haircut_tier_slots": int(snapshot["haircut_tier_slots"]),
    }


def _check_schedules_fit(snapshot: MarketSnapshot, size: MarginSize) -> None:
    """Raise MarginInputError naming the first schedule longer than the keys' tier slots."""
    for inst in snapshot.instruments:
        longest = max(len(inst.maintenance_tiers), len(inst.initial_tiers))
        if longest > size.tier_slots:
            raise MarginInputError(
                f"snapshot instrument {inst.symbol or '(unnamed)'} has {longest} margin tiers;"
                f" these keys have {size.tier_slots} tier slots"
                f" (set up with --tier-slots {snapshot.tier_slots})"
            )
    for coll in snapshot.collateral:
        if len(coll.haircut_tiers) > size.haircut_tier_slots:
            raise MarginInputError(
                f"snapshot collateral {coll.symbol or '(unnamed)'} has"
                f" {len(coll.haircut_tiers)} haircut tiers; these keys have"
                f" {size.haircut_tier_slots} haircut tier slots"
                f" (set up with --haircut-tier-slots {snapshot.haircut_tier_slots})"
            )


def check_state_fits(state: AccountState, size: MarginSize) -> None:
    """Raise MarginInputError unless the state has one slot per instrument and asset of ``size``."""
    for have, want, what, option in (
        (len(state.positions), size.n_instruments, "positions", "--instruments"),
        (len(state.balances), size.n_collateral, "balances", "--collateral"),
    ):
        if have != want:
            raise MarginInputError(
                f"state has {have} {what}; these keys have {want} slots"
                f" (set up with {option} {have}, or pad the state to the snapshot)"
            )


def _describe(size: MarginSize) -> str:
    return (
        f"({size.n_instruments} instruments, {size.n_collateral} collateral,"
        f" {size.n_scenarios} scenarios, {size.tier_slots} tier slots,"
        f" {size.haircut_tier_slots} haircut tier slots"
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
