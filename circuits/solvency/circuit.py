"""``SolvencyChunk``: k committed accounts evaluated under the margin model, folded into totals.

Public inputs ``[acc_in, acc_out, chunk_root, snapshot_hash]``. For private commitments
``C_0 … C_{k−1}`` (bound by ``chunk_root``, their Poseidon Merkle root: the chunk's node in
the epoch tree of :mod:`circuits.solvency.epoch`, leaf pairs hashed in the leaf domain so no
internal node passes for a leaf), states, salts and the snapshot, the
circuit proves:

1. ``snapshot_hash`` is the snapshot's sponge with *both* tier kinds hashed in-circuit;
2. for every slot a: ``empty_a = (C_a = 0)``; a real slot opens ``C_a`` exactly as
   ``MarginCircuit`` does (``Poseidon(salt, PoseidonSponge(state))``); an empty slot holds the
   zero state (every size, cost basis, funding entry and balance is 0), so it adds 0 to every
   total and 0 to the count;
3. the exact margin model of :mod:`circuits.margin.reference` per slot (the gadgets and
   per-instrument evaluation of ``MarginCircuit``): equity, ``MM = max(Σ M_i^maint, Req3)``,
   ``IM = max(Σ M_i^init, Req3)``, ``Req3 = max(SOM, max_s Loss_s)`` — exact maxima, not
   only lower bounds, since the totals are published;
4. ``liabilities = max(0, equity)``, ``deficit = max(0, −equity)`` from the sign bit of
   ``equity + 2^E`` (E + 1 bits), ``at_risk = max(0, MM − equity)`` likewise;
5. ``acc_in = Poseidon(TAG, k, T_prev)`` for private previous totals, ``acc_out =
   Poseidon(TAG, k, T_prev + Σ slots)``, and every previous and new total range-checked to
   200 bits (count to 64), so no sum wraps around r.

Cost (pinned in tests/solvency): tiny 7,585 constraints per slot (7,345 of margin model,
commitment and totals, 240 for its Merkle node) plus 6,323 per chunk (snapshot hash with
both tier kinds, two accumulator hashes, range checks): k = 4 is 36,663 (a 2^16 domain),
k = 8 is 67,003 (2^17).

Exactness needs ≤ 2 tier pieces per schedule (the margin gadgets prove the exact tiered
requirement and haircut value for one or two pieces; more pieces give one-sided bounds only),
so sizes with more tier slots are refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from circuits.errors import CircuitError
from circuits.frontend import API, Circuit, Variable, public, secret
from circuits.margin import gadgets
from circuits.margin.bounds import sum_bounds
from circuits.margin.circuit import MarginCircuit, margin_params, tier_elements
from circuits.margin.commitment import DOMAIN_TIERS
from circuits.margin.sizes import MarginSize
from circuits.solvency.epoch import LEAF_DOMAIN
from circuits.solvency.totals import ACCUMULATOR_TAG, COUNT_BITS, TOTAL_BITS
from circuits.std.minmax import signed_max, signed_max_many
from circuits.std.poseidon import (
    poseidon_hash,
    poseidon_permutation_gadget,
    poseidon_sponge_hash,
)

MAX_EXACT_TIER_SLOTS = 2


@dataclass(frozen=True)
class SlotBounds:
    """Bit widths of one slot's signed values (all far below 252, so nothing wraps)."""

    equity_bits: int
    """``|equity| < 2^E``."""
    requirement_bits: int
    """Floors of the requirement (``Σ M_i``, SOM, ``Loss_s``) are signed values of this width."""
    gap_bits: int
    """``|MM − equity| < 2^G``."""


def slot_bounds(size: MarginSize) -> SlotBounds:
    """Return the widths for ``size`` from the margin model's bounds (circuits.margin.bounds)."""
    n, m = size.n_instruments, size.n_collateral
    sum_bounds(n, m)  # asserts the margin sums themselves stay below 252 bits
    equity = n * ((1 << 127) + (1 << 63) + (1 << 108)) + m * (1 << 131)
    requirement = n * (1 << 127)  # Σ M_i < n·2^127; |Loss_s|, SOM ≤ n·2^126
    return SlotBounds(
        equity_bits=equity.bit_length(),
        requirement_bits=requirement.bit_length() + 1,
        gap_bits=(requirement + equity).bit_length(),
    )


def solvency_params(size: MarginSize, chunk: int) -> dict[str, int]:
    """Return the compile parameters of ``SolvencyChunk`` for ``size`` and ``chunk`` slots."""
    if chunk < 1 or chunk & (chunk - 1):
        raise CircuitError(f"a solvency chunk has a power-of-two number of slots, got {chunk}")
    if max(size.tier_slots, size.haircut_tier_slots) > MAX_EXACT_TIER_SLOTS:
        raise CircuitError(
            f"solvency needs exact requirements: at most {MAX_EXACT_TIER_SLOTS} tier pieces"
            f" per schedule, size {size.name} has {size.tier_slots}/{size.haircut_tier_slots}"
        )
    return {
        **margin_params(size),
        "chunk": chunk,
        "n_chunk_positions": chunk * size.n_instruments,
        "n_chunk_balances": chunk * size.n_collateral,
        "n_initial_rates": size.n_instruments * size.tier_slots,
        "n_initial_deductions": size.n_instruments * (size.tier_slots - 1),
    }


