"""The margin model of ARCHITECTURE §3 in plain Python integers: the circuit's specification.

Conservative rounding, each term separately: assets and PnL round toward −∞ (``//``),
requirements and liabilities round up (``⌈x/d⌉ = −⌊−x/d⌋``).

* Level 1 — cross margin: ``N_i = ⌊q_i·P_i/scale_i⌋``, ``F_i = ⌊−(I_i − f_i)·q_i/U⌋``,
  collateral ``V_j`` (below), ``equity = Σ V_j + Σ (N_i + B_i + F_i)``.
* Level 2 — tiers: ``M_i = max(0, max_k ⌈(|N_i|·r_k − U·D_k)/U⌉)`` per requirement kind
  (one tier = the flat fraction of Level 1); a deposit ``b ≥ 0`` is worth
  ``V = min_k (⌊b·p·w_k/(U·scale)⌋ + A_k)``, a borrow ``V = ⌊b·p·λ/(U·scale)⌋``.
* Level 3 — scenarios: ``Loss_s = Σ q_i·L_{i,s}``, ``SOM = Σ max(−q_i, 0)·som_i``,
  ``Req3 = max(max_s Loss_s, SOM)``.
* Version-2 size features (:mod:`circuits.margin.size_rates`): ``M_i`` is also at least
  the size-dependent requirement, and ``V_j`` at most the size-weighted value.
* Requirement of a kind: ``max(Σ M_i, Req3)``; compliance under ``buffer_ppm``:
  ``U·equity ≥ buffer_ppm·requirement`` and ``equity ≥ 0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from circuits.margin import option_charges, rounding, size_rates
from circuits.margin.loading import check_state_matches
from circuits.margin.model import (
    AccountState,
    CollateralSpec,
    HaircutTier,
    InstrumentSpec,
    MarginTier,
    MarketSnapshot,
)
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE, check_statement
from circuits.margin.units import U


def ceil_div(a: int, d: int) -> int:
    """Return ⌈a/d⌉ for d > 0 (``−⌊−a/d⌋``)."""
    return -(-a // d)


def notional(size: int, inst: InstrumentSpec) -> int:
    """Return ``N = ⌊q·P/scale⌋`` (toward −∞)."""
    return size * inst.mark_price // inst.size_scale


def funding(size: int, entry: int, inst: InstrumentSpec) -> int:
    """Return ``F = ⌊−(I − f)·q/U⌋``: longs pay when the index rises."""
    return -(inst.funding_index - entry) * size // U


def tier_requirement(abs_notional: int, tiers: Sequence[MarginTier]) -> int:
    """Return ``max(0, max_k ⌈(|N|·r_k − U·D_k)/U⌉)``: the convex tiered requirement."""
    pieces = (ceil_div(abs_notional * t.rate_ppm - U * t.deduction, U) for t in tiers)
    return max(0, *pieces)


def collateral_value(balance: int, coll: CollateralSpec) -> int:
    """Return the weighted value of a balance: min of haircut pieces, or the liability."""
    raw = balance * coll.price
    denominator = U * coll.scale
    if balance < 0:
        value = raw * coll.liability_weight_ppm // denominator
    else:
        value = min(_haircut_piece(raw, denominator, t) for t in coll.haircut_tiers)
    return size_rates.collateral_value_hook(value, balance, coll)


def _haircut_piece(raw: int, denominator: int, tier: HaircutTier) -> int:
    return raw * tier.weight_ppm // denominator + tier.addition


@dataclass(frozen=True)
class MarginReport:
    """Every intermediate value of the margin model for one state and snapshot.

    Per-slot lists reveal positions: never print or send them off the trader's machine
    (``summary()`` holds only the aggregates).
    """

    notionals: list[int]
    funding: list[int]
    cost_basis: list[int]
    collateral_values: list[int]
    maintenance_per_instrument: list[int]
    initial_per_instrument: list[int]
    scenario_losses: list[int]
    collateral: int
    equity: int
    maintenance: int
    initial: int
    short_option_minimum: int
    scenario: int
    initial_scenario_losses: list[int] | None = None
    """The initial kind's losses when it has its own scenario set (None: shared)."""
    initial_short_option_minimum: int | None = None
    initial_scenario: int | None = None

    def level12(self, kind: int) -> int:
        """Return the Level-1/2 requirement of ``kind`` (0 maintenance, 1 initial)."""
        return self.initial if kind == REQUIREMENT_INITIAL else self.maintenance

    def scenario_of(self, kind: int) -> int:
        """Return ``Req3`` of ``kind`` (the kinds share it unless the snapshot has
        per-kind scenario sets)."""
        if kind == REQUIREMENT_INITIAL and self.initial_scenario is not None:
            return self.initial_scenario
        return self.scenario

    def requirement(self, kind: int) -> int:
        """Return ``max(Level-1/2 requirement, Req3)`` for ``kind``."""
        return max(self.level12(kind), self.scenario_of(kind))

    def binding(self, kind: int) -> str:
        """Return which level sets the requirement: ``"tiers"`` or ``"scenario"``."""
        return "scenario" if self.scenario_of(kind) > self.level12(kind) else "tiers"

    def slack(self, kind: int, buffer_ppm: int = U) -> int:
        """Return ``U·equity − buffer_ppm·requirement`` (ppm·QQ; ≥ 0 when the ratio holds)."""
        return U * self.equity - buffer_ppm * self.requirement(kind)

    def summary(self, buffer_ppm: int = U) -> dict[str, Any]:
        """Return the aggregates only (no per-slot values): safe to display."""
        per_kind = {} if self.initial_scenario is None else {
            "scenario_initial": self.initial_scenario,
            "short_option_minimum_initial": self.initial_short_option_minimum,
        }  # fmt: skip
        return {
            "equity": self.equity,
            "collateral": self.collateral,
            "maintenance": self.maintenance,
            "initial": self.initial,
            "scenario": self.scenario,
            "short_option_minimum": self.short_option_minimum,
            "worst_scenario_loss": max(self.scenario_losses),
            "requirement_maintenance": self.requirement(REQUIREMENT_MAINTENANCE),
            "requirement_initial": self.requirement(REQUIREMENT_INITIAL),
            "binding_maintenance": self.binding(REQUIREMENT_MAINTENANCE),
            "binding_initial": self.binding(REQUIREMENT_INITIAL),
            "buffer_ppm": buffer_ppm,
            "slack_maintenance": self.slack(REQUIREMENT_MAINTENANCE, buffer_ppm),
            "slack_initial": self.slack(REQUIREMENT_INITIAL, buffer_ppm),
            "compliant_maintenance": is_compliant(self, REQUIREMENT_MAINTENANCE, buffer_ppm),
            "compliant_initial": is_compliant(self, REQUIREMENT_INITIAL, buffer_ppm),
        } | per_kind


