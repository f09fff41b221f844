"""Liquidation prices: the nearest marks at which an account falls below maintenance.

For one instrument ``i`` of a snapshot, hold everything else fixed (the other marks, the
collateral, the funding indices, the risk arrays and short-option minimums) and move only
``i``'s mark ``m`` over the ``UInt64`` range. The question is the nearest ``m`` below and
above the current mark at which ``equity < requirement`` (maintenance, buffer 1), computed
exactly, in quote quanta.

Why the answer is exact (the argument the tests check):

1. *Only the notional moves.* In the model (:mod:`circuits.margin.reference`) the mark
   enters only through ``n = N_i(m) = ⌊q·m/scale⌋``. The risk array is a per-size-quantum
   loss fixed by the oracle; it does **not** move with the mark, and neither does the SOM,
   so ``Req3`` is a constant ``R3``. With ``E0 = equity − N_i`` and ``A0 = MM − M_i`` taken
   from the engine at the current mark, ``equity(n) = E0 + n`` and
   ``MM(n) = A0 + T(|n|)`` with ``T(x) = max(0, max_k ⌈(x·r_k − U·D_k)/U⌉)``.
2. *The breach set in n is a finite union of half-lines.* ``equity < max(MM, R3)`` holds iff
   one of: ``E0 + n < R3``; ``E0 + n < A0`` (the zero piece); or, for a tier ``k``,
   ``E0 + n − A0 < ⌈y_k⌉`` with ``y_k = (|n|·r_k − U·D_k)/U``. For an integer ``a``,
   ``a < ⌈y⌉ ⇔ a < y``, so each tier condition is ``U·(E0 − A0 + n) < |n|·r_k − U·D_k``:
   linear in ``n`` on ``n ≥ 0`` and on ``n < 0`` separately, i.e. a half-line of integers
   in each sign region (:func:`solve_linear`). No monotonicity of the whole is assumed:
   whatever the rates, the union is computed piece by piece. (With every rate ≤ 100 %, as
   the model requires today, ``equity − MM`` happens to be nondecreasing in ``n``; the
   search does not rely on it.) A requirement of ``R3 ≥ 0`` makes ``equity ≥ 0`` implied.
3. *Marks map to notionals monotonically.* ``N_i(m)`` is nondecreasing in ``m`` for a long,
   nonincreasing for a short (constant for no position), so the marks whose notional lies
   in one integer interval form one interval of marks, whose ends are solved exactly
   (:func:`marks_with_notional_in`). The nearest breach mark in a direction is the nearest
   end among these intervals.
4. *Verified by the engine.* Each reported mark is re-evaluated with
   :func:`~circuits.margin.reference.margin_report`: non-compliant at the mark, compliant one
   quantum nearer to the current mark (and, for "none", compliant at the far end of the
   range); a disagreement raises instead of reporting a wrong price. Step 1 is specific to
   the model it names: a model term that moves with a mark (say, an option charge computed
   from the mark) must be added to :func:`breach_notionals` as further pieces.

Version-2 features are not modelled: size-rates (``⌈|q|·P·ρ/(U·scale²)⌉``, linear in the
mark), size-weights and open-interest (collateral/IMF terms of the size), the dYdX nested
rounding profile and the option formula (terms of the mark and of the underlying price,
which is a separate snapshot field and is held fixed) all move the requirement in ways
step 1 does not derive. For a snapshot using any of them the marks are refused with a
:class:`LiquidationError` naming the features (the distance to maintenance, which needs no
derivation, is still reported); a wrong price is never printed.

Per-instrument prices reveal positions: they stay on the trader's machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from circuits.margin.errors import MarginInputError
from circuits.margin.extensions import feature_mask, feature_names
from circuits.margin.model import AccountState, InstrumentSpec, MarketSnapshot
from circuits.margin.reference import MarginReport, margin_report
from circuits.margin.statement import REQUIREMENT_MAINTENANCE
from circuits.margin.units import U64_MAX, U

INFINITY: Final = 1 << 512
"""Stands for an unbounded end: far beyond every notional (< 2^128) and mark (< 2^64)."""

Interval = tuple[int, int]
"""A closed integer interval ``[lo, hi]`` (empty when ``lo > hi``)."""


class LiquidationError(MarginInputError):
    """The engine disagrees with the derived liquidation mark (the model changed under it)."""


def ceil_div(a: int, d: int) -> int:
    """Return ⌈a/d⌉ for d ≠ 0 (exact for every sign)."""
    return -(-a // d)


def solve_linear(a: int, b: int) -> Interval:
    """Return the integers ``n`` with ``a·n < b`` as an interval (``±INFINITY`` for open ends)."""
    if a > 0:
        return (-INFINITY, ceil_div(b, a) - 1)
    if a < 0:
        return (b // a + 1, INFINITY)
    return (-INFINITY, INFINITY) if b > 0 else (1, 0)


def intersect(x: Interval, y: Interval) -> Interval:
    """Return ``x ∩ y``."""
    return (max(x[0], y[0]), min(x[1], y[1]))


@dataclass(frozen=True)
class FixedParts:
    """What stays fixed while one instrument's mark moves (all from the engine)."""

    equity_others: int
    """``E0 = equity − N_i``."""
    maintenance_others: int
    """``A0 = MM − M_i``."""
    scenario: int
    """``R3 = max(max_s Loss_s, SOM)``: independent of every mark."""