@dataclass(frozen=True)
class SlotValues:
    """One slot's contributions to the totals."""

    liabilities: Variable
    deficit: Variable
    at_risk: Variable
    maintenance: Variable
    initial: Variable
    real: Variable

    def as_list(self) -> list[Variable]:
        """Return the contributions in accumulator order (count last)."""
        return [
            self.liabilities, self.deficit, self.at_risk, self.maintenance, self.initial, self.real
        ]  # fmt: skip


class SolvencyChunk(Circuit):
    """k committed accounts' margin totals folded into a running Poseidon accumulator."""

    acc_in: Variable = public()
    acc_out: Variable = public()
    chunk_root: Variable = public()
    snapshot_hash: Variable = public()

    previous_totals: list[Variable] = secret(6)
    commitments: list[Variable] = secret("chunk")
    padding_openings: list[Variable] = secret("chunk")
    salts: list[Variable] = secret("chunk")
    sizes: list[Variable] = secret("n_chunk_positions")
    cost_basis: list[Variable] = secret("n_chunk_positions")
    funding_entry: list[Variable] = secret("n_chunk_positions")
    balances: list[Variable] = secret("n_chunk_balances")

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
    initial_rates: list[Variable] = secret("n_initial_rates")
    initial_deductions: list[Variable] = secret("n_initial_deductions")
    collateral_scale: list[Variable] = secret("n_collateral")
    collateral_price: list[Variable] = secret("n_collateral")
    liability_weight: list[Variable] = secret("n_collateral")
    haircut_weights: list[Variable] = secret("n_haircut_weights")
    haircut_additions: list[Variable] = secret("n_haircut_additions")

    def define(self, api: API) -> None:
        """State the chunk relation (module docstring); ``tier_rates`` are the maintenance ones."""
        size = self._size()
        bounds = slot_bounds(size)
        with api.scope("snapshot_hash"):
            self._view(api, size, None)._snapshot_hash(api, size)
        with api.scope("chunk_root"):
            api.assert_is_equal(_merkle_root(api, self.commitments), self.chunk_root)
        slots = []
        for a in range(self.params["chunk"]):
            with api.scope(f"slot[{a}]"):
                slots.append(self._slot(api, size, bounds, a))
        with api.scope("accumulator"):
            self._accumulate(api, slots)

    def _size(self) -> MarginSize:
        p = self.params
        size = MarginSize(
            "compiled", p["n_instruments"], p["n_collateral"], p["n_scenarios"],
            p["tier_slots"], p["haircut_tier_slots"],
        )  # fmt: skip
        if dict(p) != solvency_params(size, p["chunk"]):
            raise CircuitError(f"SolvencyChunk parameters are inconsistent: {dict(p)}")
        return size

    def _view(self, api: API, size: MarginSize, slot: int | None) -> MarginCircuit:
        """Return a ``MarginCircuit`` over this chunk's snapshot wires (maintenance tiers), and
        over slot ``slot``'s account wires, so the margin evaluation is reused, not rewritten."""
        view = MarginCircuit.__new__(MarginCircuit)
        view.params = margin_params(size)
        for name in (
            "snapshot_hash", "epoch", "timestamp", "quote_decimals", "size_scale", "mark_price",
            "funding_index", "short_option_minimum", "risk", "tier_rates", "tier_deductions",
            "collateral_scale", "collateral_price", "liability_weight", "haircut_weights",
            "haircut_additions",
        ):  # fmt: skip
            setattr(view, name, getattr(self, name))
        # Kind 0 as a constant: the maintenance hash is computed from ``tier_rates`` and the
        # initial one from ``initial_rates`` below, so both schedules are bound.
        view.requirement_kind = api.constant(0)
        view.other_tier_hash = api.constant(0)
        if slot is None:
            initial = tier_elements(size, self.initial_rates, self.initial_deductions)
            view.other_tier_hash = poseidon_sponge_hash(api, initial, DOMAIN_TIERS)
        else:
            n, m = size.n_instruments, size.n_collateral
            view.sizes = self.sizes[slot * n : (slot + 1) * n]
            view.cost_basis = self.cost_basis[slot * n : (slot + 1) * n]
            view.funding_entry = self.funding_entry[slot * n : (slot + 1) * n]
            view.balances = self.balances[slot * m : (slot + 1) * m]
            view.salt = self.salts[slot]
            # A real slot has no padding opening, so it opens C exactly; an empty slot
            # (C = 0) opens the hash of its zero state instead.
            view.commitment = api.add(self.commitments[slot], self.padding_openings[slot])
        return view

    def _slot(self, api: API, size: MarginSize, bounds: SlotBounds, a: int) -> SlotValues:
        view = self._view(api, size, a)
        empty = api.is_zero(self.commitments[a])
        real = api.sub(1, empty)
        with api.scope("padding"):
            api.assert_product(real, self.padding_openings[a], 0)
            for value in (*view.sizes, *view.cost_basis, *view.funding_entry, *view.balances):
                api.assert_product(empty, value, 0)
        instruments = []
        initial_parts = []
        t = size.tier_slots
        for i in range(size.n_instruments):
            with api.scope(f"instrument[{i}]"):
                inst = view._instrument(api, size, i)
                initial_parts.append(
                    gadgets.tier_requirement(
                        api,
                        inst.abs_notional,
                        self.initial_rates[i * t : (i + 1) * t],
                        self.initial_deductions[i * (t - 1) : (i + 1) * (t - 1)],
                    )
                )
            instruments.append(inst)
        values, chunks = [], []
        for j in range(size.n_collateral):
            with api.scope(f"collateral[{j}]"):
                value, low, high = view._collateral(api, size, j)
            values.append(value)
            chunks += [low, high]
        with api.scope("commitment"):
            view._commitment(api, [inst.encoding for inst in instruments], chunks)
        equity = api.add(0, *values, *(inst.equity_part for inst in instruments))
        with api.scope("requirements"):
            som = api.sum([inst.short_option_minimum for inst in instruments])
            losses = [
                api.sum([inst.losses[s] for inst in instruments]) for s in range(size.n_scenarios)
            ]
            scenario = signed_max_many(api, [som, *losses], bounds.requirement_bits)
            level_m = api.sum([inst.requirement for inst in instruments])
            maintenance = signed_max(api, level_m, scenario, bounds.requirement_bits)
            initial = signed_max(api, api.sum(initial_parts), scenario, bounds.requirement_bits)
        with api.scope("equity_sign"):
            liabilities = _positive_part(api, equity, bounds.equity_bits)
        with api.scope("at_risk_sign"):
            at_risk = _positive_part(api, api.sub(maintenance, equity), bounds.gap_bits)
        deficit = api.sub(liabilities, equity)
        return SlotValues(liabilities, deficit, at_risk, maintenance, initial, real)

    def _accumulate(self, api: API, slots: list[SlotValues]) -> None:
        previous = self.previous_totals
        chunk = self.params["chunk"]
        api.assert_is_equal(poseidon_hash(api, [ACCUMULATOR_TAG, chunk, *previous]), self.acc_in)
        new_totals = []
        for k, prev in enumerate(previous):
            bits = COUNT_BITS if k == len(previous) - 1 else TOTAL_BITS
            # The chain already keeps acc_in's opening in range (it is an earlier acc_out or
            # acc_zero); checking it here too makes each chunk sound on its own.
            with api.scope(f"previous[{k}]"):
                api.to_binary(prev, bits)
            total = api.add(prev, *(slot.as_list()[k] for slot in slots))
            with api.scope(f"total[{k}]"):
                api.to_binary(total, bits)
            new_totals.append(total)
        api.assert_is_equal(poseidon_hash(api, [ACCUMULATOR_TAG, chunk, *new_totals]), self.acc_out)


