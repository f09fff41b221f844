"""Native-only checks: GIL release under threads, base-table reuse, the NTT root, error paths.

The cross-backend suites (test_backend_contract, test_backend_differential) prove the
native kernels return the reference bytes; this file covers what only the Rust crate
has: handles parsed once, concurrency, and its own input checks.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from algebra.backend import CsrMatrix, get_backend
from algebra.constants import FIELD_MODULUS_Q as Q
from algebra.constants import SCALAR_FIELD_R as R
from algebra.constants import root_of_unity
from algebra.encoding import fr_vector_from_bytes, fr_vector_to_bytes
from algebra.errors import MalformedInputError, ZkError
from algebra.native_backend import NativeBackend
from tests.algebra.curve_helpers import G1_GEN, G2_GEN, g2_off_twist, twist_point_outside_g2

RNG = random.Random(7)


def _fr(n: int) -> bytes:
    return fr_vector_to_bytes([RNG.randrange(R) for _ in range(n)])


def _g1_points(native: NativeBackend, n: int) -> bytes:
    return native.g1_fixed_base(G1_GEN, _fr(n))


def _g2_points(native: NativeBackend, n: int) -> bytes:
    return native.g2_fixed_base(G2_GEN, _fr(n))


def _msm_by_scaling(native: NativeBackend, points: bytes, scalars: bytes) -> bytes:
    """Σ s_i·P_i computed with g1_scale and g1_add instead of the MSM kernel."""
    scaled = native.g1_scale(points[: len(scalars) * 2], scalars)
    acc = bytes(64)
    for i in range(0, len(scaled), 64):
        acc = native.g1_add(acc, scaled[i : i + 64])
    return acc


# --- NTT root -----------------------------------------------------------------------------


@pytest.mark.parametrize("log_n", [1, 3, 10])
def test_ntt_domain_root_is_the_python_constant(native: NativeBackend, log_n: int) -> None:
    n = 1 << log_n
    x = fr_vector_to_bytes([0, 1] + [0] * (n - 2))  # the polynomial X
    evaluations = fr_vector_from_bytes(native.fr_ntt(x))
    omega = root_of_unity(n)
    assert evaluations == [pow(omega, i, R) for i in range(n)]


def test_coset_ntt_evaluates_at_shifted_points(native: NativeBackend) -> None:
    coeffs = [RNG.randrange(R) for _ in range(8)]
    shift = 5
    evaluations = fr_vector_from_bytes(native.fr_coset_ntt(fr_vector_to_bytes(coeffs), shift))
    omega = root_of_unity(8)
    for i, value in enumerate(evaluations):
        x = shift * pow(omega, i, R) % R
        assert value == sum(c * pow(x, j, R) for j, c in enumerate(coeffs)) % R
    back = native.fr_coset_ntt(fr_vector_to_bytes(evaluations), shift, inverse=True)
    assert fr_vector_from_bytes(back) == coeffs


# --- base tables and threads --------------------------------------------------------------


def test_g1_base_table_is_reused_across_msms_of_any_prefix(native: NativeBackend) -> None:
    points = _g1_points(native, 40)
    bases = native.g1_load_bases(points)
    assert len(bases) == 40
    for n in (0, 1, 17, 40):
        scalars = _fr(n)
        assert native.g1_msm(bases, scalars) == _msm_by_scaling(native, points, scalars)
    assert native.g1_msm(bases, b"") == bytes(64)


def test_batch_affine_msm_handles_repeats_negations_infinity_and_edge_scalars(
    native: NativeBackend,
) -> None:
    randoms = _g1_points(native, 100)
    p = randoms[:64]
    neg_p = native.g1_neg(p)
    # equal points in one bucket (doubling), P and −P in one bucket (sum at infinity),
    # infinity bases, zero scalars, r − 1, and many small scalars sharing buckets.
    points = randoms + p * 60 + neg_p * 60 + bytes(64) * 20 + randoms
    scalars = (
        _fr(100)
        + fr_vector_to_bytes([1] * 30 + [2] * 30)
        + fr_vector_to_bytes([1] * 30 + [R - 1] * 30)
        + _fr(20)
        + fr_vector_to_bytes([0] * 50 + [R - 1] * 25 + [3] * 25)
    )
    bases = native.g1_load_bases(points)
    assert native.g1_msm(bases, scalars) == _msm_by_scaling(native, points, scalars)


def test_batch_affine_msm_agrees_with_the_reference_backend(native: NativeBackend) -> None:
    # 80 terms is above the size where the native MSM switches to its batch-affine path.
    reference = get_backend("reference")
    points = _g1_points(native, 70) + G1_GEN * 5 + bytes(64) * 5
    scalars = _fr(70) + fr_vector_to_bytes([1, 2, R - 1, 0, 5, 7, 7, 7, 7, 7])
    expected = reference.g1_msm(reference.g1_load_bases(points), scalars)
    assert native.g1_msm(native.g1_load_bases(points), scalars) == expected


def test_g2_batch_affine_msm_matches_the_inner_product(native: NativeBackend) -> None:
    ks = [RNG.randrange(R) for _ in range(150)] + [7] * 50
    bases = native.g2_load_bases(native.g2_fixed_base(G2_GEN, fr_vector_to_bytes(ks)))
    scalars = [RNG.randrange(R) for _ in range(150)] + [1] * 25 + [R - 1] * 25
    inner = sum(k * s for k, s in zip(ks, scalars, strict=True)) % R
    expected = native.g2_fixed_base(G2_GEN, fr_vector_to_bytes([inner]))
    assert native.g2_msm(bases, fr_vector_to_bytes(scalars)) == expected


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_streamed_bucket_msm_survives_bucket_collisions(native: NativeBackend, group: str) -> None:
    # 3,000 terms take the streaming bucket path (several windows of 2^(c-1) buckets).
    # A third of the scalars are one value, so every window sends 1,000 points to the
    # same bucket (the conflict queue); repeated bases and their negatives hit the
    # doubling and cancellation fallbacks; plus zeros, r − 1 and infinity bases.
    k_repeated, big = RNG.randrange(1, R), RNG.randrange(R)
    ks = (
        [RNG.randrange(R) for _ in range(1000)]
        + [k_repeated] * 500
        + [R - k_repeated] * 500
        + [0] * 20
        + [RNG.randrange(R) for _ in range(980)]
    )
    scalars = [big] * 1000 + [RNG.randrange(R) for _ in range(1000)] + [0, 1, R - 1] * 333 + [5]
    fixed = native.g1_fixed_base if group == "g1" else native.g2_fixed_base
    load = native.g1_load_bases if group == "g1" else native.g2_load_bases
    msm = native.g1_msm if group == "g1" else native.g2_msm
    generator = G1_GEN if group == "g1" else G2_GEN
    bases = load(fixed(generator, fr_vector_to_bytes(ks)))
    inner = sum(k * s for k, s in zip(ks, scalars, strict=True)) % R
    expected = fixed(generator, fr_vector_to_bytes([inner]))
    assert msm(bases, fr_vector_to_bytes(scalars)) == expected


def test_g2_msm_over_table_matches_fixed_base_of_the_inner_product(
    native: NativeBackend,
) -> None:
    ks = [RNG.randrange(R) for _ in range(9)]
    bases = native.g2_load_bases(native.g2_fixed_base(G2_GEN, fr_vector_to_bytes(ks)))
    assert len(bases) == 9
    scalars = [RNG.randrange(R) for _ in range(9)]
    inner = sum(k * s for k, s in zip(ks, scalars, strict=True)) % R
    expected = native.g2_fixed_base(G2_GEN, fr_vector_to_bytes([inner]))
    assert native.g2_msm(bases, fr_vector_to_bytes(scalars)) == expected


def test_concurrent_msms_on_two_threads_return_the_sequential_results(
    native: NativeBackend,
) -> None:
    points = _g1_points(native, 1 << 11)
    bases = native.g1_load_bases(points)
    jobs = [_fr(1 << 11) for _ in range(8)]
    sequential = [native.g1_msm(bases, s) for s in jobs]
    with ThreadPoolExecutor(max_workers=2) as pool:
        concurrent = list(pool.map(lambda s: native.g1_msm(bases, s), jobs))
    assert concurrent == sequential


def test_python_thread_keeps_running_while_a_kernel_works(native: NativeBackend) -> None:
    # If the kernel held the GIL, this thread could not run for the kernel's whole duration.
    scalars = _fr(1 << 13)
    kernel_seconds: list[float] = []

    def work() -> None:
        start = time.perf_counter()
        native.g1_fixed_base(G1_GEN, scalars)
        kernel_seconds.append(time.perf_counter() - start)

    worker = threading.Thread(target=work)
    longest_gap, last = 0.0, time.perf_counter()
    worker.start()
    while worker.is_alive():
        now = time.perf_counter()
        longest_gap, last = max(longest_gap, now - last), now
    # A GIL-holding kernel would block this thread until the worker ends: count that stall.
    longest_gap = max(longest_gap, time.perf_counter() - last)
    worker.join()
    assert longest_gap < kernel_seconds[0] / 2


def test_r1cs_handle_reports_its_shape_and_is_reused(native: NativeBackend) -> None:
    # one constraint per row: (w1 + 2·w2) · w1 = w3
    one_row = CsrMatrix(1, 4, (0).to_bytes(8, "little") + (2).to_bytes(8, "little"), b"", b"")
    a = CsrMatrix(
        1,
        4,
        one_row.row_offsets,
        (1).to_bytes(4, "little") + (2).to_bytes(4, "little"),
        fr_vector_to_bytes([1, 2]),
    )
    single = (0).to_bytes(8, "little") + (1).to_bytes(8, "little")
    b = CsrMatrix(1, 4, single, (1).to_bytes(4, "little"), fr_vector_to_bytes([1]))
    c = CsrMatrix(1, 4, single, (3).to_bytes(4, "little"), fr_vector_to_bytes([1]))
    matrices = native.r1cs_load(a, b, c)
    assert (matrices.n_constraints, matrices.n_wires) == (1, 4)
    for w1, w2 in ((3, 4), (R - 1, 5)):
        witness = fr_vector_to_bytes([1, w1, w2, (w1 + 2 * w2) * w1 % R])
        aw, bw, cw = native.r1cs_matvec(matrices, witness)
        assert fr_vector_from_bytes(aw) == [(w1 + 2 * w2) % R]
        assert fr_vector_from_bytes(native.fr_mul_sub(aw, bw, cw)) == [0]


# --- error paths --------------------------------------------------------------------------


def test_native_errors_are_malformed_input_errors_and_zk_errors(native: NativeBackend) -> None:
    with pytest.raises(MalformedInputError) as caught:
        native.fr_ntt(b"\x00" * 33)
    assert isinstance(caught.value, ZkError)
    assert "multiple of 32" in str(caught.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda n: n.fr_ntt(fr_vector_to_bytes([1, 2, 3]) + _r_word()),
        lambda n: n.fr_coset_ntt(_r_word() + bytes(32), 3),
        lambda n: n.fr_mul_sub(_r_word(), bytes(32), bytes(32)),
        lambda n: n.g1_msm(n.g1_load_bases(G1_GEN), _r_word()),
        lambda n: n.g2_msm(n.g2_load_bases(G2_GEN), _r_word()),
        lambda n: n.g1_scale(G1_GEN, _r_word()),
        lambda n: n.g2_scale(G2_GEN, _r_word()),
        lambda n: n.g1_fixed_base(G1_GEN, _r_word()),
        lambda n: n.g2_fixed_base(G2_GEN, _r_word()),
        lambda n: n.fr_to_montgomery(_r_word()),
        lambda n: n.fr_from_montgomery(_r_word()),
    ],
)
def test_scalar_equal_to_r_is_rejected_not_reduced(native: NativeBackend, call: object) -> None:
    assert callable(call)
    with pytest.raises(MalformedInputError, match=r"not in \[0, r\)|below the modulus"):
        call(native)


def _r_word() -> bytes:
    return R.to_bytes(32, "little")


def test_witness_with_non_canonical_value_is_rejected(native: NativeBackend) -> None:
    offsets = (0).to_bytes(8, "little") * 2
    empty = CsrMatrix(1, 2, offsets, b"", b"")
    matrices = native.r1cs_load(empty, empty, empty)
    with pytest.raises(MalformedInputError, match="scalar #1"):
        native.r1cs_matvec(matrices, fr_vector_to_bytes([1]) + _r_word())
    with pytest.raises(MalformedInputError, match="wires"):
        native.r1cs_matvec(matrices, fr_vector_to_bytes([1, 2, 3]))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda n: n.fr_ntt(bytes(96)), "power of two"),
        (lambda n: n.fr_ntt(b""), "power of two"),
        (lambda n: n.fr_coset_ntt(bytes(64), 0), r"shift must be in \[1, r\)"),
        (lambda n: n.fr_mul_sub(bytes(32), bytes(64), bytes(32)), "equal lengths"),
        (lambda n: n.g1_load_bases(bytes(65)), "multiple of 64"),
        (lambda n: n.g2_load_bases(bytes(127)), "multiple of 128"),
        (lambda n: n.g1_msm(n.g1_load_bases(G1_GEN), bytes(64)), "2 scalars but only 1 bases"),
        (lambda n: n.g1_scale(G1_GEN * 2, bytes(32)), "2 points but 1 scalars"),
        (lambda n: n.g1_add(G1_GEN, bytes(63)), "expected 64"),
        (lambda n: n.g2_fixed_base(G2_GEN + b"\x00", bytes(32)), "expected 128"),
        (lambda n: n.pairing_check(G1_GEN, b""), "1 G1 but 0 G2"),
        (lambda n: n.pairing_check(b"", b""), "at least one pair"),
        (lambda n: n.fq_from_montgomery(Q.to_bytes(32, "little")), "below the modulus"),
    ],
)
def test_bad_lengths_and_counts_are_rejected(
    native: NativeBackend, call: object, message: str
) -> None:
    assert callable(call)
    with pytest.raises(MalformedInputError, match=message):
        call(native)


def test_coordinate_equal_to_q_is_rejected_when_loading_bases(native: NativeBackend) -> None:
    bad = G1_GEN + Q.to_bytes(32, "little") + (2).to_bytes(32, "little")
    with pytest.raises(MalformedInputError, match=r"point #1: x coordinate is not in \[0, q\)"):
        native.g1_load_bases(bad)


def test_g1_validate_names_the_first_point_off_the_curve(native: NativeBackend) -> None:
    off = (1).to_bytes(32, "little") + (3).to_bytes(32, "little")
    native.g1_validate(G1_GEN + bytes(64))
    with pytest.raises(MalformedInputError, match="point #2 is not on the curve"):
        native.g1_validate(G1_GEN + bytes(64) + off + off)


def test_g2_validate_rejects_off_twist_and_outside_subgroup(native: NativeBackend) -> None:
    native.g2_validate(G2_GEN + bytes(128))
    with pytest.raises(MalformedInputError, match="point #1 is not on the curve"):
        native.g2_validate(G2_GEN + g2_off_twist())
    with pytest.raises(MalformedInputError, match="point #1 is not in the prime-order subgroup"):
        native.g2_validate(G2_GEN + twist_point_outside_g2())


def test_pairing_check_rejects_points_off_their_curves(native: NativeBackend) -> None:
    off = (1).to_bytes(32, "little") + (3).to_bytes(32, "little")
    with pytest.raises(MalformedInputError, match="pair #0"):
        native.pairing_check(off, G2_GEN)


def test_handles_from_another_backend_are_rejected(native: NativeBackend) -> None:
    foreign = get_backend("reference").g1_load_bases(G1_GEN)
    with pytest.raises(MalformedInputError, match="G1Bases handle"):
        native.g1_msm(foreign, bytes(32))
