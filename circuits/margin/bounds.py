"""Bit bounds of every value the margin circuit compares: why nothing can wrap around r.

Given the validated inputs (sizes, balances, indices: signed 64-bit; prices: unsigned
64-bit; scales < 2^30; rates and weights ≤ U; liability weights ≤ 10·U; deductions and
additions < 2^64), every intermediate integer below is bounded far under r/2 ≈ 2^253, so
an equality or a bit decomposition in Fr is the same statement over the integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from circuits.margin.units import BUFFER_BITS, MAX_LIABILITY_WEIGHT, SCALE_BITS, U

SIGNED64_BITS: Final = 64
NOTIONAL_BITS: Final = 128
"""``q·P`` and ``N = ⌊q·P/scale⌋`` are signed 128-bit: ``|q·P| ≤ 2^63·(2^64 − 1)``."""
FUNDING_NUMERATOR_BITS: Final = 128
"""``−(I − f)·q`` is signed 128-bit: ``|I − f| < 2^64``, ``|q| ≤ 2^63``."""
TIER_REQUIREMENT_BITS: Final = 127
"""``M ≤ |N| < 2^127`` since rates ≤ U and deductions ≥ 0."""
TIER_GAP_BITS: Final = 148
"""Pieces ``x_k = |N|·r_k − U·D_k ∈ (−2^84, 2^147)``: a gap between two is below 2^148."""
COLLATERAL_VALUE_BITS: Final = 132
"""Signed: ``|V| ≤ 2^127·10 + 2^64 < 2^131``."""
COLLATERAL_GAP_BITS: Final = 153
"""Pieces ``y_k = X·w_k + U·scale·A_k`` have ``|y_k| < 2^151 + 2^114``; a gap is < 2^153."""
COLLATERAL_REMAINDER_BITS: Final = (U << SCALE_BITS).bit_length()
"""``ρ < U·scale < 2^50``."""
assert MAX_LIABILITY_WEIGHT < 1 << 24


@dataclass(frozen=True)
class SumBounds:
    """Bounds of the sums, which grow with the slot counts."""

    requirement_gap_bits: int
    final_bits: int


def sum_bounds(n_instruments: int, n_collateral: int, requirement_bits: int = 127) -> SumBounds:
    """Return the comparison widths of ``Req ≥ X`` and ``U·equity − buffer·Req ≥ 0``.

    ``requirement_bits`` bounds one instrument's requirement: 127 for tiers, 131 with the
    size-dependent features (:mod:`circuits.margin.size_rate_gadgets`).

    ``L12 ≤ n·2^127``, ``SOM ≤ n·2^126``, ``|Loss_s| ≤ n·2^126``, so an honest
    ``Req − X < n·(2^127 + 2^126)``. ``|equity| < n·(2^127 + 2^63 + 2^108) + m·2^131`` so
    ``U·equity − buffer·Req ≤ U·|equity|``; a negative difference is above
    ``r − (U·|equity| + 2^(BUFFER_BITS+1)·Req)`` and fails the decomposition.
    """
    n, m = n_instruments, n_collateral
    requirement_gap = n * ((1 << requirement_bits) + (1 << 126))
    equity = n * ((1 << 127) + (1 << 63) + (1 << 108)) + m * (1 << 131)
    final = U * equity
    bits = SumBounds(requirement_gap.bit_length(), final.bit_length())
    worst_negative = final + (1 << (BUFFER_BITS + 1)) * (
        n * (1 << requirement_bits) + requirement_gap
    )
    assert max(bits.requirement_gap_bits, bits.final_bits) <= 252
    assert worst_negative.bit_length() <= 252
    return bits
