"""Known-answer tests of the Backend protocol, run against every backend (native and reference)."""

from __future__ import annotations

import random

import pytest

from algebra.backend import Backend
from algebra.constants import FIELD_MODULUS_Q as Q
from algebra.constants import SCALAR_FIELD_R as R
from algebra.constants import root_of_unity
from algebra.encoding import (
    fr_vector_from_bytes,
    fr_vector_to_bytes,
    g1_from_bytes,
    g1_to_bytes,
    g2_from_bytes,
    g2_to_bytes,
)
from algebra.errors import MalformedInputError
from circuits.r1cs import R1CS, Constraint, evaluate
from tests.algebra.curve_helpers import (
    EIP197_JEFF1,
    G1_DOUBLE,
    G1_GEN,
    G1_INF,
    G2_GEN,
    G2_INF,
    evm_pairs,
    g2_off_twist,
    scalars,
    split,
    twist_point_outside_g2,
)

RNG = random.Random(20240601)


def _random_fr(n: int) -> list[int]:
    return [RNG.randrange(R) for _ in range(n)]


def _poly_eval(coeffs: list[int], x: int) -> int:
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % R
    return acc


# --- NTT ----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 8, 32])
def test_ntt_then_inverse_ntt_is_identity(backend: Backend, n: int) -> None:
    values = fr_vector_to_bytes(_random_fr(n))
    assert backend.fr_ntt(backend.fr_ntt(values), inverse=True) == values
    assert backend.fr_ntt(backend.fr_ntt(values, inverse=True)) == values


def test_ntt_of_delta_at_zero_is_all_ones(backend: Backend) -> None:
    assert fr_vector_from_bytes(backend.fr_ntt(scalars(1, 0, 0, 0, 0, 0, 0, 0))) == [1] * 8


def test_ntt_of_delta_at_one_is_the_powers_of_omega(backend: Backend) -> None:
    omega = root_of_unity(16)
    out = fr_vector_from_bytes(backend.fr_ntt(scalars(0, 1, *([0] * 14))))
    assert out == [pow(omega, i, R) for i in range(16)]


def test_inverse_ntt_of_all_ones_is_delta(backend: Backend) -> None:
    assert fr_vector_from_bytes(backend.fr_ntt(scalars(*[1] * 4), inverse=True)) == [1, 0, 0, 0]


def test_ntt_matches_direct_evaluation_with_r_minus_one_entries(backend: Backend) -> None:
    coeffs = [R - 1, 0, 5, R - 1, 1, R - 2, 7, 0]
    omega = root_of_unity(8)
    expected = [_poly_eval(coeffs, pow(omega, i, R)) for i in range(8)]
    assert fr_vector_from_bytes(backend.fr_ntt(fr_vector_to_bytes(coeffs))) == expected


@pytest.mark.parametrize("shift", [5, 7, R - 1])
def test_coset_ntt_matches_direct_evaluation(backend: Backend, shift: int) -> None:
    coeffs = _random_fr(8)
    omega = root_of_unity(8)
    expected = [_poly_eval(coeffs, shift * pow(omega, i, R) % R) for i in range(8)]
    out = backend.fr_coset_ntt(fr_vector_to_bytes(coeffs), shift)
    assert fr_vector_from_bytes(out) == expected
    assert fr_vector_from_bytes(backend.fr_coset_ntt(out, shift, inverse=True)) == coeffs


@pytest.mark.parametrize("n_values", [0, 3, 6])
def test_ntt_rejects_sizes_that_are_not_powers_of_two(backend: Backend, n_values: int) -> None:
    with pytest.raises(MalformedInputError):
        backend.fr_ntt(bytes(32 * n_values))


def test_ntt_rejects_a_non_canonical_scalar_naming_its_index(backend: Backend) -> None:
    values = scalars(1, 2) + R.to_bytes(32, "little") + scalars(4)
    with pytest.raises(MalformedInputError, match="2"):
        backend.fr_ntt(values)


def test_ntt_rejects_a_ragged_buffer(backend: Backend) -> None:
    with pytest.raises(MalformedInputError):
        backend.fr_ntt(bytes(33))


