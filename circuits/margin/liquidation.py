"""Liquidation prices: the nearest marks at which an account falls below maintenance.

For one instrument ``i`` of a snapshot, hold everything else fixed (the other marks, the
collateral, the funding indices, the risk arrays and short-option minimums, and for version-2
snapshots the open interest and an option's underlying price) and move only ``i``'s mark
``m`` over the ``UInt64`` range. The question is the nearest ``m`` below and above the
current mark at which ``equity < requirement`` (maintenance, buffer 1), computed exactly, in
quote quanta.

Why the answer is exact (the argument the tests check):

1. *Only the notional moves* (version 1). In the model (:mod:`circuits.margin.reference`)
   the mark enters only through ``n = N_i(m) = ⌊q·m/scale⌋``. The risk array is a
   per-size-quantum loss fixed by the oracle; it does **not** move with the mark, and
   neither does the SOM, so ``Req3`` is a constant ``R3``. With ``E0 = equity − N_i`` and
   ``A0 = MM − M_i`` taken from the engine at the current mark, ``equity(n) = E0 + n`` and
   ``MM(n) = A0 + T(|n|)`` with ``T(x) = max(0, max_k ⌈(x·r_k − U·D_k)/U⌉)``.
2. *The breach set in n is a finite union of half-lines.* ``equity < max(MM, R3)`` holds iff
   one of: ``E0 + n < R3``; ``E0 + n < A0`` (the zero piece); or, for a tier ``k``,
   ``E0 + n − A0 < ⌈y_k⌉`` with ``y_k = (|n|·r_k − U·D_k)/U``. For an integer ``a``,
   ``a < ⌈y⌉ ⇔ a < y``, so each tier condition is ``U·(E0 − A0 + n) < |n|·r_k − U·D_k``:
   linear in ``n`` on ``n ≥ 0`` and on ``n < 0`` separately, i.e. a half-line of integers
   in each sign region (:func:`solve_linear`). No monotonicity of the whole is assumed:
   whatever the rates, the union is computed piece by piece. A requirement of ``R3 ≥ 0``
   makes ``equity ≥ 0`` implied.
3. *Marks map to notionals monotonically.* ``N_i(m)`` is nondecreasing in ``m`` for a long,
   nonincreasing for a short (constant for no position), so the marks whose notional lies
   in one integer interval form one interval of marks, whose ends are solved exactly
   (:func:`marks_with_notional_in`). The nearest breach mark in a direction is the nearest
   end among these intervals.
4. *Verified by the engine.* Each reported mark is re-evaluated with
   :func:`~circuits.margin.reference.margin_report`: non-compliant at the mark, compliant one
   quantum nearer to the current mark (and, for "none", compliant at the far end of the
   range); a disagreement (or an engine refusal there) raises instead of reporting a wrong
   price.

Version-2 snapshots (:func:`mark_liquidation`, :class:`MarkModel`):

5. *What each feature does to equity and maintenance as a function of m* (read off
   :func:`~circuits.margin.reference.margin_report`):

   * ``size-weights`` (bit 1): collateral values only (their own prices and balances) —
     part of the constant ``E0``;
   * ``kind-scenarios`` (bit 16): the *initial* kind's risk arrays and SOM only; the
     maintenance ``R3`` is unchanged;
   * ``size-rates`` (bit 0) and ``open-interest`` (bit 2): at a fixed size the rate
     ``ρ = max(min(cap·s, base·s + slope·|q|), premium·s + factor·⌈√((|q|+1)·s)⌉,
     oi_rate·s)`` is fixed (the open interest is its own snapshot field, and each kind has
     its own scaling — the maintenance one, when set, joins the maintenance ``ρ``), so the
     term is ``SR(m) = ⌈|q|·m·ρ/(U·s²)⌉``, a function of the mark, not of ``n``;
   * ``dydx_v4`` rounding (bit 8): ``N(m) = trunc(q·m/s)``, ``|N| = ⌊|q|·m/s⌋``, and the
     nested term ``Nest(|N|) = ⌈⌈|N|·imf/U⌉·f/U⌉``;
   * ``option-formula`` (bit 17), a short only: ``O(m) = ⌈|q|·(max(A, δ·m) + μ·m)/(U·s)⌉``
     with ``A = max(α·S − β·OTM, γ·S)`` fixed (``S``, ``K`` are snapshot fields).

   So ``equity(m) = E0 + N(m)`` and ``MM(m) = A0 + max(0, T(|N|), SR(m), Nest(|N|)) + O(m)``
   (the engine's per-instrument value at the current mark is checked to equal this before
   any search). Every requirement term is nondecreasing in ``m`` (``|N|`` is, all rates are
   ``≥ 0``).

   *A short:* ``N`` is nonincreasing, so ``equity − max(MM, R3)`` is nonincreasing in ``m``:
   the breach set is one up-set of marks and a binary search over ``[m0 + 1, 2^64)`` with
   the exact predicate finds its least element (``down`` is none).

   *A long:* ``O = 0``, and ``T`` and ``Nest`` grow by at most 1 when ``|N|`` grows by 1
   (every tier rate, ``imf`` and ``f`` is ≤ 100 %), so ``E0 + N − max(A0 + max(0, T, Nest),
   R3)`` is nondecreasing: without ``SR`` the breach set is a down-set, found by a binary
   search below ``m0``.
6. *A long's size-rate piece* ``E0 − A0 + N < SR(m)`` is the one piece that is not
   monotone (a floor against a ceiling of different slopes). With ``d = E0 − A0``,
   ``n = ⌊q·m/s⌋``, ``a < ⌈y⌉ ⇔ a < y`` gives ``U·s²·(d + n) < q·ρ·m``. Within one
   notional block (fixed ``n``) that is an up-set of marks ``m ≥ τ(n) = ⌊U·s²·(d + n)/(q·ρ)⌋
   + 1`` (closed form). Writing ``r = q·m mod s``, it reads ``U·s·r > c·m + U·s²·d`` with
   ``c = q·(U·s − ρ)``: every mark with ``c·m + U·s²·d < 0`` is a breach, no mark with
   ``c·m + U·s²·d ≥ U·s·(s − g)`` is (``r`` is a multiple of ``g = gcd(q, s)``); these
   half-lines are solved exactly and skipped, and the band between is walked block by block
   (:class:`SizeRateBand`). The walk meets a breach within about ``1/|1 − ρ/(U·s)| + 2``
   blocks (the band's width) and within ``s/g + 1`` blocks (``r`` reaches ``s − g`` that
   often), so only a scale above 2^20 with a rate within about one ppm of 100 % can need
   more than :data:`MAX_BAND_BLOCKS`; that is refused with a :class:`LiquidationError`,
   never skipped. The long's nearest marks are the nearer of this piece's and step 5's.

Step 4 checks every version-2 mark as it does version-1 ones. A feature bit outside
:data:`SUPPORTED_FEATURES` (one registered later) is refused with a
:class:`LiquidationError` naming it (the distance to maintenance, which needs no
derivation, is still reported); a wrong price is never printed.

Per-instrument prices reveal positions: they stay on the trader's machine; nothing here logs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import gcd
from typing import Any, Final

from circuits.margin import option_charges, size_rates
from circuits.margin.errors import MarginInputError
from circuits.margin.extensions import feature_mask, feature_names
from circuits.margin.model import AccountState, InstrumentSpec, MarketSnapshot
from circuits.margin.option_charges import BIT_KIND_SCENARIOS, BIT_OPTION_FORMULA
from circuits.margin.reference import MarginReport, margin_report
from circuits.margin.rounding import BIT_ROUNDING, DYDX_V4
from circuits.margin.size_rates import BIT_OPEN_INTEREST, BIT_SIZE_RATES, BIT_SIZE_WEIGHTS
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


# --- version-2 snapshots: exact functions of the mark --------------------------------------

SUPPORTED_FEATURES: Final = (
    1 << BIT_SIZE_RATES | 1 << BIT_SIZE_WEIGHTS | 1 << BIT_OPEN_INTEREST | 1 << BIT_ROUNDING
    | 1 << BIT_KIND_SCENARIOS | 1 << BIT_OPTION_FORMULA
)  # fmt: skip
"""The version-2 features whose effect on the marks is derived (module docstring, 5)."""
MAX_BAND_BLOCKS: Final = 1 << 20
"""Notional blocks a long's size-rate band walk may visit before it refuses (module
docstring, 6): it meets a breach within about ``1/|1 − rate|`` and within ``s/gcd(q, s)``
blocks, so only a scale above 2^20 with a maintenance size rate within about one ppm of
100 % comes near it."""


@dataclass(frozen=True)
class MarkModel:
    """Instrument ``i``'s notional and maintenance requirement as exact functions of its mark
    ``m``, everything else held fixed (module docstring, 5).

    Attributes:
        size: ``q`` (nonzero).
        scale: The instrument's ``size_scale``.
        truncate: ``dydx_v4`` rounding: ``N = trunc(q·m/scale)`` instead of ``⌊q·m/scale⌋``.
        tiers: The maintenance tiers ``(r_k, D_k)``.
        size_rate: ``ρ`` (size-rates / open-interest, fixed at fixed ``|q|``), or None.
        nested: ``(imf, f)`` of the nested dYdX term, or None.
        option: ``(A, δ, μ)`` with ``A = max(α·S − β·OTM, γ·S)`` for a short under an
            option formula, or None.
    """

    size: int
    scale: int
    truncate: bool
    tiers: tuple[tuple[int, int], ...]
    size_rate: int | None
    nested: tuple[int, int] | None
    option: tuple[int, int, int] | None

    def notional(self, mark: int) -> int:
        """Return ``N(m)``: ``⌊q·m/scale⌋``, or ``trunc(q·m/scale)`` under ``dydx_v4``."""
        product = self.size * mark
        if self.truncate and product < 0:
            return -(-product // self.scale)
        return product // self.scale

    def tier_terms(self, mark: int) -> int:
        """Return ``max(0, T(|N|), Nest(|N|))``: the pieces that are functions of ``|N|``."""
        a = abs(self.notional(mark))
        out = max(0, *(ceil_div(a * r - U * d, U) for r, d in self.tiers))
        if self.nested is not None:
            imf, fraction = self.nested
            out = max(out, ceil_div(ceil_div(a * imf, U) * fraction, U))
        return out

    def size_term(self, mark: int) -> int:
        """Return ``SR(m) = ⌈|q|·m·ρ/(U·scale²)⌉`` (0 without a size rate)."""
        if self.size_rate is None:
            return 0
        return ceil_div(abs(self.size) * mark * self.size_rate, U * self.scale**2)

    def option_term(self, mark: int) -> int:
        """Return ``O(m) = ⌈|q|·(max(A, δ·m) + μ·m)/(U·scale)⌉`` (0 for a long or no formula)."""
        if self.option is None:
            return 0
        floor, delta, mu = self.option
        return ceil_div(-self.size * (max(floor, delta * mark) + mu * mark), U * self.scale)

    def requirement(self, mark: int) -> int:
        """Return ``M_i(m) = max(0, T, SR, Nest) + O``."""
        return max(self.tier_terms(mark), self.size_term(mark)) + self.option_term(mark)


def mark_model(inst: InstrumentSpec, size: int, rounding: str) -> MarkModel:
    """Return the :class:`MarkModel` of a position of ``size`` in ``inst`` (module docstring, 5).

    Everything but the mark is read here once: ``ρ`` depends on ``|q|``, the size-rate fields
    and the open interest; ``A`` on the strike and the underlying's price.
    """
    size_rate = None
    if inst.size_rates is not None or inst.open_interest is not None:
        size_rate = size_rates.scaled_rate(abs(size), inst, REQUIREMENT_MAINTENANCE)
    nested = None
    if inst.maintenance_fraction_ppm is not None:
        nested = (inst.initial_tiers[0].rate_ppm, inst.maintenance_fraction_ppm)
    option = None
    formula = inst.option_formula
    if formula is not None and size < 0:
        a, b, g, d, mu = formula.rates(REQUIREMENT_MAINTENANCE).as_list()
        s = formula.underlying_price
        option = (max(a * s - b * option_charges.otm_amount(formula), g * s), d, mu)
    return MarkModel(
        size=size,
        scale=inst.size_scale,
        truncate=rounding == DYDX_V4,
        tiers=tuple((t.rate_ppm, t.deduction) for t in inst.maintenance_tiers),
        size_rate=size_rate,
        nested=nested,
        option=option,
    )


def _last_below(breach: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """Return the largest ``m ∈ [lo, hi]`` with ``breach(m)`` for a down-set predicate."""
    if lo > hi or not breach(lo):
        return None
    while lo < hi:  # breach(lo) holds
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if breach(mid) else (lo, mid - 1)
    return lo


def _first_above(breach: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """Return the smallest ``m ∈ [lo, hi]`` with ``breach(m)`` for an up-set predicate."""
    if lo > hi or not breach(hi):
        return None
    while lo < hi:  # breach(hi) holds
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if breach(mid) else (mid + 1, hi)
    return hi


@dataclass(frozen=True)
class SizeRateBand:
    """A long's size-rate piece ``d + ⌊q·m/s⌋ < ⌈q·m·ρ/(U·s²)⌉`` (module docstring, 6).

    ``⇔ W·(d + n) < K·m`` with ``W = U·s²``, ``K = q·ρ``, ``n = ⌊q·m/s⌋``; with
    ``r = q·m mod s`` it reads ``U·s·r > L(m) = c·m + W·d``, ``c = q·(U·s − ρ)``: a breach
    wherever ``L(m) < 0``, none wherever ``L(m) ≥ U·s·(s − g)`` (``g = gcd(q, s)``);
    between, block by block.
    """

    q: int
    s: int
    rho: int
    d: int

    def block_start(self, n: int) -> int:
        """Return the least mark with ``⌊q·m/s⌋ = n`` (or above it)."""
        return ceil_div(n * self.s, self.q)

    def block_end(self, n: int) -> int:
        """Return the largest mark with ``⌊q·m/s⌋ ≤ n``."""
        return ((n + 1) * self.s - 1) // self.q

    def tau(self, n: int) -> int:
        """Return the least mark ``m`` with ``K·m > W·(d + n)``: in block ``n`` the breach
        marks are exactly those ``≥ τ(n)``."""
        return U * self.s**2 * (self.d + n) // (self.q * self.rho) + 1

    def level(self, mark: int) -> int:
        """Return ``L(m) − U·s·(s − g)``: ≥ 0 means no breach at ``m``."""
        return self.q * (U * self.s - self.rho) * mark + U * self.s**2 * self.d - self.top

    @property
    def top(self) -> int:
        """Return ``U·s·(s − g)``, ``g = gcd(q, s)``: ``r = q·m mod s`` is a multiple of ``g``,
        so at most ``s − g``."""
        return U * self.s * (self.s - gcd(self.q, self.s))

    @property
    def slope(self) -> int:
        """Return ``c = q·(U·s − ρ)``."""
        return self.q * (U * self.s - self.rho)

    def nearest_up(self, start: int, end: int) -> int | None:
        """Return the least breach mark in ``[start, end]`` (None if none)."""
        m, c, blocks = start, self.slope, 0
        while m <= end:
            if self.level(m) >= 0:  # no breach at m
                if c >= 0:  # L nondecreasing: none above either
                    return None
                # the first m' with L(m') < top: c·m' < top − W·d
                m = max(m + 1, (U * self.s**2 * self.d - self.top) // -c + 1)
                continue
            n = self.q * m // self.s
            hi = min(self.block_end(n), end)
            if (candidate := max(m, self.tau(n))) <= hi:
                return candidate
            m, blocks = hi + 1, _count_block(blocks)
        return None

    def nearest_down(self, start: int, end: int) -> int | None:
        """Return the largest breach mark in ``[end, start]`` (None if none)."""
        m, c, blocks = start, self.slope, 0
        while m >= end:
            if self.level(m) >= 0:
                if c <= 0:  # L nondecreasing as m falls: none below either
                    return None
                m = min(m - 1, ceil_div(self.top - U * self.s**2 * self.d, c) - 1)
                continue
            n = self.q * m // self.s
            if self.tau(n) <= m:
                return m
            m, blocks = self.block_start(n) - 1, _count_block(blocks)
        return None


def _count_block(blocks: int) -> int:
    """Return ``blocks + 1``; raise once the band walk exceeds :data:`MAX_BAND_BLOCKS`."""
    if blocks >= MAX_BAND_BLOCKS:
        raise LiquidationError(
            "liquidation marks are not computed for a long whose maintenance size rate is this"
            " close to 100 % of the notional (size-rates/open-interest: the breach marks"
            f" alternate over more than {MAX_BAND_BLOCKS} notional steps)"
        )
    return blocks + 1


def mark_liquidation(
    parts: FixedParts, model: MarkModel, mark: int
) -> tuple[int | None, int | None]:
    """Return the nearest breach marks ``(down, up)`` of a v2 instrument (module docstring, 5–6).

    The account is compliant at ``mark``.
    """
    e0, a0, r3 = parts.equity_others, parts.maintenance_others, parts.scenario

    def breach(m: int) -> bool:
        equity = e0 + model.notional(m)
        return equity < max(a0 + model.requirement(m), r3)

    if model.size < 0:  # every term moves against a short as m rises: an up-set
        return None, _first_above(breach, mark + 1, U64_MAX)

    def monotone_breach(m: int) -> bool:  # a long without its size-rate piece: a down-set
        equity = e0 + model.notional(m)
        return equity < max(a0 + model.tier_terms(m), r3)

    down = _last_below(monotone_breach, 0, mark - 1)
    if not model.size_rate:
        return down, None
    band = SizeRateBand(model.size, model.scale, model.size_rate, e0 - a0)
    nearer = band.nearest_down(mark - 1, 0 if down is None else down + 1)
    return (down if nearer is None else nearer), band.nearest_up(mark + 1, U64_MAX)


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
        LiquidationError: the engine disagrees with a derived mark or with the derived
            requirement at the current mark, or refuses to evaluate a mark, or a long's
            size-rate band is too wide to walk (module docstring, 6).
    """
    inst, position = snapshot.instruments[slot], state.positions[slot]
    parts = FixedParts(
        equity_others=report.equity - report.notionals[slot],
        maintenance_others=report.maintenance - report.maintenance_per_instrument[slot],
        scenario=report.scenario,
    )
    if feature_mask(snapshot):
        model = mark_model(inst, position.size, snapshot.rounding)
        current = inst.mark_price
        if (model.notional(current), model.requirement(current)) != (
            report.notionals[slot],
            report.maintenance_per_instrument[slot],
        ):
            raise LiquidationError(
                f"the derived maintenance requirement of instrument slot {slot} disagrees"
                " with the reference engine at the current mark"
            )
        try:
            down, up = mark_liquidation(parts, model, current)
        except LiquidationError as exc:
            raise LiquidationError(f"instrument slot {slot}: {exc}") from None
        found = {-1: down, 1: up}
    else:
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
    side = "down" if direction < 0 else "up"

    def compliant(m: int) -> bool:
        try:
            return maintenance_compliant(state, with_mark(snapshot, slot, m))
        except MarginInputError as exc:  # e.g. a size requirement beyond the circuit's range
            raise LiquidationError(
                f"the reference engine cannot check the liquidation mark of instrument slot"
                f" {slot} ({side}): {exc}"
            ) from None

    if mark is None:
        agrees = compliant(0 if direction < 0 else U64_MAX)
    else:
        agrees = not compliant(mark) and compliant(mark - direction)
    if not agrees:
        raise LiquidationError(
            f"the liquidation mark of instrument slot {slot} ({side})"
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
        LiquidationError: the engine disagrees with a derived mark, a long's size-rate band
            is too wide to walk, or ``with_prices`` for a snapshot using a feature outside
            :data:`SUPPORTED_FEATURES`.
    """
    report = margin_report(state, snapshot)
    requirement = report.requirement(REQUIREMENT_MAINTENANCE)
    compliant = report.equity >= 0 and report.equity >= requirement
    prices = []
    unsupported = feature_mask(snapshot) & ~SUPPORTED_FEATURES
    if unsupported and with_prices:
        raise LiquidationError(
            "liquidation marks are not modelled for snapshot features "
            f"{feature_names(unsupported)}; the maintenance distance is available without marks"
        )
    if compliant and with_prices:
        prices = [
            instrument_liquidation(state, snapshot, report, i)
            for i, position in enumerate(state.positions)
            if position.size != 0
        ]
    return LiquidationReport(report.equity, requirement, compliant, prices)
