"""The AVX-512 IFMA kernels against the portable arkworks ones, slot by slot.

On a CPU with AVX-512 IFMA, ``g*_scale`` and ``g*_ntt`` run their lock-step scalar
multiplications eight slots per instruction (``native/src/ifma``); ``set_ifma(False)``
switches to the portable kernels, which the reference-backend differential suite already
pins down. Every case here runs both and compares the bytes: random inputs, runs of one
scalar (a phase-2 contribution), points at infinity, zero and tiny scalars, sizes that
are not multiples of eight, several chunks, G2 points outside the subgroup (no GLV), and
the exact fallback forced on every n-th batched operation. On a CPU without IFMA both
runs take the portable path, which ``test_ifma_is_used_where_supported`` makes explicit.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest

import algebra._native as native_module
from algebra.constants import SCALAR_FIELD_R as R
from algebra.encoding import fr_vector_to_bytes
from algebra.native_backend import NativeBackend
from tests.algebra.curve_helpers import G1_GEN, G2_GEN, twist_points

RNG = random.Random(2026_11_22)


@pytest.fixture(autouse=True)
def _restore_ifma() -> Iterator[None]:
    """Leave the kernels on and the fault injection off, whatever a test did."""
    yield
    native_module.set_ifma(True)
    native_module.ifma_force_fallback_every(0)


def _both(kernel: Callable[[], bytes]) -> tuple[bytes, bytes]:
    """Return ``kernel()`` with the vector kernels, then with the portable ones."""
    native_module.set_ifma(True)
    vector = kernel()
    native_module.set_ifma(False)
    portable = kernel()
    native_module.set_ifma(True)
    return vector, portable


def _points(native: NativeBackend, group: int, exponents: list[int]) -> bytes:
    fixed_base = native.g1_fixed_base if group == 1 else native.g2_fixed_base
    return fixed_base(G1_GEN if group == 1 else G2_GEN, fr_vector_to_bytes(exponents))


def test_ifma_is_used_where_supported() -> None:
    supported = native_module.ifma_supported()
    assert native_module.set_ifma(True) is True  # on by default
    # Turning the kernels off and on again reports the previous setting.
    assert native_module.set_ifma(False) is True
    assert native_module.set_ifma(True) is False
    assert isinstance(supported, bool)


@pytest.mark.parametrize("group", [1, 2])
@pytest.mark.parametrize("n", [1, 7, 8, 9, 100, 1000])
def test_scale_random_matches_portable(native: NativeBackend, group: int, n: int) -> None:
    exponents = [RNG.randrange(R) for _ in range(n)]
    exponents[0] = 0  # a point at infinity
    scalars = [RNG.randrange(R) for _ in range(n)]
    if n > 3:
        scalars[1], scalars[2], scalars[3] = 0, 1, R - 1
    points = _points(native, group, exponents)
    scale = native.g1_scale if group == 1 else native.g2_scale
    vector, portable = _both(lambda: scale(points, fr_vector_to_bytes(scalars)))
    assert vector == portable


@pytest.mark.parametrize("group", [1, 2])
def test_scale_by_one_secret_matches_portable(native: NativeBackend, group: int) -> None:
    """A contribution: every point times one scalar (recoded once per run of equal scalars)."""
    n = 2 * 4096 + 13 if group == 1 else 3000
    points = _points(native, group, [RNG.randrange(R) for _ in range(n)])
    secret = RNG.randrange(R)
    scalars = [secret] * n
    scalars[n // 2] = secret + 1  # a run broken once
    scale = native.g1_scale if group == 1 else native.g2_scale
    vector, portable = _both(lambda: scale(points, fr_vector_to_bytes(scalars)))
    assert vector == portable


def test_g2_scale_outside_the_subgroup_matches_portable(native: NativeBackend) -> None:
    """Twist points of order ≠ r take the non-GLV schedule in both kernels."""
    xs = [(RNG.randrange(1, 1 << 64), RNG.randrange(1, 1 << 64)) for _ in range(60)]
    points = b"".join(twist_points(xs))
    count = len(points) // 128
    assert count >= 10
    scalars = fr_vector_to_bytes([RNG.randrange(R) for _ in range(count)])
    vector, portable = _both(lambda: native.g2_scale(points, scalars))
    assert vector == portable


@pytest.mark.parametrize(("group", "log_n"), [(1, 10), (2, 9)])
@pytest.mark.parametrize("inverse", [False, True])
def test_point_ntt_matches_portable(
    native: NativeBackend, group: int, log_n: int, inverse: bool
) -> None:
    points = _points(native, group, [RNG.randrange(R) for _ in range(1 << log_n)])
    ntt = native.g1_ntt if group == 1 else native.g2_ntt
    vector, portable = _both(lambda: ntt(points, inverse=inverse))
    assert vector == portable


@pytest.mark.parametrize("group", [1, 2])
@pytest.mark.parametrize("every", [1, 2, 7])
def test_forced_fallbacks_give_the_same_points(
    native: NativeBackend, group: int, every: int
) -> None:
    """The exact fallback (taken when a lane product is zero) is exact wherever it strikes."""
    n = 300
    exponents = [RNG.randrange(R) for _ in range(n)]
    exponents[5] = 0
    points = _points(native, group, exponents)
    scalars = fr_vector_to_bytes([RNG.randrange(R) for _ in range(n)])
    scale = native.g1_scale if group == 1 else native.g2_scale
    native_module.set_ifma(False)
    portable = scale(points, scalars)
    native_module.set_ifma(True)
    native_module.ifma_force_fallback_every(every)
    try:
        vector = scale(points, scalars)
    finally:
        native_module.ifma_force_fallback_every(0)
    assert vector == portable
