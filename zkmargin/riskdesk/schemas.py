"""Strict pydantic schemas of the risk desk's inputs: market data and the margin policy.

Market data (``MarketData``) is what the oracle observes at ``as_of``: per asset an index
price, a daily close history (oldest first), order-book depth and open interest, and an
implied-volatility smile; the listed instruments and collateral assets. The policy
(``Policy``) is the methodology's parameters: volatility model, confidence levels and
margin periods of risk, floors and caps, the anti-procyclicality buffer, tier, option and
haircut settings, and the circuit size the snapshot is padded to (a named size or a
custom shape, :class:`ShapePolicy`). Money in these inputs is
in quote units (e.g. USD) as floats; the snapshot builder converts to integer quote
quantums. Every model forbids unknown fields and is frozen.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    model_serializer,
    model_validator,
)

from circuits.margin.errors import MarginInputError
from circuits.margin.sizes import MarginSize, get_size, size_of_shape
from circuits.margin.units import (
    MAX_QUOTE_DECIMALS,
    MAX_SCALE,
    MAX_SLOTS,
    MAX_SYMBOL_LENGTH,
    MAX_TIER_SLOTS,
)

Symbol = Annotated[str, Field(min_length=1, max_length=MAX_SYMBOL_LENGTH)]
MAX_AMOUNT = 1e15
"""Bound on prices, depths and open interest in quote units (QQ amounts then fit in 64 bits
for up to 4 quote decimals, and no intermediate float overflows)."""
Positive = Annotated[float, Field(gt=0, le=MAX_AMOUNT, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Confidence = Annotated[float, Field(ge=0.5, lt=1, allow_inf_nan=False)]
PpmInt = Annotated[int, Field(ge=0, le=1_000_000)]
UnixTime = Annotated[int, Field(ge=0, lt=1 << 40)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class SmilePoint(_Strict):
    """One implied volatility (annualised, e.g. 0.55) at an expiry (unix seconds) and strike."""

    expiry: UnixTime
    strike: Positive
    implied_vol: Annotated[float, Field(gt=0, le=5, allow_inf_nan=False)]


class AssetData(_Strict):
    """An underlying asset: index price, daily closes (oldest first), depth, OI and smile."""

    symbol: Symbol
    index_price: Positive
    closes: list[Annotated[float, Field(ge=1e-12, le=MAX_AMOUNT)]] = Field(
        min_length=30, max_length=20_000
    )
    depth: Positive
    """Order-book depth within ±2 % of mid, both sides, in quote units."""
    open_interest: NonNegative
    """Open interest across the asset's instruments, in quote units."""
    smile: list[SmilePoint] = Field(default_factory=list, max_length=1_000)


class InstrumentData(_Strict):
    """A listed instrument. Perps and futures carry a mark; options a strike, expiry and type
    (their mark is priced by Black-76 off the smile)."""

    symbol: Symbol
    kind: Literal["perp", "future", "option"]
    underlying: Symbol
    size_scale: Annotated[int, Field(ge=1, le=MAX_SCALE)]
    mark_price: Positive | None = None
    funding_index: Annotated[int, Field(ge=-(1 << 63), lt=1 << 63)] = 0
    strike: Positive | None = None
    expiry: UnixTime | None = None
    option_type: Literal["call", "put"] | None = None

    @model_validator(mode="after")
    def _kind_fields(self) -> InstrumentData:
        option_fields = (self.strike, self.expiry, self.option_type)
        if self.kind == "option":
            if any(value is None for value in option_fields) or self.mark_price is not None:
                raise ValueError(
                    "an option needs strike, expiry and option_type, and no mark_price"
                )
        elif self.mark_price is None or any(value is not None for value in option_fields):
            raise ValueError(f"a {self.kind} needs mark_price and no option fields")
        return self


class CollateralData(_Strict):
    """A collateral asset: ``asset`` names its market (None: the quote currency, price 1)."""

    symbol: Symbol
    asset: Symbol | None = None
    scale: Annotated[int, Field(ge=1, le=MAX_SCALE)]


