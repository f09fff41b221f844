"""Differential property tests: the native backend returns the reference backend's bytes.

Edge cases are drawn on purpose: zero and r−1 scalars, the point at infinity,
repeated bases, n = 1, and MSMs over a prefix of the base table.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import methodcaller
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from algebra.backend import Backend, get_backend
from algebra.constants import FIELD_MODULUS_Q as Q
from algebra.constants import SCALAR_FIELD_R as R
from algebra.encoding import fr_vector_to_bytes
from algebra.errors import BackendUnavailableError, MalformedInputError
from circuits.r1cs import R1CS, Constraint
from tests.algebra.curve_helpers import (
    G1_GEN,
    G1_INF,
    G2_GEN,
    G2_INF,
    split,
    twist_point_outside_g2,
)
from tests.conftest import require

T = TypeVar("T")
FEW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

EDGE_SCALARS = [0, 1, 2, R - 2, R - 1]
scalar = st.one_of(st.sampled_from(EDGE_SCALARS), st.integers(0, R - 1))
log_size = st.integers(0, 5)


@pytest.fixture(scope="module")
def pair() -> tuple[Backend, Backend]:
    """(native, reference); skips locally and fails in CI when native is not built."""
    try:
        native = get_backend("native")
    except BackendUnavailableError as error:
        require(False, f"native backend ({error})")
        raise
    return native, get_backend("reference")


def _same(pair: tuple[Backend, Backend], call: Callable[[Backend], T]) -> T:
    """Run ``call`` on both backends; assert equal results, or the same error type on both."""
    native, reference = pair
    try:
        expected = call(reference)
    except MalformedInputError:
        with pytest.raises(MalformedInputError):
            call(native)
        raise
    assert call(native) == expected
    return expected


def _g1_points(ref: Backend, ks: list[int | None]) -> bytes:
    """k·G1 for each k (None → the point at infinity)."""
    return b"".join(
        G1_INF if k is None else ref.g1_fixed_base(G1_GEN, fr_vector_to_bytes([k])) for k in ks
    )


def _g2_points(ref: Backend, ks: list[int | None]) -> bytes:
    return b"".join(
        G2_INF if k is None else ref.g2_fixed_base(G2_GEN, fr_vector_to_bytes([k])) for k in ks
    )


point_scalar = st.one_of(st.none(), scalar)


@FEW
@given(log_n=log_size, data=st.data())
def test_ntt_agrees(pair: tuple[Backend, Backend], log_n: int, data: st.DataObject) -> None:
    values = fr_vector_to_bytes(
        data.draw(st.lists(scalar, min_size=1 << log_n, max_size=1 << log_n))
    )
    _same(pair, lambda b: b.fr_ntt(values))
    _same(pair, lambda b: b.fr_ntt(values, inverse=True))


@FEW
@given(log_n=log_size, shift=st.integers(1, R - 1), data=st.data())
def test_coset_ntt_agrees(
    pair: tuple[Backend, Backend], log_n: int, shift: int, data: st.DataObject
) -> None:
    values = fr_vector_to_bytes(
        data.draw(st.lists(scalar, min_size=1 << log_n, max_size=1 << log_n))
    )
    _same(pair, lambda b: b.fr_coset_ntt(values, shift))
    _same(pair, lambda b: b.fr_coset_ntt(values, shift, inverse=True))


@FEW
@given(rows=st.lists(st.tuples(scalar, scalar, scalar), min_size=1, max_size=9))
def test_mul_sub_agrees(pair: tuple[Backend, Backend], rows: list[tuple[int, int, int]]) -> None:
    a, b, c = (fr_vector_to_bytes(col) for col in zip(*rows, strict=True))
    _same(pair, lambda k: k.fr_mul_sub(a, b, c))


lc = st.dictionaries(st.integers(0, 5), st.integers(1, R - 1), max_size=4)


@FEW
@given(
    rows=st.lists(st.tuples(lc, lc, lc), min_size=1, max_size=6),
    tail=st.lists(scalar, min_size=5, max_size=5),
)
def test_r1cs_matvec_agrees(
    pair: tuple[Backend, Backend], rows: list[tuple[dict[int, int], ...]], tail: list[int]
) -> None:
    r1cs = R1CS(6, 0, 1, 0, [Constraint(a, b, c) for a, b, c in rows])
    witness = fr_vector_to_bytes([1, *tail])
    native, reference = pair
    got = native.r1cs_matvec(native.r1cs_load(*r1cs.to_csr()), witness)
    assert got == reference.r1cs_matvec(reference.r1cs_load(*r1cs.to_csr()), witness)


@FEW
@given(
    log_n=st.integers(1, 4),
    rows=st.lists(st.tuples(lc, lc, lc), min_size=1, max_size=16),
    tail=st.lists(scalar, min_size=5, max_size=5),
    shift=st.sampled_from([2, 5, R - 1]),
)
def test_groth16_quotient_agrees(
    pair: tuple[Backend, Backend],
    log_n: int,
    rows: list[tuple[dict[int, int], ...]],
    tail: list[int],
    shift: int,
) -> None:
    n = 1 << log_n
    constraints = [Constraint(a, b, c) for a, b, c in rows[:n]]
    constraints += [Constraint({}, {}, {})] * (n - len(constraints))
    csr = R1CS(6, 0, 1, 0, constraints).to_csr()
    witness = fr_vector_to_bytes([1, *tail])
    _same(pair, lambda b: b.groth16_quotient(b.r1cs_load(*csr), witness, shift))


@pytest.mark.parametrize(("n_rows", "n_values"), [(3, 6), (4, 5)])
def test_groth16_quotient_rejects_odd_domains_and_short_witnesses(
    pair: tuple[Backend, Backend], n_rows: int, n_values: int
) -> None:
    csr = R1CS(6, 0, 1, 0, [Constraint({1: 1}, {2: 1}, {3: 1})] * n_rows).to_csr()
    witness = fr_vector_to_bytes([1] * n_values)
    with pytest.raises(MalformedInputError):
        _same(pair, lambda b: b.groth16_quotient(b.r1cs_load(*csr), witness, 5))


def _zkey_coefficients(entries: list[tuple[int, int, int, int]]) -> bytes:
    """A zkey coefficient section: ``matrix ‖ row ‖ column`` and the value stored as x·R²."""
    body = len(entries).to_bytes(4, "little")
    for m, row, col, value in entries:
        stored = value * pow(2, 512, R) % R
        body += b"".join(v.to_bytes(4, "little") for v in (m, row, col))
        body += stored.to_bytes(32, "little")
    return body


entry = st.tuples(st.integers(0, 1), st.integers(0, 3), st.integers(0, 5), scalar)


@FEW
@given(entries=st.lists(entry, max_size=12), tail=st.lists(scalar, min_size=5, max_size=5))
def test_r1cs_load_zkey_agrees_with_loading_the_csr(
    pair: tuple[Backend, Backend], entries: list[tuple[int, int, int, int]], tail: list[int]
) -> None:
    section = _zkey_coefficients(entries)
    witness = fr_vector_to_bytes([1, *tail])
    got = _same(pair, lambda b: b.r1cs_matvec(b.r1cs_load_zkey(4, 6, section), witness))
    sides: list[dict[int, dict[int, int]]] = [{}, {}]
    for m, row, col, value in entries:
        sides[m].setdefault(row, {})
        sides[m][row][col] = (sides[m][row].get(col, 0) + value) % R
    w = [1, *tail]
    for side, vector in zip(sides, got[:2], strict=True):
        expected = [sum(v * w[c] for c, v in side.get(i, {}).items()) % R for i in range(4)]
        assert vector == fr_vector_to_bytes(expected)
    assert got[2] == bytes(4 * 32)


@pytest.mark.parametrize(
    "section",
    [
        _zkey_coefficients([(2, 0, 0, 1)]),  # matrix 2
        _zkey_coefficients([(0, 4, 0, 1)]),  # row ≥ n_rows
        _zkey_coefficients([(1, 0, 6, 1)]),  # column ≥ n_cols
        _zkey_coefficients([(0, 0, 0, 1)])[:-1],  # truncated
        b"\x01\x00",  # no count
        (1).to_bytes(4, "little") + bytes(12) + R.to_bytes(32, "little"),  # word ≥ r
    ],
)
def test_r1cs_load_zkey_rejects_malformed_sections(
    pair: tuple[Backend, Backend], section: bytes
) -> None:
    with pytest.raises(MalformedInputError):
        _same(pair, lambda b: b.r1cs_load_zkey(4, 6, section))


@FEW
@given(ks=st.lists(point_scalar, min_size=1, max_size=4), data=st.data())
def test_g1_msm_agrees(
    pair: tuple[Backend, Backend], ks: list[int | None], data: st.DataObject
) -> None:
    points = _g1_points(pair[1], ks)
    points += points[:64]  # a repeated base
    n_scalars = data.draw(st.integers(1, len(ks) + 1))
    s = fr_vector_to_bytes(data.draw(st.lists(scalar, min_size=n_scalars, max_size=n_scalars)))
    _same(pair, lambda b: b.g1_msm(b.g1_load_bases(points), s))


def _montgomery_tables_agree(
    pair: tuple[Backend, Backend], words: bytes, group: str, scalars: bytes
) -> None:
    """Both backends load ``words`` alike: same MSM results, or both MalformedInputError."""

    def msm(b: Backend) -> bytes:
        if group == "g1":
            return b.g1_msm(b.g1_load_bases_montgomery(words), scalars)
        return b.g2_msm(b.g2_load_bases_montgomery(words), scalars)

    _same(pair, msm)


@FEW
@given(ks=st.lists(point_scalar, min_size=1, max_size=4), data=st.data())
def test_montgomery_base_tables_agree(
    pair: tuple[Backend, Backend], ks: list[int | None], data: st.DataObject
) -> None:
    ref = pair[1]
    s = fr_vector_to_bytes(data.draw(st.lists(scalar, min_size=len(ks), max_size=len(ks))))
    g1_words = ref.fq_to_montgomery(_g1_points(ref, ks))
    g2_words = ref.fq_to_montgomery(_g2_points(ref, ks))
    _montgomery_tables_agree(pair, g1_words, "g1", s)
    _montgomery_tables_agree(pair, g2_words, "g2", s)
    # the table equals loading the converted canonical points
    native = pair[0]
    canonical = native.g1_load_bases(native.fq_from_montgomery(g1_words))
    assert native.g1_msm(native.g1_load_bases_montgomery(g1_words), s) == native.g1_msm(
        canonical, s
    )


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_montgomery_base_tables_reject_a_word_not_below_q(
    pair: tuple[Backend, Backend], group: str
) -> None:
    ref = pair[1]
    points = _g1_points(ref, [3, 5]) if group == "g1" else _g2_points(ref, [3, 5])
    words = bytearray(ref.fq_to_montgomery(points))
    at = len(words) // 2 + 32  # a coordinate of the second point
    words[at : at + 32] = Q.to_bytes(32, "little")
    with pytest.raises(MalformedInputError):
        _montgomery_tables_agree(pair, bytes(words), group, fr_vector_to_bytes([1, 1]))


def test_montgomery_g1_table_rejects_a_point_off_the_curve_and_g2_does_not_check(
    pair: tuple[Backend, Backend],
) -> None:
    ref = pair[1]
    g1 = bytearray(_g1_points(ref, [3, 5]))
    g1[64] ^= 1  # second point's x: off the curve
    with pytest.raises(MalformedInputError):
        _montgomery_tables_agree(
            pair, ref.fq_to_montgomery(bytes(g1)), "g1", fr_vector_to_bytes([1, 1])
        )
    outside = twist_point_outside_g2()
    _montgomery_tables_agree(
        pair, ref.fq_to_montgomery(outside + outside), "g2", fr_vector_to_bytes([2, 0])
    )


@FEW
@given(ks=st.lists(point_scalar, min_size=1, max_size=3), data=st.data())
def test_g2_msm_agrees(
    pair: tuple[Backend, Backend], ks: list[int | None], data: st.DataObject
) -> None:
    points = _g2_points(pair[1], ks)
    s = fr_vector_to_bytes(data.draw(st.lists(scalar, min_size=len(ks), max_size=len(ks))))
    _same(pair, lambda b: b.g2_msm(b.g2_load_bases(points), s))


@FEW
@given(ks=st.lists(st.tuples(point_scalar, scalar), min_size=1, max_size=3))
def test_scale_and_fixed_base_agree(
    pair: tuple[Backend, Backend], ks: list[tuple[int | None, int]]
) -> None:
    p1 = _g1_points(pair[1], [k for k, _ in ks])
    p2 = _g2_points(pair[1], [k for k, _ in ks])
    s = fr_vector_to_bytes([x for _, x in ks])
    _same(pair, lambda b: b.g1_scale(p1, s))
    _same(pair, lambda b: b.g2_scale(p2, s))
    _same(pair, lambda b: b.g1_fixed_base(p1[:64], s))
    _same(pair, lambda b: b.g2_fixed_base(p2[:128], s))


@FEW
@given(
    log_n=st.integers(0, 3), inverse=st.booleans(), data=st.data(), group=st.sampled_from([1, 2])
)
def test_point_ntt_agrees(
    pair: tuple[Backend, Backend], log_n: int, inverse: bool, data: st.DataObject, group: int
) -> None:
    ks = data.draw(st.lists(point_scalar, min_size=1 << log_n, max_size=1 << log_n))
    if group == 1:
        points = _g1_points(pair[1], ks)
        _same(pair, lambda b: b.g1_ntt(points, inverse=inverse))
    else:
        points = _g2_points(pair[1], ks)
        _same(pair, lambda b: b.g2_ntt(points, inverse=inverse))


def test_g2_kernels_agree_on_twist_points_outside_g2(pair: tuple[Backend, Backend]) -> None:
    outside = twist_point_outside_g2()
    points = outside + G2_GEN
    s = fr_vector_to_bytes([R - 1, 12345])
    _same(pair, lambda b: b.g2_scale(points, s))
    _same(pair, lambda b: b.g2_ntt(points, inverse=True))


def test_point_ntt_inverts_and_rejects_bad_sizes(pair: tuple[Backend, Backend]) -> None:
    native, _ = pair
    points = _g1_points(pair[1], [3, None, 5, 7])
    assert native.g1_ntt(native.g1_ntt(points), inverse=True) == points
    for bad in (b"", points[:192], points[:100]):
        with pytest.raises(MalformedInputError):
            _same(pair, methodcaller("g1_ntt", bad))
    with pytest.raises(MalformedInputError):
        _same(pair, lambda b: b.g2_ntt(G2_GEN * 3, inverse=True))


@FEW
@given(k1=point_scalar, k2=point_scalar)
def test_add_and_neg_agree(pair: tuple[Backend, Backend], k1: int | None, k2: int | None) -> None:
    (p, q) = split(_g1_points(pair[1], [k1, k2]), 64)
    (p2, q2) = split(_g2_points(pair[1], [k1, k2]), 128)
    _same(pair, lambda b: b.g1_add(p, q))
    _same(pair, lambda b: b.g1_add(p, p))
    _same(pair, lambda b: b.g1_neg(p))
    _same(pair, lambda b: b.g2_add(p2, q2))
    _same(pair, lambda b: b.g2_add(p2, p2))


@settings(max_examples=6, deadline=None)
@given(a=scalar, b=scalar, flip=st.booleans())
def test_pairing_check_agrees(pair: tuple[Backend, Backend], a: int, b: int, flip: bool) -> None:
    ref = pair[1]
    g1 = _g1_points(ref, [a, (R - a * b) % R if not flip else (a * b) % R])
    g2 = _g2_points(ref, [b, 1])
    assert _same(pair, lambda k: k.pairing_check(g1, g2)) is (not flip or a * b % R == 0)


@FEW
@given(words=st.lists(st.integers(0, (1 << 256) - 1), min_size=1, max_size=5))
def test_montgomery_maps_agree_including_rejections(
    pair: tuple[Backend, Backend], words: list[int]
) -> None:
    buffer = b"".join(w.to_bytes(32, "little") for w in words)
    for name in (
        "fq_from_montgomery",
        "fq_to_montgomery",
        "fr_from_montgomery",
        "fr_to_montgomery",
    ):
        try:
            _same(pair, methodcaller(name, buffer))
        except MalformedInputError:
            assert any(w >= (Q if name.startswith("fq") else R) for w in words)


@FEW
@given(index=st.integers(0, 3), excess=st.sampled_from([0, 1, Q]))
def test_validation_rejects_the_same_inputs(
    pair: tuple[Backend, Backend], index: int, excess: int
) -> None:
    good = G1_GEN + G1_INF + G1_GEN
    words = [int.from_bytes(w, "little") for w in split(good, 32)]
    words[index] += excess
    bad = b"".join(w.to_bytes(32, "little") for w in words)
    try:
        _same(pair, lambda b: b.g1_validate(bad))
    except MalformedInputError:
        assert excess != 0


def test_g2_validation_agrees_on_generator_and_infinity(pair: tuple[Backend, Backend]) -> None:
    _same(pair, lambda b: b.g2_validate(G2_GEN + G2_INF))


def test_scalars_ge_r_are_rejected_by_both(pair: tuple[Backend, Backend]) -> None:
    bad = R.to_bytes(32, "little")
    with pytest.raises(MalformedInputError):
        _same(pair, lambda b: b.fr_ntt(bad))
    with pytest.raises(MalformedInputError):
        _same(pair, lambda b: b.g1_fixed_base(G1_GEN, bad))


def test_edge_inputs_agree(pair: tuple[Backend, Backend]) -> None:
    _same(pair, lambda b: b.g1_msm(b.g1_load_bases(G1_GEN), b""))
    _same(
        pair, lambda b: b.g2_msm(b.g2_load_bases(G2_GEN + G2_INF), fr_vector_to_bytes([R - 1, 0]))
    )
    _same(pair, lambda b: b.g1_scale(b"", b""))
    _same(pair, lambda b: b.pairing_check(G1_INF, G2_INF))
    _same(pair, lambda b: b.fr_ntt(fr_vector_to_bytes([R - 1])))
    for shift in (0, R):
        with pytest.raises(MalformedInputError):
            _same(pair, methodcaller("fr_coset_ntt", fr_vector_to_bytes([1, 2]), shift))
    x_ge_q = (1 + Q).to_bytes(32, "little") + (2).to_bytes(32, "little")
    with pytest.raises(MalformedInputError):
        _same(pair, lambda b: b.g1_load_bases(x_ge_q))
