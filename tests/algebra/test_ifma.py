"""The AVX-512 IFMA kernels against the portable arkworks ones, slot by slot.

On a CPU with AVX-512 IFMA, ``g*_scale`` and ``g*_ntt`` run their lock-step scalar
multiplications eight slots per instruction (``native/src/ifma``); ``set_ifma(False)``
switches to the portable kernels, which the reference-backend differential suite already
pins down. Every case here runs both and compares the bytes — random inputs, runs of one
scalar (a phase-2 contribution), points at infinity, zero and tiny scalars, sizes that
are not multiples of eight, several chunks, G2 points outside the subgroup (no GLV) — and
checks through the kernels' chunk counter that the vector run really took the IFMA path.
The exact fallback forced on every n-th batched operation is tested by ``cargo test``
(``forced_fallbacks_give_the_same_points``): that switch is not in the release extension.

On a CPU without IFMA (or with ``ZKM_NATIVE_CPU=portable``) every test here skips with
that reason, whatever ``ZKM_REQUIRE_ALL`` says: no installable tool adds a CPU feature.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from algebra.encoding import fr_vector_to_bytes
from algebra.native_backend import NativeBackend
from algebra.native_build import load_native
from tests.algebra.curve_helpers import G1_GEN, G2_GEN, twist_points
from tests.conftest import require_hardware

RNG = random.Random(2026_11_22)
native_module = load_native()


@pytest.fixture(autouse=True)
def _ifma_required(native: NativeBackend) -> Iterator[None]:
    """Skip without IFMA; afterwards leave the kernels on, whatever a test did."""
    require_hardware(native_module.ifma_supported(), "AVX-512 IFMA (or ZKM_NATIVE_CPU=portable)")
    yield
    native_module.set_ifma(True)


def _both(kernel: Callable[[], bytes]) -> tuple[bytes, bytes]:
    """Return ``kernel()`` with the vector kernels, then with the portable ones.

    Asserts that the vector run multiplied at least one chunk on the IFMA path and the
    portable run none, so that a silent fallback cannot make the comparison vacuous.
    """
    native_module.set_ifma(True)
    before = native_module.ifma_chunks_run()
    vector = kernel()
    after = native_module.ifma_chunks_run()
    assert after > before, "the vector run did not take the IFMA path"
    native_module.set_ifma(False)
    portable = kernel()
    assert native_module.ifma_chunks_run() == after, "the portable run took the IFMA path"
    native_module.set_ifma(True)
    return vector, portable


def _points(native: NativeBackend, group: int, exponents: list[int]) -> bytes:
    fixed_base = native.g1_fixed_base if group == 1 else native.g2_fixed_base
    return fixed_base(G1_GEN if group == 1 else G2_GEN, fr_vector_to_bytes(exponents))


def test_ifma_is_reported_as_the_kernel_in_use() -> None:
    info = native_module.build_info()
    assert info["batch_scalar_mul"] == "avx512-ifma"
    assert {"avx512f", "avx512ifma"} <= set(info["cpu_features"])  # type: ignore[call-overload]
    # Turning the kernels off and on again reports the previous setting and the kernel name.
    assert native_module.set_ifma(False) is True
    assert native_module.build_info()["batch_scalar_mul"] == "portable"
    assert native_module.set_ifma(True) is False


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
