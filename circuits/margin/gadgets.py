"""Margin-model gadgets: notional, funding, tiered requirement, collateral value.

Each gadget states the integer relation of :mod:`circuits.margin.reference` with hinted
values that are fully constrained and range-checked (bit widths in
:mod:`circuits.margin.bounds`). Snapshot values are trusted to be in range because the
circuit hashes them into the public snapshot hash, which verifiers recompute from a
validated snapshot; account values and hint outputs are range-checked here.
"""

from __future__ import annotations

from collections.abc import Sequence

from algebra.constants import SCALAR_FIELD_R
from circuits.frontend import API, Variable, register_hint
from circuits.margin import bounds
from circuits.margin.units import SCALE_BITS, U
from circuits.std.bits import to_binary_at_most
from circuits.std.division import floor_div, floor_divmod

R = SCALAR_FIELD_R
OFFSET_64 = 1 << 63


def signed(value: int) -> int:
    """Return the field element ``value`` read as a signed integer in (−r/2, r/2]."""
    return value - R if value > R // 2 else value


@register_hint("margin/second_binds")
def second_binds_hint(inputs: Sequence[int], n_outputs: int) -> list[int]:
    """Return ``[1]`` if the signed ``inputs[1]`` is above ``inputs[0]`` (max) — or below when
    ``inputs[2] = 1`` (min) — else ``[0]``."""
    first, second = signed(inputs[0]), signed(inputs[1])
    return [int(second < first) if inputs[2] == 1 else int(second > first)]