def breach_notionals(parts: FixedParts, inst: InstrumentSpec) -> list[Interval]:
    """Return intervals whose union is exactly the notionals ``n`` with ``equity < MM ∨ R3``.

    ``equity(n) = E0 + n``, ``requirement(n) = max(A0 + T(|n|), R3)`` (module docstring, 2).
    """
    e0, a0 = parts.equity_others, parts.maintenance_others
    out = [
        solve_linear(1, parts.scenario - e0),  # E0 + n < R3
        solve_linear(1, a0 - e0),  # E0 + n < A0 + 0 (the max's zero piece)
    ]
    d = e0 - a0
    for tier in inst.maintenance_tiers:
        r, bound = tier.rate_ppm, -U * (d + tier.deduction)
        # n ≥ 0: U(d + n) < n·r − U·D  ⇔  (U − r)·n < −U(d + D)
        out.append(intersect(solve_linear(U - r, bound), (0, INFINITY)))
        # n < 0: U(d + n) < −n·r − U·D  ⇔  (U + r)·n < −U(d + D)
        out.append(intersect(solve_linear(U + r, bound), (-INFINITY, -1)))
    return [x for x in out if x[0] <= x[1]]


def marks_with_notional_in(size: int, scale: int, notionals: Interval) -> Interval:
    """Return the marks ``m ∈ [0, 2^64)`` with ``⌊size·m/scale⌋ ∈ notionals`` (one interval).

    ``⌊x⌋ ≥ c ⇔ x ≥ c`` and ``⌊x⌋ ≤ c ⇔ x < c + 1`` for an integer ``c``, so each end is a
    linear inequality in ``m`` solved exactly; the sign of ``size`` decides its direction.
    """
    lo, hi = notionals
    marks = (0, U64_MAX)
    if size == 0:
        return marks if lo <= 0 <= hi else (1, 0)
    # size·m ≥ lo·scale  ⇔  −size·m < −lo·scale + 1  (integers)
    at_least = solve_linear(-size, -lo * scale + 1)
    # size·m < (hi + 1)·scale
    at_most = solve_linear(size, (hi + 1) * scale)
    return intersect(marks, intersect(at_least, at_most))


@dataclass(frozen=True)
class LiquidationPrices:
    """The nearest breach marks of one instrument (None: none within the UInt64 marks)."""

    slot: int
    symbol: str
    mark: int
    down: int | None
    up: int | None

    def as_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict (``null`` for no breach within the mark range)."""
        return {
            "slot": self.slot, "symbol": self.symbol, "mark": self.mark,
            "down": self.down, "up": self.up,
        }  # fmt: skip


def _nearest(intervals: list[Interval], mark: int, direction: int) -> int | None:
    """Return the nearest mark strictly beyond ``mark`` in ``direction`` (−1/+1) in the union."""
    best: int | None = None
    for lo, hi in intervals:
        if direction > 0 and hi > mark:
            candidate = max(lo, mark + 1)
            best = candidate if best is None else min(best, candidate)
        if direction < 0 and lo < mark:
            candidate = min(hi, mark - 1)
            best = candidate if best is None else max(best, candidate)
    return best


def with_mark(snapshot: MarketSnapshot, slot: int, mark: int) -> MarketSnapshot:
    """Return ``snapshot`` with instrument ``slot``'s mark replaced (nothing else changes)."""
    instruments = list(snapshot.instruments)
    instruments[slot] = instruments[slot].model_copy(update={"mark_price": mark})
    return snapshot.model_copy(update={"instruments": instruments})


