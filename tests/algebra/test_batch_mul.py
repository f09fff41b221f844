"""The batch-affine kernels behind ``g*_scale`` and ``g*_ntt`` across their chunk borders.

Those kernels run many scalar multiplications in lock step with shared inversions, in
chunks of 1,024 slots, and fall back to projective arithmetic for rare cases (infinity,
equal or opposite points). The differential suite compares them with the reference
backend on a handful of points; here sizes span several chunks, and the expected values
come from independent arithmetic: with ``P_i = a_i·G``, ``k_i·P_i = (k_i·a_i)·G`` (arkworks'
fixed-base table), and the point NTT of ``a_i·G`` is ``NTT(a)_i·G`` (the scalar NTT).
"""

from __future__ import annotations

import random

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from algebra.encoding import fr_vector_from_bytes, fr_vector_to_bytes
from algebra.native_backend import NativeBackend
from tests.algebra.curve_helpers import G1_GEN, G2_GEN

RNG = random.Random(20261122)


def _awkward_scalars(n: int) -> tuple[list[int], list[int]]:
    """Return ``(a, k)``: random pairs plus the cases that take the exact fallbacks."""
    a = [RNG.randrange(R) for _ in range(n)]
    k = [RNG.randrange(R) for _ in range(n)]
    a[0], a[1], a[2], a[3] = 0, 5, 5, R - 5  # infinity; equal points; opposite points
    k[1], k[2], k[3] = 1, R - 1, 1  # 5G + …: the same point twice and its negation
    k[4], k[5], k[6], k[7] = 0, 2, 3, 16  # zero; tiny scalars (accumulator starts at infinity)
    a[1030], k[1030] = a[1029], k[1029]  # equal slots across the first chunk border
    return a, k


@pytest.mark.parametrize("group", [1, 2])
def test_scale_matches_fixed_base_over_several_chunks(native: NativeBackend, group: int) -> None:
    n = 2100 if group == 1 else 1100
    a, k = _awkward_scalars(n)
    fixed_base = native.g1_fixed_base if group == 1 else native.g2_fixed_base
    scale = native.g1_scale if group == 1 else native.g2_scale
    generator = G1_GEN if group == 1 else G2_GEN
    points = fixed_base(generator, fr_vector_to_bytes(a))
    expected = fixed_base(
        generator, fr_vector_to_bytes([x * y % R for x, y in zip(a, k, strict=True)])
    )
    assert scale(points, fr_vector_to_bytes(k)) == expected


@pytest.mark.parametrize(("group", "log_n"), [(1, 12), (2, 11)])
@pytest.mark.parametrize("inverse", [False, True])
def test_point_ntt_is_the_scalar_ntt_in_the_exponent(
    native: NativeBackend, group: int, log_n: int, inverse: bool
) -> None:
    a = [RNG.randrange(R) for _ in range(1 << log_n)]
    a[0], a[7], a[8] = 0, 1, R - 1
    fixed_base = native.g1_fixed_base if group == 1 else native.g2_fixed_base
    ntt = native.g1_ntt if group == 1 else native.g2_ntt
    generator = G1_GEN if group == 1 else G2_GEN
    transformed = fr_vector_from_bytes(native.fr_ntt(fr_vector_to_bytes(a), inverse=inverse))
    expected = fixed_base(generator, fr_vector_to_bytes(transformed))
    assert ntt(fixed_base(generator, fr_vector_to_bytes(a)), inverse=inverse) == expected


@pytest.mark.parametrize("group", [1, 2])
def test_point_ntt_of_repeated_points_takes_the_exact_fallbacks(
    native: NativeBackend, group: int
) -> None:
    """Butterflies on equal points (a + a, a − a) leave the shared-inversion path."""
    # Period 2: the first stage pairs a_j with a_{j+n/2}, equal points, so every butterfly
    # doubles and cancels; later stages then meet infinity and equal points again.
    a = [12345, RNG.randrange(R)] * 1024
    fixed_base = native.g1_fixed_base if group == 1 else native.g2_fixed_base
    ntt = native.g1_ntt if group == 1 else native.g2_ntt
    generator = G1_GEN if group == 1 else G2_GEN
    transformed = fr_vector_from_bytes(native.fr_ntt(fr_vector_to_bytes(a), inverse=True))
    expected = fixed_base(generator, fr_vector_to_bytes(transformed))
    assert ntt(fixed_base(generator, fr_vector_to_bytes(a)), inverse=True) == expected