@register_hint("margin/ceil_div")
def ceil_div_hint(inputs: Sequence[int], n_outputs: int) -> list[int]:
    """Return ``[⌈a/d⌉ mod r]`` for signed a and positive d."""
    return [(-(-signed(inputs[0]) // inputs[1])) % R]


@register_hint("margin/floor_div")
def floor_div_hint(inputs: Sequence[int], n_outputs: int) -> list[int]:
    """Return ``[⌊a/d⌋ mod r]`` for signed a and positive d."""
    return [(signed(inputs[0]) // inputs[1]) % R]


def signed64_bits(api: API, v: Variable) -> list[Variable]:
    """Assert ``v ∈ [−2^63, 2^63)`` and return the 64 bits of ``v + 2^63`` (64 constraints).

    The top bit is 1 exactly when v ≥ 0.
    """
    with api.scope("signed64"):
        return api.to_binary(api.add(v, OFFSET_64), bounds.SIGNED64_BITS)


def notional(api: API, size: Variable, price: Variable, scale: Variable) -> Variable:
    """Return ``N = ⌊q·P/scale⌋``: 1 + (1 + 128 + 2·30) = 190 constraints."""
    with api.scope("notional"):
        product = api.mul(size, price)
        value, _ = floor_divmod(
            api, product, scale, bounds.NOTIONAL_BITS, d_bits=SCALE_BITS, d_checked=True
        )
    return value


def funding(api: API, size: Variable, entry: Variable, index: Variable) -> Variable:
    """Return ``F = ⌊−(I − f)·q/U⌋``: one product plus a constant-divisor floor division."""
    with api.scope("funding"):
        numerator = api.mul(api.sub(entry, index), size)
        return floor_div(api, numerator, U, bounds.FUNDING_NUMERATOR_BITS)


def exact_ceil_by_u(api: API, x: Variable) -> Variable:
    """Return ``M = ⌈x/U⌉`` for ``x ∈ [0, 2^147)``: ``U·M − x ∈ [0, U − 1]`` and
    ``M ∈ [0, 2^127)`` (127 + 25 constraints)."""
    (m,) = api.hint("margin/ceil_div", [x, U], 1)
    with api.scope("requirement"):
        api.to_binary(m, bounds.TIER_REQUIREMENT_BITS)
    with api.scope("ceil_remainder"):
        to_binary_at_most(api, api.sub(api.mul(m, U), x), U - 1)
    return m


def tier_requirement(
    api: API, abs_notional: Variable, rates: Sequence[Variable], deductions: Sequence[Variable]
) -> Variable:
    """Return ``M_i = max_k ⌈(|N|·r_k − U·D_k)/U⌉`` (the deduction of piece 0 is 0).

    One piece: M is the exact ceiling (1 + 152 constraints). Two pieces: the prover
    names the binding piece with a bit β and the circuit checks ``x_β ≥ x_{1−β}``, then
    takes the exact ceiling of ``x_β`` (305 constraints). More pieces: the architecture's
    "max of affine pieces" form ``U·M ≥ x_k`` for every k with ``M ∈ [0, 2^127)``
    (127 + 149·T constraints). Lying about the binding tier fails the gap check.
    """
    pieces = [api.mul(abs_notional, rates[0])]
    for rate, deduction in zip(rates[1:], deductions, strict=True):
        pieces.append(api.sub(api.mul(abs_notional, rate), api.mul(deduction, U)))
    with api.scope("tiers"):
        if len(pieces) == 1:
            return exact_ceil_by_u(api, pieces[0])
        if len(pieces) == 2:
            return _two_pieces_max(api, pieces[0], pieces[1])
        return _many_pieces_max(api, pieces)


def _two_pieces_max(api: API, x0: Variable, x1: Variable) -> Variable:
    (beta,) = api.hint("margin/second_binds", [x0, x1, 0], 1)
    api.assert_is_boolean(beta)
    chosen = api.select(beta, x1, x0)
    other = api.sub(api.add(x0, x1), chosen)
    with api.scope("binding_piece"):
        api.to_binary(api.sub(chosen, other), bounds.TIER_GAP_BITS)
    return exact_ceil_by_u(api, chosen)


def _many_pieces_max(api: API, pieces: Sequence[Variable]) -> Variable:
    (m,) = api.hint("margin/tier_max", pieces, 1)
    with api.scope("requirement"):
        api.to_binary(m, bounds.TIER_REQUIREMENT_BITS)
    for k, piece in enumerate(pieces):
        with api.scope(f"piece[{k}]"):
            api.to_binary(api.sub(api.mul(m, U), piece), bounds.TIER_GAP_BITS)
    return m


@register_hint("margin/tier_max")
def tier_max_hint(inputs: Sequence[int], n_outputs: int) -> list[int]:
    """Return ``[max(0, max_k ⌈x_k/U⌉)]`` for signed pieces ``x_k``."""
    return [max(0, *(-(-signed(x) // U) for x in inputs)) % R]


def exact_floor_by(api: API, y: Variable, scale: Variable) -> Variable:
    """Return ``V = ⌊y/(U·scale)⌋`` for ``|y| < 2^152``: ``ρ = y − U·scale·V ∈ [0, U·scale)``
    and V signed 132-bit (1 + 2·50 + 132 = 233 constraints)."""
    divisor = api.mul(scale, U)
    (value,) = api.hint("margin/floor_div", [y, divisor], 1)
    with api.scope("value"):
        api.to_binary(api.add(value, 1 << (bounds.COLLATERAL_VALUE_BITS - 1)),
                      bounds.COLLATERAL_VALUE_BITS)  # fmt: skip
    remainder = api.sub(y, api.mul(api.mul(scale, value), U))
    with api.scope("remainder"):
        api.to_binary(remainder, bounds.COLLATERAL_REMAINDER_BITS)
    with api.scope("remainder_lt_divisor"):
        api.to_binary(api.sub(divisor, remainder, 1), bounds.COLLATERAL_REMAINDER_BITS)
    return value


def collateral_value(
    api: API,
    balance: Variable,
    is_deposit: Variable,
    price: Variable,
    scale: Variable,
    liability_weight: Variable,
    weights: Sequence[Variable],
    additions: Sequence[Variable],
) -> Variable:
    """Return ``V_j``: ``min_k ⌊(X·w_k + U·scale·A_k)/(U·scale)⌋`` for a deposit and
    ``⌊X·λ/(U·scale)⌋`` for a borrow, where ``X = b·p`` (``is_deposit`` is b ≥ 0, boolean).

    A borrow replaces every piece by ``(λ, 0)``. One piece: exact floor. Two pieces: the
    prover names the binding (smaller) piece, checked against the other. More pieces:
    "min of affine pieces" ``U·scale·V ≤ y_k`` for every k.
    """
    raw = api.mul(balance, price)
    pieces = []
    for k, weight in enumerate(weights):
        piece = api.mul(raw, api.select(is_deposit, weight, liability_weight))
        if k:
            addition = api.mul(is_deposit, additions[k - 1])
            piece = api.add(piece, api.mul(api.mul(scale, addition), U))
        pieces.append(piece)
    with api.scope("haircut_tiers"):
        if len(pieces) == 1:
            return exact_floor_by(api, pieces[0], scale)
        if len(pieces) == 2:
            (beta,) = api.hint("margin/second_binds", [pieces[0], pieces[1], 1], 1)
            api.assert_is_boolean(beta)
            chosen = api.select(beta, pieces[1], pieces[0])
            other = api.sub(api.add(pieces[0], pieces[1]), chosen)
            with api.scope("binding_piece"):
                api.to_binary(api.sub(other, chosen), bounds.COLLATERAL_GAP_BITS)
            return exact_floor_by(api, chosen, scale)
        return _many_pieces_min(api, pieces, scale)


def _many_pieces_min(api: API, pieces: Sequence[Variable], scale: Variable) -> Variable:
    divisor = api.mul(scale, U)
    (value,) = api.hint("margin/haircut_min", [divisor, *pieces], 1)
    with api.scope("value"):
        api.to_binary(api.add(value, 1 << (bounds.COLLATERAL_VALUE_BITS - 1)),
                      bounds.COLLATERAL_VALUE_BITS)  # fmt: skip
    scaled = api.mul(api.mul(scale, value), U)
    for k, piece in enumerate(pieces):
        with api.scope(f"piece[{k}]"):
            api.to_binary(api.sub(piece, scaled), bounds.COLLATERAL_GAP_BITS)
    return value


@register_hint("margin/haircut_min")
def haircut_min_hint(inputs: Sequence[int], n_outputs: int) -> list[int]:
    """Return ``[min_k ⌊y_k/d⌋]`` for ``inputs = [d, y_0, y_1, …]`` (signed pieces)."""
    divisor = inputs[0]
    return [min(signed(y) // divisor for y in inputs[1:]) % R]
