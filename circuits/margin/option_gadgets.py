"""In-circuit per-kind option charges (:mod:`circuits.margin.option_charges`, bits 16–17).

Bit 16: the requested kind's risk array and short-option minimum are selected by the public
``requirement_kind`` (one constraint per entry); the initial arrays are hashed in the
extension section (the maintenance ones already are in the main encoding), so only one
extra set is hashed, never two.

Bit 17: ``O = ⌈short·(max(α·S − β·OTM, γ·S, δ·P) + μ·P)/(U·scale)⌉`` per instrument, with

* ``OTM = b·d`` where ``d = ±(K − S)`` (call/put) and the prover's bit b satisfies
  ``2·OTM − d = (2b − 1)·d ∈ [0, 2^64)``: b = 1 exactly when d > 0 (or d = 0), so OTM is
  ``max(d, 0)`` — an overstated OTM would lower the charge, and cannot pass;
* ``c`` with ``c − x_k ∈ [0, 2^89)`` for the three pieces (c ≥ their max; the prover can
  only overstate it, which raises its own requirement);
* the exact ceiling ``ρ = U·scale·O − short·(c + μ·P) ∈ [0, U·scale)``, ``O < 2^133``.

Bounds (snapshot values are validated and hash-bound: S, K, P < 2^64, rates ≤ 10·U <
2^23.3, scale < 2^30; short ≤ 2^63 from the 64-bit check of q): ``|x_k| < 2^87.3`` so an
honest gap is below 2^88.3; ``0 ≤ c < 2^89.4``, ``short·(c + μ·P) < 2^152.7``, an honest
``O ≤ short·(c + μ·P)/U + 1 < 2^133``, ``U·scale·O < 2^183``: far below r, so every
decomposition is a statement over the integers. Only the requested kind's rates are wires;
they are hashed into ``H_kind`` and the other kind's ``H`` is a private input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from algebra.constants import SCALAR_FIELD_R
from circuits.frontend import API, Variable, register_hint
from circuits.margin.bounds import SumBounds
from circuits.margin.gadgets import signed
from circuits.margin.option_charges import (
    BIT_KIND_SCENARIOS,
    BIT_OPTION_FORMULA,
    DOMAIN_OPTION_RATES,
    OPTION_RATES_PER_INSTRUMENT,
)
from circuits.margin.sizes import MarginSize
from circuits.margin.units import SCALE_BITS, U
from circuits.std.poseidon import poseidon_sponge_hash

if TYPE_CHECKING:
    from circuits.margin.circuit import MarginCircuit

OTM_BITS: Final = 64
PIECE_GAP_BITS: Final = 89
CHARGE_BITS: Final = 133
REMAINDER_BITS: Final = (U << SCALE_BITS).bit_length()
ZERO_PARAMS: Final = {
    "n_initial_risk": 0, "n_initial_som": 0, "n_option_terms": 0, "n_option_rates": 0,
    "n_option_other": 0,
}  # fmt: skip
"""Array lengths of a circuit without these features (no wires)."""


def uses(size: MarginSize, bit: int) -> bool:
    """Return whether ``size``'s feature mask has ``bit``."""
    return bool(size.features >> bit & 1)


def params(size: MarginSize) -> dict[str, int]:
    """Return the array-length parameters of the features in ``size`` (empty if none)."""
    n, s = size.n_instruments, size.n_scenarios
    out: dict[str, int] = {}
    if uses(size, BIT_KIND_SCENARIOS) or uses(size, BIT_OPTION_FORMULA):
        out = dict(ZERO_PARAMS)
    if uses(size, BIT_KIND_SCENARIOS):
        out.update(n_initial_risk=n * s, n_initial_som=n)
    if uses(size, BIT_OPTION_FORMULA):
        out.update(n_option_terms=3 * n, n_option_rates=OPTION_RATES_PER_INSTRUMENT * n,
                   n_option_other=1)  # fmt: skip
    return out


def kind_scenarios(
    api: API, circuit: MarginCircuit, size: MarginSize, i: int
) -> tuple[list[Variable], Variable]:
    """Return instrument ``i``'s risk array and short-option minimum of the requested kind."""
    s = size.n_scenarios
    risk = list(circuit.risk[i * s : (i + 1) * s])
    som = circuit.short_option_minimum[i]
    if not uses(size, BIT_KIND_SCENARIOS):
        return risk, som
    kind = circuit.requirement_kind
    with api.scope("kind_scenarios"):
        initial = circuit.initial_risk[i * s : (i + 1) * s]
        chosen = [api.select(kind, ir, r) for ir, r in zip(initial, risk, strict=True)]
        return chosen, api.select(kind, circuit.initial_short_option_minimum[i], som)