class MarketData(_Strict):
    """Everything the oracle observed at ``as_of`` (unix seconds)."""

    version: Literal[1] = 1
    label: str = Field(default="", max_length=200)
    as_of: UnixTime
    quote_decimals: Annotated[int, Field(ge=0, le=MAX_QUOTE_DECIMALS)] = 6
    assets: list[AssetData] = Field(min_length=1, max_length=MAX_SLOTS)
    instruments: list[InstrumentData] = Field(min_length=1, max_length=MAX_SLOTS)
    collateral: list[CollateralData] = Field(min_length=1, max_length=MAX_SLOTS)

    @model_validator(mode="after")
    def _references(self) -> MarketData:
        assets = {asset.symbol for asset in self.assets}
        for name, symbols in (
            ("assets", [a.symbol for a in self.assets]),
            ("instruments", [i.symbol for i in self.instruments]),
            ("collateral", [c.symbol for c in self.collateral]),
        ):
            if len(set(symbols)) != len(symbols):
                raise ValueError(f"{name} symbols must be unique")
        for inst in self.instruments:
            if inst.underlying not in assets:
                raise ValueError(f"instrument {inst.symbol}: unknown underlying {inst.underlying}")
            if inst.expiry is not None and inst.expiry <= self.as_of:
                raise ValueError(f"instrument {inst.symbol} expired before as_of")
        for coll in self.collateral:
            if coll.asset is not None and coll.asset not in assets:
                raise ValueError(f"collateral {coll.symbol}: unknown asset {coll.asset}")
        return self

    def asset(self, symbol: str) -> AssetData:
        """Return the asset called ``symbol`` (validated to exist by the references check)."""
        return next(asset for asset in self.assets if asset.symbol == symbol)


class VolatilityPolicy(_Strict):
    """How daily volatility is estimated from close-to-close log returns."""

    model: Literal["ewma", "garch"] = "ewma"
    ewma_lambda: Annotated[float, Field(ge=0.8, lt=1)] = 0.94
    stress_window_days: Annotated[int, Field(ge=5, le=250)] = 20


class FractionPolicy(_Strict):
    """A margin fraction ``z(confidence)·σ·√mpor`` clamped to ``[floor_ppm, cap_ppm]``."""

    confidence: Confidence
    mpor_days: Annotated[int, Field(ge=1, le=30)]
    floor_ppm: PpmInt
    cap_ppm: PpmInt

    @model_validator(mode="after")
    def _bounds(self) -> FractionPolicy:
        if self.floor_ppm > self.cap_ppm:
            raise ValueError("floor_ppm must not exceed cap_ppm")
        return self


class AntiProcyclicalityPolicy(_Strict):
    """A buffer on the long-run volatility released in stress, and a stressed-period floor."""

    buffer_fraction: Annotated[float, Field(ge=0, le=1)] = 0.25
    stressed_floor_fraction: Fraction = 0.0


class TierPolicy(_Strict):
    """Size tiers from depth: notional unwound per day is ``participation × depth``."""

    participation: Annotated[float, Field(gt=0, le=1)] = 0.1
    breakpoints: list[Annotated[float, Field(gt=0, le=1e6)]] = Field(default=[1.0], max_length=7)
    """Tier breakpoints as multiples of the MPOR unwind capacity, strictly increasing."""
    oi_threshold: NonNegative = 0.0
    """Open interest / depth above which fractions are scaled up (0 disables OI scaling)."""
    oi_sensitivity: NonNegative = 0.0
    oi_max_factor: Annotated[float, Field(ge=1, le=10)] = 1.0

    @model_validator(mode="after")
    def _increasing(self) -> TierPolicy:
        if any(b <= a for a, b in zip(self.breakpoints, self.breakpoints[1:], strict=False)):
            raise ValueError("breakpoints must strictly increase")
        return self


class OptionsPolicy(_Strict):
    """Scenario grid widths and the short-option minimum."""

    vol_scan: Annotated[float, Field(gt=0, lt=1)] = 0.25
    short_option_minimum: Fraction = 0.01
    """Fraction of the underlying's price charged per short option at least."""


