"""``MarginCircuit``: the committed account meets the margin rules of the hashed snapshot.

Public inputs ``[C, snapshot_hash, requirement_kind, buffer_ppm]`` (ARCHITECTURE §2). The
circuit proves, for private state, salt and snapshot values:

1. ``C = Poseidon(salt, PoseidonSponge(state encoding))`` and ``snapshot_hash`` is the sponge
   of the snapshot encoding (:mod:`circuits.margin.commitment`); the other kind's tier
   hash is a private input, so only the requested kind's schedules are hashed;
2. the margin model of :mod:`circuits.margin.reference` for ``requirement_kind`` (boolean):
   notionals, funding, tiered requirements, collateral values, scenario losses, SOM;
3. ``Req ≥ Σ M_i``, ``Req ≥ SOM``, ``Req ≥ Loss_s`` for every s (so Req ≥ the model's
   requirement), ``buffer_ppm − 10^6 ∈ [0, 2^32)`` and ``U·equity − buffer_ppm·Req ≥ 0``.
   Since ``Req ≥ Σ M_i ≥ 0`` is a bounded integer and every sum is bounded
   (:mod:`circuits.margin.bounds`), the last check also implies ``equity ≥ 0``.

Account values and hint outputs are range-checked; snapshot values are bound by the
hash, which every verifier recomputes from a snapshot that passed validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from circuits.errors import CircuitError
from circuits.frontend import API, Circuit, Variable, public, secret
from circuits.frontend.schema import InputField
from circuits.margin import gadgets, option_gadgets, rounding_gadgets, size_rate_gadgets
from circuits.margin.bounds import sum_bounds
from circuits.margin.commitment import (
    CHUNKS_PER_ELEMENT,
    DOMAIN_TIERS,
    OFFSET_64,
    snapshot_domain_for,
    state_domain,
)
from circuits.margin.extensions import DOMAIN_EXTENSIONS
from circuits.margin.sizes import MarginSize
from circuits.margin.units import BUFFER_BITS, MIN_BUFFER_PPM, U
from circuits.std import minmax  # noqa: F401  (registers the "signed_extreme" hint)
from circuits.std.poseidon import poseidon_hash, poseidon_sponge_hash


def margin_params(size: MarginSize) -> dict[str, int]:
    """Return the compile parameters of ``MarginCircuit`` for ``size`` (array lengths too)."""
    n, m, s = size.n_instruments, size.n_collateral, size.n_scenarios
    t, h = size.tier_slots, size.haircut_tier_slots
    return {
        **size.params(),
        "n_risk": n * s,
        "n_tier_rates": n * t,
        "n_tier_deductions": n * (t - 1),
        "n_haircut_weights": m * h,
        "n_haircut_additions": m * (h - 1),
        **size_rate_gadgets.input_lengths(size),
        **option_gadgets.params(size),
        **rounding_gadgets.params(size),
    }


SHARED_FIELDS: tuple[str, ...] = (
    "snapshot_hash", "requirement_kind", "epoch", "timestamp", "quote_decimals",
    "size_scale", "mark_price", "funding_index", "short_option_minimum", "risk",
    "tier_rates", "tier_deductions", "other_tier_hash", "collateral_scale",
    "collateral_price", "liability_weight", "haircut_weights", "haircut_additions",
    "size_rates", "size_weights", "open_interest",
    "initial_risk", "initial_short_option_minimum", "option_terms", "option_rates",
    "other_option_rates_hash", "nested_terms",
)  # fmt: skip
"""Inputs every trader of an epoch shares (the snapshot and the statement's kind): the
wires they alone determine — chiefly the in-circuit snapshot hash — are the same for all
of that epoch's proofs (``circuits.frontend.solve_program``)."""


def tier_elements(
    size: MarginSize, rates: list[Variable], deductions: list[Variable]
) -> list[Variable]:
    """Return the elements ``H_kind`` absorbs: per instrument ``rate_0, (rate_k, deduction_k)…``
    (:func:`circuits.margin.commitment.tier_encoding`)."""
    t = size.tier_slots
    out: list[Variable] = []
    for i in range(size.n_instruments):
        out.append(rates[i * t])
        for k in range(1, t):
            out += [rates[i * t + k], deductions[i * (t - 1) + k - 1]]
    return out


@dataclass
class _Instrument:
    equity_part: Variable
    requirement: Variable
    losses: list[Variable]
    short_option_minimum: Variable
    encoding: Variable
    abs_notional: Variable


class MarginCircuit(Circuit):
    """Margin compliance of a committed account against a hashed market snapshot."""

    commitment: Variable = public()
    snapshot_hash: Variable = public()
    requirement_kind: Variable = public()
    buffer_ppm: Variable = public()

    salt: Variable = secret()
    sizes: list[Variable] = secret("n_instruments")
    cost_basis: list[Variable] = secret("n_instruments")
    funding_entry: list[Variable] = secret("n_instruments")
    balances: list[Variable] = secret("n_collateral")

    epoch: Variable = secret()
    timestamp: Variable = secret()
    quote_decimals: Variable = secret()
    size_scale: list[Variable] = secret("n_instruments")
    mark_price: list[Variable] = secret("n_instruments")
    funding_index: list[Variable] = secret("n_instruments")
    short_option_minimum: list[Variable] = secret("n_instruments")
    risk: list[Variable] = secret("n_risk")
    tier_rates: list[Variable] = secret("n_tier_rates")
    tier_deductions: list[Variable] = secret("n_tier_deductions")
    other_tier_hash: Variable = secret()
    collateral_scale: list[Variable] = secret("n_collateral")
    collateral_price: list[Variable] = secret("n_collateral")
    liability_weight: list[Variable] = secret("n_collateral")
    haircut_weights: list[Variable] = secret("n_haircut_weights")
    haircut_additions: list[Variable] = secret("n_haircut_additions")
    size_rates: list[Variable] = secret("n_size_rates")
    size_weights: list[Variable] = secret("n_size_weights")
    open_interest: list[Variable] = secret("n_open_interest")
    initial_risk: list[Variable] = secret("n_initial_risk")
    initial_short_option_minimum: list[Variable] = secret("n_initial_som")
    option_terms: list[Variable] = secret("n_option_terms")
    option_rates: list[Variable] = secret("n_option_rates")
    other_option_rates_hash: list[Variable] = secret("n_option_other")
    nested_terms: list[Variable] = secret("n_nested_terms")

    @classmethod
    def input_fields(cls, params: Mapping[str, int]) -> list[InputField]:
        """Resolve the inputs; a feature's arrays are empty when the mask lacks it (so a
        version-1 circuit's parameters and wires are unchanged)."""
        zeros = {
            **size_rate_gadgets.ABSENT_LENGTHS,
            **option_gadgets.ZERO_PARAMS,
            **rounding_gadgets.ZERO_PARAMS,
        }
        return super().input_fields({**zeros, **params})

    def define(self, api: API) -> None:
        """State the margin relation (module docstring)."""
        size = self._size()
        api.assert_is_boolean(self.requirement_kind)
        with api.scope("buffer"):
            api.to_binary(api.sub(self.buffer_ppm, MIN_BUFFER_PPM), BUFFER_BITS)
        instruments = []
        for i in range(size.n_instruments):
            with api.scope(f"instrument[{i}]"):
                instruments.append(self._instrument(api, size, i))
        values, chunks = [], []
        for j in range(size.n_collateral):
            with api.scope(f"collateral[{j}]"):
                value, low, high = self._collateral(api, size, j)
            values.append(value)
            chunks += [low, high]
        with api.scope("commitment"):
            self._commitment(api, [inst.encoding for inst in instruments], chunks)
        with api.scope("snapshot_hash"):
            self._snapshot_hash(api, size)
        with api.scope("compliance"):
            self._compliance(api, size, instruments, values)

    def _size(self) -> MarginSize:
        p = self.params
        size = MarginSize(
            "compiled", p["n_instruments"], p["n_collateral"], p["n_scenarios"],
            p["tier_slots"], p["haircut_tier_slots"], p.get("features", 0),
        )  # fmt: skip
        if min(size.params().values()) < 1 or dict(p) != margin_params(size):
            raise CircuitError(f"MarginCircuit parameters are inconsistent: {dict(p)}")
        return size

    def _instrument(self, api: API, size: MarginSize, i: int) -> _Instrument:
        q, basis, entry = self.sizes[i], self.cost_basis[i], self.funding_entry[i]
        is_long = gadgets.signed64_bits(api, q)[63]
        gadgets.signed64_bits(api, basis)
        gadgets.signed64_bits(api, entry)
        n = gadgets.notional(api, q, self.mark_price[i], self.size_scale[i])
        n = rounding_gadgets.notional(api, self, size, i, n, is_long)
        abs_n = api.mul(api.sub(api.mul(is_long, 2), 1), n)
        f = gadgets.funding(api, q, entry, self.funding_index[i])
        t = size.tier_slots
        rates = self.tier_rates[i * t : (i + 1) * t]
        deductions = self.tier_deductions[i * (t - 1) : (i + 1) * (t - 1)]
        requirement = gadgets.tier_requirement(api, abs_n, rates, deductions)
        # Every piece is a lower bound on the requirement: the nested rounding (≤ 2^127)
        # first, then the size-dependent rate (which allows 2^131), then the option charge.
        requirement = rounding_gadgets.maintenance(api, self, size, i, abs_n, requirement)
        requirement = size_rate_gadgets.instrument_requirement(
            api, size, self, i, q, is_long, requirement
        )
        risk, som_rate = option_gadgets.kind_scenarios(api, self, size, i)
        losses = [api.mul(q, loss) for loss in risk]
        short = api.mul(api.sub(is_long, 1), q)
        som = api.mul(short, som_rate)
        charge = option_gadgets.formula_charge(api, self, size, i, short)
        if charge is not None:
            requirement = api.add(requirement, charge)
        encoding = api.add(
            api.add(q, OFFSET_64),
            api.mul(api.add(basis, OFFSET_64), 1 << 64),
            api.mul(api.add(entry, OFFSET_64), 1 << 128),
        )
        return _Instrument(api.add(n, basis, f), requirement, losses, som, encoding, abs_n)

    def _collateral(
        self, api: API, size: MarginSize, j: int
    ) -> tuple[Variable, Variable, Variable]:
        balance = self.balances[j]
        bits = gadgets.signed64_bits(api, balance)
        h = size.haircut_tier_slots
        value = gadgets.collateral_value(
            api,
            balance,
            bits[63],
            self.collateral_price[j],
            self.collateral_scale[j],
            self.liability_weight[j],
            self.haircut_weights[j * h : (j + 1) * h],
            self.haircut_additions[j * (h - 1) : (j + 1) * (h - 1)],
        )
        value = size_rate_gadgets.collateral_value(api, size, self, j, balance, bits[63], value)
        return value, api.from_binary(bits[:32]), api.from_binary(bits[32:])

    def _commitment(self, api: API, positions: list[Variable], chunks: list[Variable]) -> None:
        elements = [
            api.add(p, api.mul(chunks[i], 1 << 192)) if i < len(chunks) else p
            for i, p in enumerate(positions)
        ]
        leftover = chunks[len(positions) :]
        for g in range(0, len(leftover), CHUNKS_PER_ELEMENT):
            group = leftover[g : g + CHUNKS_PER_ELEMENT]
            elements.append(api.add(0, *(api.mul(c, 1 << (32 * k)) for k, c in enumerate(group))))
        domain = state_domain(len(positions), len(chunks) // 2)
        digest = poseidon_sponge_hash(api, elements, domain)
        api.assert_is_equal(poseidon_hash(api, [self.salt, digest]), self.commitment)

    def _snapshot_hash(self, api: API, size: MarginSize) -> None:
        h, s = size.haircut_tier_slots, size.n_scenarios
        tiers = tier_elements(size, self.tier_rates, self.tier_deductions)
        chosen = poseidon_sponge_hash(api, tiers, DOMAIN_TIERS)
        maintenance = api.select(self.requirement_kind, self.other_tier_hash, chosen)
        initial = api.sub(api.add(chosen, self.other_tier_hash), maintenance)
        main: list[Variable] = [self.epoch, self.timestamp, self.quote_decimals]
        for i in range(size.n_instruments):
            main += [self.size_scale[i], self.mark_price[i], self.funding_index[i]]
            main += [self.short_option_minimum[i], *self.risk[i * s : (i + 1) * s]]
        for j in range(size.n_collateral):
            main += [self.collateral_scale[j], self.collateral_price[j], self.liability_weight[j]]
            main.append(self.haircut_weights[j * h])
            for k in range(1, h):
                main += [
                    self.haircut_weights[j * h + k],
                    self.haircut_additions[j * (h - 1) + k - 1],
                ]
        main += [maintenance, initial]
        if size.features:
            extension: list[Variable | int] = [size.features]
            extension += self._extension_elements(api, size)
            main.append(poseidon_sponge_hash(api, extension, DOMAIN_EXTENSIONS))
        domain = snapshot_domain_for(
            size.n_instruments, size.n_collateral, size.n_scenarios, size.tier_slots,
            size.haircut_tier_slots, features=size.features,
        )  # fmt: skip
        api.assert_is_equal(poseidon_sponge_hash(api, main, domain), self.snapshot_hash)

    def _extension_elements(self, api: API, size: MarginSize) -> list[Variable | int]:
        """Return the wires ``H_ext`` absorbs after the mask: for each feature bit b in
        ``size.features``, in increasing b, ``b`` then the feature's elements
        (:func:`circuits.margin.extensions.extension_elements`).

        Raises:
            CircuitError: the mask names a feature this circuit does not implement.
        """
        unknown = size.features & ~size_rate_gadgets.IMPLEMENTED_MASK
        out = size_rate_gadgets.extension_elements(size, self)
        sections = option_gadgets.sections(api, self, size) + rounding_gadgets.sections(self, size)
        for bit, elements in sorted(sections, key=lambda section: section[0]):
            out += [bit, *elements]
            unknown &= ~(1 << bit)
        if unknown:
            raise CircuitError(f"MarginCircuit implements no snapshot feature in {unknown:#x}")
        return out

    def _compliance(
        self, api: API, size: MarginSize, instruments: list[_Instrument], values: list[Variable]
    ) -> None:
        requirement_bits = size_rate_gadgets.requirement_bits(size)
        widths = option_gadgets.widen(
            size, sum_bounds(size.n_instruments, size.n_collateral, requirement_bits),
            requirement_bits,
        )  # fmt: skip
        level12 = api.add(0, *(inst.requirement for inst in instruments))
        som = api.add(0, *(inst.short_option_minimum for inst in instruments))
        losses = [
            api.add(0, *(inst.losses[s] for inst in instruments)) for s in range(size.n_scenarios)
        ]
        floors = [level12, som, *losses]
        (requirement,) = api.hint("signed_extreme", [1, *floors], 1)
        for k, floor in enumerate(floors):
            with api.scope(f"requirement_ge[{k}]"):
                api.to_binary(api.sub(requirement, floor), widths.requirement_gap_bits)
        equity = api.add(0, *values, *(inst.equity_part for inst in instruments))
        with api.scope("buffered_equity_covers_requirement"):
            slack = api.sub(api.mul(equity, U), api.mul(self.buffer_ppm, requirement))
            api.to_binary(slack, widths.final_bits)