@register_hint("margin/option_otm_binds")
def otm_binds_hint(inputs: Sequence[int], n_outputs: int) -> list[int]:
    """Return ``[1]`` if the signed ``inputs[0]`` is positive, else ``[0]``."""
    return [int(signed(inputs[0]) > 0)]


@register_hint("margin/option_unit_charge")
def unit_charge_hint(inputs: Sequence[int], n_outputs: int) -> list[int]:
    """Return ``[max_k x_k]`` of the signed pieces."""
    return [max(signed(x) for x in inputs) % SCALAR_FIELD_R]


def formula_charge(
    api: API, circuit: MarginCircuit, size: MarginSize, i: int, short: Variable
) -> Variable | None:
    """Return instrument ``i``'s option formula charge ``O`` (None without bit 17)."""
    if not uses(size, BIT_OPTION_FORMULA):
        return None
    underlying, strike, is_call = circuit.option_terms[3 * i : 3 * i + 3]
    k = OPTION_RATES_PER_INSTRUMENT
    alpha, beta, gamma, delta, mu = circuit.option_rates[k * i : k * (i + 1)]
    mark, scale = circuit.mark_price[i], circuit.size_scale[i]
    with api.scope("option_formula"):
        api.assert_is_boolean(is_call)
        diff = api.mul(api.sub(api.mul(is_call, 2), 1), api.sub(strike, underlying))
        (binds,) = api.hint("margin/option_otm_binds", [diff], 1)
        api.assert_is_boolean(binds)
        otm = api.mul(binds, diff)
        with api.scope("otm"):
            api.to_binary(api.sub(api.mul(otm, 2), diff), OTM_BITS)
        pieces = [
            api.sub(api.mul(alpha, underlying), api.mul(beta, otm)),
            api.mul(gamma, underlying),
            api.mul(delta, mark),
        ]
        (unit,) = api.hint("margin/option_unit_charge", pieces, 1)
        for p, piece in enumerate(pieces):
            with api.scope(f"piece[{p}]"):
                api.to_binary(api.sub(unit, piece), PIECE_GAP_BITS)
        owed = api.mul(short, api.add(unit, api.mul(mu, mark)))
        divisor = api.mul(scale, U)
        (charge,) = api.hint("margin/ceil_div", [owed, divisor], 1)
        with api.scope("charge"):
            api.to_binary(charge, CHARGE_BITS)
        remainder = api.sub(api.mul(divisor, charge), owed)
        with api.scope("ceil_remainder"):
            api.to_binary(remainder, REMAINDER_BITS)
        with api.scope("ceil_remainder_lt_divisor"):
            api.to_binary(api.sub(divisor, remainder, 1), REMAINDER_BITS)
    return charge


def widen(size: MarginSize, widths: SumBounds, requirement_bits: int = 127) -> SumBounds:
    """Return ``widths`` with the requirement gap widened for option charges (< 2^133 each)
    added to per-instrument requirements below ``2^requirement_bits``."""
    if not uses(size, BIT_OPTION_FORMULA):
        return widths
    gap = size.n_instruments * ((1 << requirement_bits) + (1 << 126) + (1 << CHARGE_BITS))
    return SumBounds(max(widths.requirement_gap_bits, gap.bit_length()), widths.final_bits)


def sections(
    api: API, circuit: MarginCircuit, size: MarginSize
) -> list[tuple[int, list[Variable | int]]]:
    """Return ``(bit, elements)`` of the features in ``size`` (extension-hash sections)."""
    out: list[tuple[int, list[Variable | int]]] = []
    s = size.n_scenarios
    if uses(size, BIT_KIND_SCENARIOS):
        elements: list[Variable | int] = []
        for i in range(size.n_instruments):
            elements.append(circuit.initial_short_option_minimum[i])
            elements += circuit.initial_risk[i * s : (i + 1) * s]
        out.append((BIT_KIND_SCENARIOS, elements))
    if uses(size, BIT_OPTION_FORMULA):
        chosen = poseidon_sponge_hash(api, circuit.option_rates, DOMAIN_OPTION_RATES)
        (other,) = circuit.other_option_rates_hash
        maintenance = api.select(circuit.requirement_kind, other, chosen)
        initial = api.sub(api.add(chosen, other), maintenance)
        out.append((BIT_OPTION_FORMULA, [*circuit.option_terms, maintenance, initial]))
    return out
