"""Per-kind option charges (snapshot format version 2, feature bits 16 and 17).

**Bit 16 — per-kind scenario sets.** An instrument may carry ``initial_risk_array`` and
``initial_short_option_minimum``; its ``risk_array`` / ``short_option_minimum`` are then the
maintenance ones and the initial requirement's Level 3 uses the initial ones (an instrument
without them uses its maintenance values for both kinds). Section elements, per instrument:
``initial_som, initial_risk[0 … n_s − 1]`` (effective values).

**Bit 17 — the option margin formula.** An option carries :class:`OptionFormula`: its
``right`` (call or put), ``strike`` K and ``underlying_price`` S (QQ per whole unit, public
like its mark P) and, per kind, :class:`OptionRates` (ppm, up to 10·U so rates above 100 %
are expressible). A short position of ``short = max(−q, 0)`` size quanta is charged::

    OTM = max(K − S, 0) (call) or max(S − K, 0) (put)
    c   = max(α·S − β·OTM, γ·S, δ·P) + μ·P                  (ppm·QQ per whole unit)
    O   = ⌈short·c / (U·scale)⌉                              (requirement, rounded up)

and ``O`` is added to the instrument's Level-1/2 requirement of that kind. Deribit's
options (doc.tslab.pro's copy of Deribit's "margin requirements calculation", read
2026-12-03; Aevo publishes the same rule): short call IM ``max(0.15 − OTM/S, 0.1)·S + P`` →
``α = 0.15, β = 1, γ = 0.1, μ = 1``; MM ``0.075·S + P`` → ``α = 0.075, μ = 1``; short put MM
``max(0.075·S, 0.075·P) + P`` → ``α = 0.075, δ = 0.075, μ = 1``; short put IM
``max(IM formula, MM)`` → ``α = 0.15, β = 1, γ = 0.1, δ = 0.075, μ = 1`` (0.1·S ≥ 0.075·S).
A rate on the underlying's notional (Derive's, Deribit's) is ``α`` alone. Longs are not
charged (their premium is paid; their value is in equity).

Section elements: per instrument ``S, K, is_call`` (0, 0, 0 without a formula), then
``H_MM, H_IM`` where ``H_kind = PoseidonSponge_{domain 5}`` of per instrument
``α, β, γ, δ, μ`` of that kind: the circuit hashes only the requested kind's rates and
takes the other ``H`` as a private input, like the tier hashes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from algebra.constants import SCALAR_FIELD_R
from circuits.margin.extensions import EXTENDED_VERSION, SnapshotFeature, register_feature
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.units import U64_MAX, U
from circuits.std.poseidon_reference import poseidon_sponge

if TYPE_CHECKING:
    from circuits.margin.model import AccountState, InstrumentSpec, MarketSnapshot

BIT_KIND_SCENARIOS: Final = 16
BIT_OPTION_FORMULA: Final = 17
DOMAIN_OPTION_RATES: Final = 5
MAX_OPTION_RATE: Final = 10 * U
"""Option formula rates lie in ``[0, 10·U]`` (up to 1000 %)."""
OPTION_RATES_PER_INSTRUMENT: Final = 5

OptionRate = Annotated[int, Field(strict=True, ge=0, le=MAX_OPTION_RATE)]


class OptionRates(BaseModel):
    """One kind's coefficients: ``c = max(α·S − β·OTM, γ·S, δ·P) + μ·P`` (ppm)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    underlying_ppm: OptionRate = 0
    """α: rate on the underlying's price."""
    otm_ppm: OptionRate = 0
    """β: rate of the out-of-the-money amount taken off α·S."""
    floor_ppm: OptionRate = 0
    """γ: floor, as a rate on the underlying's price."""
    mark_floor_ppm: OptionRate = 0
    """δ: floor, as a rate on the option's mark."""
    mark_ppm: OptionRate = 0
    """μ: rate on the option's mark, added (Deribit: 100 %)."""

    def as_list(self) -> list[int]:
        """Return ``[α, β, γ, δ, μ]``."""
        return [self.underlying_ppm, self.otm_ppm, self.floor_ppm, self.mark_floor_ppm,
                self.mark_ppm]  # fmt: skip