def margin_report(state: AccountState, snapshot: MarketSnapshot) -> MarginReport:
    """Return the full margin report of ``state`` under ``snapshot`` (MarginInputError if the
    slot counts differ)."""
    check_state_matches(state, snapshot)
    pairs = list(zip(state.positions, snapshot.instruments, strict=True))
    notionals = rounding.notionals(state, snapshot)
    funding_terms = [funding(p.size, p.funding_entry, inst) for p, inst in pairs]
    values = [
        collateral_value(b, c) for b, c in zip(state.balances, snapshot.collateral, strict=True)
    ]
    mm = [
        size_rates.instrument_requirement_hook(
            tier_requirement(abs(n), i.maintenance_tiers), p.size, i, REQUIREMENT_MAINTENANCE
        )
        for n, (p, i) in zip(notionals, pairs, strict=True)
    ]
    im = [
        size_rates.instrument_requirement_hook(
            tier_requirement(abs(n), i.initial_tiers), p.size, i, REQUIREMENT_INITIAL
        )
        for n, (p, i) in zip(notionals, pairs, strict=True)
    ]
    mm = rounding.maintenance(snapshot, notionals, mm)
    mm = _plus(mm, option_charges.formula_charges(state, snapshot, REQUIREMENT_MAINTENANCE))
    im = _plus(im, option_charges.formula_charges(state, snapshot, REQUIREMENT_INITIAL))
    initial = option_charges.kind_scenarios(state, snapshot, REQUIREMENT_INITIAL)
    shared = not any(
        i.initial_risk_array is not None or i.initial_short_option_minimum is not None
        for i in snapshot.instruments
    )
    losses = [
        sum(p.size * inst.risk_array[s] for p, inst in pairs) for s in range(snapshot.n_scenarios)
    ]
    som = sum(max(-p.size, 0) * inst.short_option_minimum for p, inst in pairs)
    cost_basis = [p.cost_basis for p in state.positions]
    collateral = sum(values)
    equity = collateral + sum(notionals) + sum(cost_basis) + sum(funding_terms)
    return MarginReport(
        notionals=notionals,
        funding=funding_terms,
        cost_basis=cost_basis,
        collateral_values=values,
        maintenance_per_instrument=mm,
        initial_per_instrument=im,
        scenario_losses=losses,
        collateral=collateral,
        equity=equity,
        maintenance=sum(mm),
        initial=sum(im),
        short_option_minimum=som,
        scenario=max(max(losses), som),
        initial_scenario_losses=None if shared else initial[1:],
        initial_short_option_minimum=None if shared else initial[0],
        initial_scenario=None if shared else max(initial),
    )


def _plus(a: list[int], b: list[int]) -> list[int]:
    return [x + y for x, y in zip(a, b, strict=True)]


def is_compliant(report: MarginReport, kind: int, buffer_ppm: int = U) -> bool:
    """Return ``U·equity ≥ buffer_ppm·requirement(kind) and equity ≥ 0``.

    Raises:
        MarginInputError: ``kind`` is not 0/1 or ``buffer_ppm`` is outside the allowed range.
    """
    check_statement(kind, buffer_ppm)
    return report.equity >= 0 and report.slack(kind, buffer_ppm) >= 0