class HaircutPolicy(_Strict):
    """Collateral haircuts ``z·σ·√liquidation_days + liquidity add-on``, clamped, tiered."""

    confidence: Confidence = 0.99
    liquidation_days: Annotated[int, Field(ge=1, le=30)] = 2
    floor_ppm: PpmInt = 20_000
    cap_ppm: PpmInt = 500_000
    participation: Annotated[float, Field(gt=0, le=1)] = 0.1
    breakpoint: Annotated[float, Field(gt=0, le=1e6)] = 1.0
    """Balance (as a multiple of liquidation capacity) above which the haircut rises."""
    breakpoints: list[Annotated[float, Field(gt=0, le=1e6)]] | None = Field(
        default=None, min_length=1, max_length=MAX_TIER_SLOTS - 1
    )
    """Several such balances, strictly increasing (one haircut band each), instead of
    ``breakpoint``. Left out of the policy's JSON when unset, so policies written before it
    keep their bytes and hash."""

    @model_validator(mode="after")
    def _one_form(self) -> HaircutPolicy:
        if self.breakpoints is None:
            return self
        if "breakpoint" in self.model_fields_set:
            raise ValueError("give breakpoint or breakpoints, not both")
        if any(b <= a for a, b in zip(self.breakpoints, self.breakpoints[1:], strict=False)):
            raise ValueError("breakpoints must strictly increase")
        return self

    @model_serializer(mode="wrap")
    def _without_unset_form(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        data: dict[str, object] = handler(self)
        if self.breakpoints is None:
            data.pop("breakpoints", None)
        else:
            data.pop("breakpoint", None)
        return data

    def band_breakpoints(self) -> list[float]:
        """Return the haircut breakpoints: ``breakpoints`` if given, else ``[breakpoint]``."""
        return list(self.breakpoints) if self.breakpoints is not None else [self.breakpoint]


class ShapePolicy(_Strict):
    """A custom circuit shape: the five slot counts ``zkm margin setup`` takes.

    Bounded as at setup (:data:`circuits.margin.sizes.SHAPE_OPTIONS`): every count at least 1,
    slots at most ``MAX_SLOTS``, tier slots at most ``MAX_TIER_SLOTS``. A version-1 shape
    (no snapshot features).
    """

    instruments: Annotated[int, Field(ge=1, le=MAX_SLOTS)]
    collateral: Annotated[int, Field(ge=1, le=MAX_SLOTS)]
    scenarios: Annotated[int, Field(ge=1, le=MAX_SLOTS)]
    tier_slots: Annotated[int, Field(ge=1, le=MAX_TIER_SLOTS)]
    haircut_tier_slots: Annotated[int, Field(ge=1, le=MAX_TIER_SLOTS)]

    @model_validator(mode="after")
    def _setup_bounds(self) -> ShapePolicy:
        try:
            self.margin_size()
        except MarginInputError as error:
            raise ValueError(str(error)) from None
        return self

    def params(self) -> dict[str, int]:
        """Return the counts as circuit parameters (``MarginSize.params()`` keys)."""
        return {
            "n_instruments": self.instruments,
            "n_collateral": self.collateral,
            "n_scenarios": self.scenarios,
            "tier_slots": self.tier_slots,
            "haircut_tier_slots": self.haircut_tier_slots,
        }

    def margin_size(self) -> MarginSize:
        """Return the circuit size of this shape (a named size if one has exactly it).

        Raises:
            MarginInputError: a count out of the setup bounds.
        """
        return size_of_shape(self.params())


def _size_form(value: Any) -> str | None:
    if isinstance(value, str):
        return "named"
    if isinstance(value, dict | ShapePolicy):
        return "shape"
    return None


PolicySize = Annotated[
    Annotated[Literal["tiny", "standard", "large"], Tag("named")]
    | Annotated[ShapePolicy, Tag("shape")],
    Discriminator(
        _size_form,
        custom_error_type="size_form",
        custom_error_message=(
            "size is a named size (tiny, standard or large) or an object with instruments,"
            " collateral, scenarios, tier_slots and haircut_tier_slots"
        ),
    ),
]
"""A policy's circuit size: a named size (serialised as before, a string) or a shape."""


class Policy(_Strict):
    """The risk desk's methodology parameters."""

    version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=100)
    size: PolicySize = "standard"
    """A named circuit size, or the five slot counts of keys set up with a custom shape."""
    lookback_days: Annotated[int, Field(ge=30, le=5_000)] = 750
    max_input_age_seconds: Annotated[int, Field(ge=1)] = 3_600
    volatility: VolatilityPolicy = VolatilityPolicy()
    maintenance: FractionPolicy
    initial: FractionPolicy
    anti_procyclicality: AntiProcyclicalityPolicy = AntiProcyclicalityPolicy()
    tiers: TierPolicy = TierPolicy()
    options: OptionsPolicy = OptionsPolicy()
    haircuts: HaircutPolicy = HaircutPolicy()

    @model_validator(mode="after")
    def _initial_covers_maintenance(self) -> Policy:
        m, i = self.maintenance, self.initial
        if i.confidence < m.confidence or i.mpor_days < m.mpor_days or i.floor_ppm < m.floor_ppm:
            raise ValueError("initial must be at least as strict as maintenance")
        return self

    def margin_size(self) -> MarginSize:
        """Return the circuit size the policy's snapshots are padded to."""
        if isinstance(self.size, ShapePolicy):
            return self.size.margin_size()
        return get_size(self.size)