def test_mul_sub_wraps_modulo_r(backend: Backend) -> None:
    out = backend.fr_mul_sub(scalars(R - 1, 3, 0), scalars(R - 1, 4, 9), scalars(1, 13, 1))
    assert fr_vector_from_bytes(out) == [0, R - 1, R - 1]


def test_mul_sub_rejects_vectors_of_different_lengths(backend: Backend) -> None:
    with pytest.raises(MalformedInputError):
        backend.fr_mul_sub(scalars(1, 2), scalars(1, 2), scalars(1))


# --- R1CS mat-vec -------------------------------------------------------------------------


def _small_r1cs() -> R1CS:
    rows = [
        Constraint({1: 1}, {2: 1}, {3: 1}),
        Constraint({0: 5, 3: R - 1}, {1: 2, 2: 3}, {4: 1}),
        Constraint({}, {0: 1}, {}),
        Constraint({4: R - 1, 1: R - 1}, {0: 1, 4: 7}, {2: 1, 3: 1}),
    ]
    return R1CS(5, 0, 1, 1, rows)


def test_r1cs_matvec_equals_row_by_row_evaluation(backend: Backend) -> None:
    r1cs = _small_r1cs()
    witness = [1, *_random_fr(4)]
    matrices = backend.r1cs_load(*r1cs.to_csr())
    assert (matrices.n_constraints, matrices.n_wires) == (4, 5)
    a, b, c = backend.r1cs_matvec(matrices, fr_vector_to_bytes(witness))
    assert fr_vector_from_bytes(a) == [evaluate(row.a, witness) for row in r1cs.constraints]
    assert fr_vector_from_bytes(b) == [evaluate(row.b, witness) for row in r1cs.constraints]
    assert fr_vector_from_bytes(c) == [evaluate(row.c, witness) for row in r1cs.constraints]


def test_r1cs_matvec_rejects_a_witness_of_the_wrong_length(backend: Backend) -> None:
    matrices = backend.r1cs_load(*_small_r1cs().to_csr())
    with pytest.raises(MalformedInputError):
        backend.r1cs_matvec(matrices, scalars(1, 2, 3, 4))


# --- G1 -----------------------------------------------------------------------------------


def test_g1_doubling_matches_the_eip196_vector(backend: Backend) -> None:
    assert backend.g1_add(G1_GEN, G1_GEN) == G1_DOUBLE
    assert backend.g1_fixed_base(G1_GEN, scalars(2)) == G1_DOUBLE
    assert backend.g1_scale(G1_GEN, scalars(2)) == G1_DOUBLE


def test_g1_negation_and_identities(backend: Backend) -> None:
    minus_g = backend.g1_neg(G1_GEN)
    assert g1_from_bytes(minus_g) == (1, Q - 2)
    assert backend.g1_add(G1_GEN, minus_g) == G1_INF
    assert backend.g1_add(G1_GEN, G1_INF) == G1_GEN
    assert backend.g1_neg(G1_INF) == G1_INF
    assert split(backend.g1_fixed_base(G1_GEN, scalars(0, 1, R - 1)), 64) == [
        G1_INF,
        G1_GEN,
        minus_g,
    ]


def test_g1_msm_equals_the_sum_of_scales(backend: Backend) -> None:
    points = backend.g1_fixed_base(G1_GEN, scalars(3, 5, 7, 11))
    points += G1_INF + points[:64]  # infinity and a repeated base
    s = _random_fr(6)
    total = G1_INF
    for scaled in split(backend.g1_scale(points, fr_vector_to_bytes(s)), 64):
        total = backend.g1_add(total, scaled)
    bases = backend.g1_load_bases(points)
    assert len(bases) == 6
    assert backend.g1_msm(bases, fr_vector_to_bytes(s)) == total
    expected = (3 * s[0] + 5 * s[1] + 7 * s[2] + 11 * s[3] + 3 * s[5]) % R
    assert total == backend.g1_fixed_base(G1_GEN, scalars(expected))