class OptionFormula(BaseModel):
    """An option's public contract terms and per-kind formula rates (module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    right: Literal["call", "put"]
    strike: Annotated[int, Field(strict=True, ge=0, le=U64_MAX)]
    underlying_price: Annotated[int, Field(strict=True, ge=0, le=U64_MAX)]
    maintenance: OptionRates
    initial: OptionRates

    def rates(self, kind: int) -> OptionRates:
        """Return the rates of ``kind``."""
        return self.initial if kind == REQUIREMENT_INITIAL else self.maintenance


def check_instrument(inst: InstrumentSpec) -> None:
    """Raise ValueError if an option-only field is set on a perp or future."""
    if inst.kind != "option" and inst.option_formula is not None:
        raise ValueError(f"option_formula is set on a {inst.kind}")


def check_snapshot(snapshot: MarketSnapshot) -> None:
    """Raise ValueError unless every initial risk array has one entry per scenario and a
    snapshot using these features says version 2."""
    for feature in (KIND_SCENARIOS, OPTION_FORMULA):
        if snapshot.version < EXTENDED_VERSION and feature.used_by(snapshot):
            raise ValueError(
                f"a version-1 snapshot cannot use feature {feature.name}; set version 2"
            )
    for i, inst in enumerate(snapshot.instruments):
        if inst.initial_risk_array is not None and len(inst.initial_risk_array) != (
            snapshot.n_scenarios
        ):
            raise ValueError(
                f"instruments[{i}].initial_risk_array has {len(inst.initial_risk_array)}"
                f" entries, the snapshot has {snapshot.n_scenarios} scenarios"
            )


# --- the engine ------------------------------------------------------------------------


def kind_risk_array(inst: InstrumentSpec, kind: int) -> list[int]:
    """Return the instrument's risk array for ``kind``."""
    if kind == REQUIREMENT_INITIAL and inst.initial_risk_array is not None:
        return list(inst.initial_risk_array)
    return list(inst.risk_array)


def kind_short_option_minimum(inst: InstrumentSpec, kind: int) -> int:
    """Return the instrument's short-option minimum rate for ``kind``."""
    if kind == REQUIREMENT_INITIAL and inst.initial_short_option_minimum is not None:
        return inst.initial_short_option_minimum
    return inst.short_option_minimum


def kind_scenarios(state: AccountState, snapshot: MarketSnapshot, kind: int) -> list[int]:
    """Return ``[SOM_kind, Loss_kind_0, …]``: the kind's Level-3 floors."""
    pairs = list(zip(state.positions, snapshot.instruments, strict=True))
    losses = [
        sum(p.size * kind_risk_array(inst, kind)[s] for p, inst in pairs)
        for s in range(snapshot.n_scenarios)
    ]
    som = sum(max(-p.size, 0) * kind_short_option_minimum(inst, kind) for p, inst in pairs)
    return [som, *losses]


def otm_amount(formula: OptionFormula) -> int:
    """Return ``max(K − S, 0)`` for a call, ``max(S − K, 0)`` for a put."""
    diff = formula.strike - formula.underlying_price
    return max(diff if formula.right == "call" else -diff, 0)


def unit_charge(formula: OptionFormula, mark: int, kind: int) -> int:
    """Return ``c = max(α·S − β·OTM, γ·S, δ·P) + μ·P`` in ppm·QQ per whole short unit."""
    a, b, g, d, m = formula.rates(kind).as_list()
    s = formula.underlying_price
    return max(a * s - b * otm_amount(formula), g * s, d * mark) + m * mark


