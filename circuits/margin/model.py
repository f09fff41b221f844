"""Domain model of the margin statement: market snapshots, account states and openings.

Pydantic v2 models that round-trip through JSON; :mod:`circuits.margin.loading` turns
validation failures into one-line :class:`~circuits.margin.errors.MarginInputError`s.
Units and bounds are those of ARCHITECTURE §3 (:mod:`circuits.margin.units`):

* a position of ``q`` size quanta at mark ``P`` (QQ per whole unit, ``scale`` quanta per
  unit) has notional ``N = ⌊q·P/scale⌋``;
* a margin tier ``(rate_ppm, deduction)`` is one affine piece ``|N|·rate/U − deduction``
  of the convex "max of affine pieces" requirement (deduction in QQ, the first one 0);
* a haircut tier ``(weight_ppm, addition)`` is one affine piece ``X·weight/U + addition``
  of the concave "min of affine pieces" value of a deposit worth ``X`` (addition in QQ,
  the first one 0); borrows are valued with ``liability_weight_ppm ≥ U``;
* ``risk_array[s]`` is the loss in QQ of one long size quantum under scenario ``s``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    field_serializer,
    model_serializer,
    model_validator,
)

from algebra.constants import SCALAR_FIELD_R
from circuits.margin import option_charges
from circuits.margin import rounding as rounding_profiles
from circuits.margin.rounding import RoundingProfile
from circuits.margin.size_rate_model import KindSizeRates, OpenInterest, SizeWeights, omit_absent
from circuits.margin.units import (
    I64_MAX,
    I64_MIN,
    MAX_LIABILITY_WEIGHT,
    MAX_QUOTE_DECIMALS,
    MAX_SCALE,
    MAX_SLOTS,
    MAX_SYMBOL_LENGTH,
    MAX_TIER_SLOTS,
    SALT_BITS,
    U64_MAX,
    U,
)

Int64 = Annotated[int, Field(strict=True, ge=I64_MIN, le=I64_MAX)]
"""Signed 64-bit integer."""
UInt64 = Annotated[int, Field(strict=True, ge=0, le=U64_MAX)]
"""Unsigned 64-bit integer."""
NonNegInt64 = Annotated[int, Field(strict=True, ge=0, le=I64_MAX)]
Ppm = Annotated[int, Field(strict=True, ge=0, le=U)]
"""A ratio in ppm, at most 10^6."""
Scale = Annotated[int, Field(strict=True, ge=1, le=MAX_SCALE)]
Symbol = Annotated[str, Field(min_length=0, max_length=MAX_SYMBOL_LENGTH)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _WithFeatures(_Frozen):
    """A model with optional version-2 fields, left out of its JSON while at their defaults
    (so a version-1 snapshot serialises exactly as before)."""

    _feature_defaults: ClassVar[dict[str, object]] = {}

    @model_serializer(mode="wrap")
    def _omit_unused_features(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name, default in self._feature_defaults.items():
                if name in data and data[name] == default:
                    del data[name]
        return data


class MarginTier(_Frozen):
    """One affine piece of a margin schedule: ``U·M ≥ |N|·rate_ppm − U·deduction``."""

    rate_ppm: Ppm
    deduction: UInt64 = 0


class HaircutTier(_Frozen):
    """One affine piece of a deposit's value: ``U·scale·(V − addition) ≤ b·p·weight_ppm``."""

    weight_ppm: Ppm
    addition: UInt64 = 0


def _check_margin_schedule(tiers: list[MarginTier], name: str) -> None:
    """Raise ValueError unless the pieces form a convex schedule with strictly increasing
    rates, deductions starting at 0 and strictly increasing breakpoints."""
    if tiers[0].deduction != 0:
        raise ValueError(f"{name}[0].deduction must be 0")
    previous_bp: tuple[int, int] | None = None
    for k in range(1, len(tiers)):
        d_rate = tiers[k].rate_ppm - tiers[k - 1].rate_ppm
        d_ded = tiers[k].deduction - tiers[k - 1].deduction
        if d_rate <= 0 or d_ded <= 0:
            raise ValueError(f"{name} is not monotone: rate and deduction must increase at {k}")
        previous_bp = _check_breakpoint(previous_bp, (d_ded, d_rate), f"{name}[{k}]")