def test_g1_msm_uses_a_prefix_of_the_bases(backend: Backend) -> None:
    bases = backend.g1_load_bases(backend.g1_fixed_base(G1_GEN, scalars(1, 2, 3)))
    assert backend.g1_msm(bases, scalars(4, 5)) == backend.g1_fixed_base(G1_GEN, scalars(14))
    assert backend.g1_msm(bases, scalars(0, 0, 0)) == G1_INF


def test_g1_msm_rejects_more_scalars_than_bases(backend: Backend) -> None:
    bases = backend.g1_load_bases(G1_GEN)
    with pytest.raises(MalformedInputError):
        backend.g1_msm(bases, scalars(1, 2))


def test_g1_scale_rejects_mismatched_counts(backend: Backend) -> None:
    with pytest.raises(MalformedInputError):
        backend.g1_scale(G1_GEN + G1_GEN, scalars(1))


def test_g1_kernels_reject_scalars_ge_r(backend: Backend) -> None:
    with pytest.raises(MalformedInputError):
        backend.g1_fixed_base(G1_GEN, R.to_bytes(32, "little"))


# --- G2 -----------------------------------------------------------------------------------


def test_g2_doubling_agrees_across_kernels(backend: Backend) -> None:
    doubled = backend.g2_add(G2_GEN, G2_GEN)
    assert backend.g2_fixed_base(G2_GEN, scalars(2)) == doubled
    assert backend.g2_scale(G2_GEN, scalars(2)) == doubled
    backend.g2_validate(doubled)


def test_g2_order_r_and_identities(backend: Backend) -> None:
    minus_g2 = backend.g2_fixed_base(G2_GEN, scalars(R - 1))
    (x0, x1), (y0, y1) = g2_from_bytes(G2_GEN) or ((0, 0), (0, 0))
    assert g2_from_bytes(minus_g2) == ((x0, x1), ((Q - y0) % Q, (Q - y1) % Q))
    assert backend.g2_add(G2_GEN, minus_g2) == G2_INF
    assert backend.g2_add(G2_INF, G2_GEN) == G2_GEN
    assert backend.g2_fixed_base(G2_GEN, scalars(0)) == G2_INF


def test_g2_msm_equals_the_sum_of_scales(backend: Backend) -> None:
    points = backend.g2_fixed_base(G2_GEN, scalars(2, 9)) + G2_INF + G2_GEN
    s = [R - 1, 4, 123, 6]
    bases = backend.g2_load_bases(points)
    expected = (2 * (R - 1) + 9 * 4 + 6) % R
    assert backend.g2_msm(bases, fr_vector_to_bytes(s)) == backend.g2_fixed_base(
        G2_GEN, scalars(expected)
    )


# --- validation ---------------------------------------------------------------------------


def test_g1_validate_accepts_generator_multiples_and_infinity(backend: Backend) -> None:
    backend.g1_validate(G1_GEN + G1_INF + G1_DOUBLE)
    backend.g1_validate(b"")


def test_g1_validate_rejects_a_point_off_the_curve_naming_its_index(backend: Backend) -> None:
    with pytest.raises(MalformedInputError, match="1"):
        backend.g1_validate(G1_GEN + g1_to_bytes((1, 3)))


def test_g1_validate_rejects_a_coordinate_ge_q(backend: Backend) -> None:
    # (1 + q, 2) is the generator "mod q": only the range check can catch it.
    bad = (1 + Q).to_bytes(32, "little") + (2).to_bytes(32, "little")
    with pytest.raises(MalformedInputError):
        backend.g1_validate(bad)


def test_g1_validate_rejects_a_ragged_buffer(backend: Backend) -> None:
    with pytest.raises(MalformedInputError):
        backend.g1_validate(G1_GEN + bytes(10))


def test_g2_validate_accepts_the_generator_and_infinity(backend: Backend) -> None:
    backend.g2_validate(G2_GEN + G2_INF)


def test_g2_validate_rejects_a_point_off_the_twist(backend: Backend) -> None:
    with pytest.raises(MalformedInputError, match="1"):
        backend.g2_validate(G2_GEN + g2_off_twist())