def _positive_part(api: API, v: Variable, n_bits: int) -> Variable:
    """Return ``max(0, v)`` for ``v ∈ [−2^n, 2^n)``, asserting that range: n + 2 constraints.

    ``v + 2^n`` is decomposed into n + 1 bits; the top bit is 1 exactly when v ≥ 0.
    """
    bits = api.to_binary(api.add(v, 1 << n_bits), n_bits + 1)
    return api.mul(bits[n_bits], v)


def _merkle_root(api: API, leaves: list[Variable]) -> Variable:
    """Return the chunk's node in the epoch tree over ``len(leaves)`` (a power of two) leaves.

    Leaf pairs are hashed in the leaf domain (capacity ``LEAF_DOMAIN``), higher nodes with
    ``Poseidon(2)``, as :func:`circuits.solvency.epoch.tree_hash`: 240 constraints per node
    either way, since the constant capacity's S-box folds like circomlib's 0.
    """
    nodes = leaves
    level = 0
    while len(nodes) > 1:
        nodes = [_tree_hash(api, level, nodes[i], nodes[i + 1]) for i in range(0, len(nodes), 2)]
        level += 1
    return nodes[0]


def _tree_hash(api: API, level: int, left: Variable, right: Variable) -> Variable:
    if level > 0:
        return poseidon_hash(api, [left, right])
    with api.scope("leaf_pair"):
        return poseidon_permutation_gadget(api, [LEAF_DOMAIN, left, right])[0]