def _check_haircut_schedule(tiers: list[HaircutTier], name: str) -> None:
    """Raise ValueError unless the pieces form a concave schedule: weights strictly
    decreasing, additions from 0 strictly increasing, breakpoints strictly increasing."""
    if tiers[0].addition != 0:
        raise ValueError(f"{name}[0].addition must be 0")
    previous_bp: tuple[int, int] | None = None
    for k in range(1, len(tiers)):
        d_weight = tiers[k - 1].weight_ppm - tiers[k].weight_ppm
        d_add = tiers[k].addition - tiers[k - 1].addition
        if d_weight <= 0 or d_add <= 0:
            raise ValueError(
                f"{name} is not monotone: weight must decrease and addition increase at {k}"
            )
        previous_bp = _check_breakpoint(previous_bp, (d_add, d_weight), f"{name}[{k}]")


def _check_breakpoint(
    previous: tuple[int, int] | None, current: tuple[int, int], where: str
) -> tuple[int, int]:
    """Return ``current`` (a fraction num/den) after checking it exceeds ``previous``."""
    if previous is not None and current[0] * previous[1] <= previous[0] * current[1]:
        raise ValueError(f"{where}: breakpoints must strictly increase (every piece must bind)")
    return current


class InstrumentSpec(_WithFeatures):
    """One instrument slot of the snapshot (perp, future or option).

    Version-2 fields: ``size_rates`` and ``open_interest``
    (:mod:`circuits.margin.size_rate_model`), ``initial_risk_array``,
    ``initial_short_option_minimum`` and ``option_formula``
    (:mod:`circuits.margin.option_charges`), ``maintenance_fraction_ppm``
    (:mod:`circuits.margin.rounding`).
    """

    _feature_defaults: ClassVar[dict[str, object]] = {
        "size_rates": None, "open_interest": None, "initial_risk_array": None,
        "initial_short_option_minimum": None,
        "option_formula": None, "maintenance_fraction_ppm": None,
    }  # fmt: skip

    symbol: Symbol
    kind: Literal["perp", "future", "option"]
    size_scale: Scale
    mark_price: UInt64
    funding_index: Int64 = 0
    maintenance_tiers: list[MarginTier] = Field(min_length=1, max_length=MAX_TIER_SLOTS)
    initial_tiers: list[MarginTier] = Field(min_length=1, max_length=MAX_TIER_SLOTS)
    risk_array: list[Int64]
    short_option_minimum: NonNegInt64 = 0
    size_rates: KindSizeRates | None = None
    open_interest: OpenInterest | None = None
    initial_risk_array: list[Int64] | None = None
    initial_short_option_minimum: NonNegInt64 | None = None
    option_formula: option_charges.OptionFormula | None = None
    maintenance_fraction_ppm: Ppm | None = None

    @model_validator(mode="after")
    def _schedules(self) -> InstrumentSpec:
        _check_margin_schedule(self.maintenance_tiers, "maintenance_tiers")
        _check_margin_schedule(self.initial_tiers, "initial_tiers")
        option_charges.check_instrument(self)
        return self


class CollateralSpec(_Frozen):
    """One collateral asset: price (QQ per whole unit), scale, haircuts and liability weight."""

    symbol: Symbol
    price: UInt64
    scale: Scale
    haircut_tiers: list[HaircutTier] = Field(min_length=1, max_length=MAX_TIER_SLOTS)
    liability_weight_ppm: Annotated[int, Field(strict=True, ge=U, le=MAX_LIABILITY_WEIGHT)] = U
    size_weights: SizeWeights | None = None

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return omit_absent(handler(self), ("size_weights",))

    @model_validator(mode="after")
    def _schedule(self) -> CollateralSpec:
        _check_haircut_schedule(self.haircut_tiers, "haircut_tiers")
        return self


class ScenarioSpec(_Frozen):
    """Descriptive metadata of one risk scenario (not used by the circuit, not hashed)."""

    name: Symbol
    price_move_ppm: Int64 = 0
    vol_move_ppm: Int64 = 0
    cover_ppm: Ppm = U