def formula_charge(size: int, inst: InstrumentSpec, kind: int) -> int:
    """Return ``O = ⌈max(−q, 0)·c/(U·scale)⌉`` (0 without a formula or for a long)."""
    if inst.option_formula is None or size >= 0:
        return 0
    charge = -size * unit_charge(inst.option_formula, inst.mark_price, kind)
    return -(-charge // (U * inst.size_scale))


def formula_charges(state: AccountState, snapshot: MarketSnapshot, kind: int) -> list[int]:
    """Return ``O_i`` of every instrument for ``kind``."""
    return [
        formula_charge(p.size, inst, kind)
        for p, inst in zip(state.positions, snapshot.instruments, strict=True)
    ]


# --- the snapshot encoding ---------------------------------------------------------------


def _uses_kind_scenarios(snapshot: MarketSnapshot) -> bool:
    return any(
        i.initial_risk_array is not None or i.initial_short_option_minimum is not None
        for i in snapshot.instruments
    )


def _kind_scenarios_encoding(snapshot: MarketSnapshot) -> list[int]:
    out: list[int] = []
    for inst in snapshot.instruments:
        out.append(kind_short_option_minimum(inst, REQUIREMENT_INITIAL))
        out += kind_risk_array(inst, REQUIREMENT_INITIAL)
    return [v % SCALAR_FIELD_R for v in out]


def contract_terms(inst: InstrumentSpec) -> list[int]:
    """Return ``[S, K, is_call]`` of an instrument (zeros without a formula)."""
    f = inst.option_formula
    if f is None:
        return [0, 0, 0]
    return [f.underlying_price, f.strike, int(f.right == "call")]


def kind_rates(snapshot: MarketSnapshot, kind: int) -> list[int]:
    """Return per instrument ``α, β, γ, δ, μ`` of ``kind`` (zeros without a formula)."""
    out: list[int] = []
    for inst in snapshot.instruments:
        f = inst.option_formula
        out += f.rates(kind).as_list() if f else [0] * OPTION_RATES_PER_INSTRUMENT
    return out


def rates_hash(snapshot: MarketSnapshot, kind: int) -> int:
    """Return ``H_kind = PoseidonSponge_{domain 5}(kind_rates(snapshot, kind))``."""
    return poseidon_sponge(kind_rates(snapshot, kind), DOMAIN_OPTION_RATES)


def _formula_encoding(snapshot: MarketSnapshot) -> list[int]:
    out = [v for inst in snapshot.instruments for v in contract_terms(inst)]
    maintenance = rates_hash(snapshot, REQUIREMENT_MAINTENANCE)
    return [*out, maintenance, rates_hash(snapshot, REQUIREMENT_INITIAL)]


KIND_SCENARIOS = register_feature(
    SnapshotFeature(BIT_KIND_SCENARIOS, "kind-scenarios", _uses_kind_scenarios,
                    _kind_scenarios_encoding)
)  # fmt: skip
OPTION_FORMULA = register_feature(
    SnapshotFeature(BIT_OPTION_FORMULA, "option-formula",
                    lambda s: any(i.option_formula is not None for i in s.instruments),
                    _formula_encoding)
)  # fmt: skip


# --- the witness ---------------------------------------------------------------------------


def assignment(snapshot: MarketSnapshot, kind: int, mask: int) -> dict[str, int | list[int]]:
    """Return the circuit inputs of both features for a snapshot whose feature mask is
    ``mask`` (empty arrays for a feature it does not use)."""
    scenarios = mask >> BIT_KIND_SCENARIOS & 1
    formula = mask >> BIT_OPTION_FORMULA & 1
    other = REQUIREMENT_MAINTENANCE if kind == REQUIREMENT_INITIAL else REQUIREMENT_INITIAL
    encoding = _kind_scenarios_encoding(snapshot) if scenarios else []
    step = snapshot.n_scenarios + 1
    return {
        "initial_short_option_minimum": encoding[0::step],
        "initial_risk": [v for k, v in enumerate(encoding) if k % step],
        "option_terms": [v for i in snapshot.instruments for v in contract_terms(i)]
        if formula
        else [],
        "option_rates": kind_rates(snapshot, kind) if formula else [],
        "other_option_rates_hash": [rates_hash(snapshot, other)] if formula else [],
    }