def maintenance_compliant(state: AccountState, snapshot: MarketSnapshot) -> bool:
    """Return ``equity ≥ MM requirement`` (and ``equity ≥ 0``) by the reference engine."""
    report = margin_report(state, snapshot)
    return report.equity >= 0 and report.equity >= report.requirement(REQUIREMENT_MAINTENANCE)


def instrument_liquidation(
    state: AccountState, snapshot: MarketSnapshot, report: MarginReport, slot: int
) -> LiquidationPrices:
    """Return the nearest breach marks of instrument ``slot`` (module docstring).

    Raises:
        LiquidationError: the engine disagrees with a derived mark.
    """
    inst, position = snapshot.instruments[slot], state.positions[slot]
    parts = FixedParts(
        equity_others=report.equity - report.notionals[slot],
        maintenance_others=report.maintenance - report.maintenance_per_instrument[slot],
        scenario=report.scenario,
    )
    marks = [
        marks_with_notional_in(position.size, inst.size_scale, notionals)
        for notionals in breach_notionals(parts, inst)
    ]
    marks = [x for x in marks if x[0] <= x[1]]
    found = {d: _nearest(marks, inst.mark_price, d) for d in (-1, 1)}
    for direction, mark in found.items():
        _verify(state, snapshot, slot, mark, direction)
    return LiquidationPrices(slot, inst.symbol, inst.mark_price, found[-1], found[1])


def _verify(
    state: AccountState, snapshot: MarketSnapshot, slot: int, mark: int | None, direction: int
) -> None:
    """Check a derived mark with the engine: a breach at it and none one quantum nearer; for
    no mark, no breach at the far end of the range either."""

    def compliant(m: int) -> bool:
        return maintenance_compliant(state, with_mark(snapshot, slot, m))

    if mark is None:
        agrees = compliant(0 if direction < 0 else U64_MAX)
    else:
        agrees = not compliant(mark) and compliant(mark - direction)
    if not agrees:
        raise LiquidationError(
            f"the liquidation mark of instrument slot {slot} ({'down' if direction < 0 else 'up'})"
            " disagrees with the reference engine"
        )


@dataclass(frozen=True)
class LiquidationReport:
    """The account's distance to maintenance and each held instrument's breach marks."""

    equity: int
    requirement: int
    compliant: bool
    instruments: list[LiquidationPrices]

    @property
    def distance(self) -> int:
        """Return ``equity − maintenance requirement`` in QQ (negative: already breached)."""
        return self.equity - self.requirement

    @property
    def distance_ppm(self) -> int | None:
        """Return ``⌊U·(equity − requirement)/equity⌋``: the share of equity that can be lost
        before the breach (None when equity ≤ 0)."""
        return U * self.distance // self.equity if self.equity > 0 else None

    def summary(self) -> dict[str, Any]:
        """Return the account-level aggregates (no per-instrument values)."""
        return {
            "maintenance_distance": self.distance,
            "maintenance_distance_ppm": self.distance_ppm,
        }


def liquidation_report(
    state: AccountState, snapshot: MarketSnapshot, *, with_prices: bool = True
) -> LiquidationReport:
    """Return the distance to maintenance and, when the account is compliant now and
    ``with_prices``, the breach marks of every instrument it holds.

    Raises:
        MarginInputError: the state does not match the snapshot.
        LiquidationError: the engine disagrees with a derived mark, or ``with_prices`` for a
            snapshot using a version-2 feature (the marks are not modelled for it).
    """
    report = margin_report(state, snapshot)
    requirement = report.requirement(REQUIREMENT_MAINTENANCE)
    compliant = report.equity >= 0 and report.equity >= requirement
    prices = []
    mask = feature_mask(snapshot)
    if mask and with_prices:
        raise LiquidationError(
            "liquidation marks are not modelled for snapshot features "
            f"{feature_names(mask)} (their requirement terms move with the mark); "
            "the maintenance distance is available without marks"
        )
    if compliant and with_prices:
        prices = [
            instrument_liquidation(state, snapshot, report, i)
            for i, position in enumerate(state.positions)
            if position.size != 0
        ]
    return LiquidationReport(report.equity, requirement, compliant, prices)