class MarketSnapshot(_WithFeatures):
    """The oracle's public market data for one epoch.

    ``tier_slots`` / ``haircut_tier_slots`` fix how many pieces every schedule occupies in
    the canonical encoding (shorter schedules repeat their last piece), so they are part
    of the snapshot's shape, like the slot counts. ``rounding`` names the rounding profile
    (version 2 for any but ``per_term``: :mod:`circuits.margin.rounding`).
    """

    _feature_defaults: ClassVar[dict[str, object]] = {"rounding": "per_term"}

    version: Literal[1, 2] = 1
    epoch: UInt64
    timestamp: UInt64
    quote_decimals: Annotated[int, Field(strict=True, ge=0, le=MAX_QUOTE_DECIMALS)] = 6
    tier_slots: Annotated[int, Field(strict=True, ge=1, le=MAX_TIER_SLOTS)]
    haircut_tier_slots: Annotated[int, Field(strict=True, ge=1, le=MAX_TIER_SLOTS)]
    scenarios: list[ScenarioSpec] = Field(min_length=1, max_length=MAX_SLOTS)
    instruments: list[InstrumentSpec] = Field(min_length=1, max_length=MAX_SLOTS)
    collateral: list[CollateralSpec] = Field(min_length=1, max_length=MAX_SLOTS)
    rounding: RoundingProfile = "per_term"

    @model_validator(mode="after")
    def _shapes(self) -> MarketSnapshot:
        option_charges.check_snapshot(self)
        rounding_profiles.check_snapshot(self)
        n_s = len(self.scenarios)
        for i, inst in enumerate(self.instruments):
            if len(inst.risk_array) != n_s:
                raise ValueError(
                    f"instruments[{i}].risk_array has {len(inst.risk_array)} entries,"
                    f" the snapshot has {n_s} scenarios"
                )
            for name in ("maintenance_tiers", "initial_tiers"):
                if len(getattr(inst, name)) > self.tier_slots:
                    raise ValueError(
                        f"instruments[{i}].{name} exceeds tier_slots={self.tier_slots}"
                    )
        for j, coll in enumerate(self.collateral):
            if len(coll.haircut_tiers) > self.haircut_tier_slots:
                raise ValueError(
                    f"collateral[{j}].haircut_tiers exceeds"
                    f" haircut_tier_slots={self.haircut_tier_slots}"
                )
        return self

    @property
    def n_instruments(self) -> int:
        """Number of instrument slots."""
        return len(self.instruments)

    @property
    def n_collateral(self) -> int:
        """Number of collateral slots."""
        return len(self.collateral)

    @property
    def n_scenarios(self) -> int:
        """Number of risk scenarios."""
        return len(self.scenarios)


class Position(_Frozen):
    """The account's holding in one instrument slot."""

    size: Int64 = 0
    cost_basis: Int64 = 0
    funding_entry: Int64 = 0


class AccountState(_Frozen):
    """The private account state: one position per instrument slot, one balance per asset
    (negative = borrow), in the snapshot's slot order."""

    positions: list[Position] = Field(min_length=1, max_length=MAX_SLOTS)
    balances: list[Int64] = Field(min_length=1, max_length=MAX_SLOTS)

    def check_matches(self, snapshot: MarketSnapshot) -> None:
        """Raise ValueError unless the slot counts equal the snapshot's."""
        if len(self.positions) != snapshot.n_instruments:
            raise ValueError(
                f"positions has {len(self.positions)} entries,"
                f" the snapshot has {snapshot.n_instruments} instruments"
            )
        if len(self.balances) != snapshot.n_collateral:
            raise ValueError(
                f"balances has {len(self.balances)} entries,"
                f" the snapshot has {snapshot.n_collateral} collateral assets"
            )


_DECIMAL_SCHEMA = WithJsonSchema(
    {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+$"}]}
)
FieldInt = Annotated[int, Field(ge=0, lt=SCALAR_FIELD_R), _DECIMAL_SCHEMA]
"""A canonical field element; JSON accepts a number or a decimal string."""
SaltInt = Annotated[int, Field(ge=0, lt=1 << SALT_BITS), _DECIMAL_SCHEMA]


class Opening(_Frozen):
    """The opening of a state commitment: ``commitment = Poseidon(salt, PoseidonSponge(state))``.

    ``salt`` and ``commitment`` are written as decimal strings in JSON (they exceed 2^53).
    """

    state: AccountState
    salt: SaltInt
    commitment: FieldInt

    @field_serializer("salt", "commitment", when_used="json")
    def _decimal(self, value: int) -> str:
        return str(value)