def test_g2_validate_rejects_a_twist_point_outside_the_subgroup(backend: Backend) -> None:
    with pytest.raises(MalformedInputError, match="subgroup"):
        backend.g2_validate(twist_point_outside_g2())


def test_g2_validate_rejects_a_coordinate_ge_q(backend: Backend) -> None:
    words = [int.from_bytes(G2_GEN[i : i + 32], "little") for i in range(0, 128, 32)]
    words[1] += Q
    with pytest.raises(MalformedInputError):
        backend.g2_validate(b"".join(w.to_bytes(32, "little") for w in words))


def test_g2_validate_rejects_a_wrong_length(backend: Backend) -> None:
    with pytest.raises(MalformedInputError):
        backend.g2_validate(G2_GEN[:64])


# --- pairing ------------------------------------------------------------------------------


def test_pairing_bilinearity_e_aP_bQ_times_e_minus_abP_Q_is_one(backend: Backend) -> None:
    a, b = 6, 11
    a_p = backend.g1_fixed_base(G1_GEN, scalars(a))
    minus_ab_p = backend.g1_fixed_base(G1_GEN, scalars(R - a * b))
    b_q = backend.g2_fixed_base(G2_GEN, scalars(b))
    assert backend.pairing_check(a_p + minus_ab_p, b_q + G2_GEN)
    assert not backend.pairing_check(a_p + minus_ab_p, G2_GEN + b_q)


def test_pairing_of_generators_is_not_one(backend: Backend) -> None:
    assert not backend.pairing_check(G1_GEN, G2_GEN)
    assert backend.pairing_check(G1_INF, G2_GEN)
    assert backend.pairing_check(G1_GEN + G1_INF, G2_INF + G2_GEN)


def test_pairing_matches_the_eip197_jeff1_vector(backend: Backend) -> None:
    g1, g2 = evm_pairs(EIP197_JEFF1)
    assert backend.pairing_check(g1, g2)
    tampered = g1[:64] + backend.g1_neg(g1[64:])
    assert not backend.pairing_check(tampered, g2)


def test_pairing_rejects_mismatched_or_empty_inputs(backend: Backend) -> None:
    with pytest.raises(MalformedInputError):
        backend.pairing_check(G1_GEN + G1_GEN, G2_GEN)
    with pytest.raises(MalformedInputError):
        backend.pairing_check(b"", b"")


# --- Montgomery form ----------------------------------------------------------------------


@pytest.mark.parametrize("modulus", [Q, R], ids=["fq", "fr"])
def test_montgomery_known_answers_and_round_trip(backend: Backend, modulus: int) -> None:
    to_mont = backend.fq_to_montgomery if modulus == Q else backend.fr_to_montgomery
    from_mont = backend.fq_from_montgomery if modulus == Q else backend.fr_from_montgomery
    values = [0, 1, 2, modulus - 1, RNG.randrange(modulus)]
    plain = b"".join(v.to_bytes(32, "little") for v in values)
    mont = to_mont(plain)
    expected = [v * (1 << 256) % modulus for v in values]
    assert [int.from_bytes(w, "little") for w in split(mont, 32)] == expected
    assert from_mont(mont) == plain


@pytest.mark.parametrize("modulus", [Q, R], ids=["fq", "fr"])
def test_montgomery_rejects_words_ge_modulus(backend: Backend, modulus: int) -> None:
    from_mont = backend.fq_from_montgomery if modulus == Q else backend.fr_from_montgomery
    to_mont = backend.fq_to_montgomery if modulus == Q else backend.fr_to_montgomery
    bad = (1).to_bytes(32, "little") + modulus.to_bytes(32, "little")
    with pytest.raises(MalformedInputError):
        from_mont(bad)
    with pytest.raises(MalformedInputError):
        to_mont(bad)


def test_g1_encoding_round_trips_through_the_backend(backend: Backend) -> None:
    point = g1_from_bytes(backend.g1_fixed_base(G1_GEN, scalars(12345)))
    assert point is not None
    assert backend.g1_add(g1_to_bytes(point), G1_INF) == g1_to_bytes(point)
    assert g2_to_bytes(g2_from_bytes(G2_GEN)) == G2_GEN
