"""Poseidon parameter generation: Grain LFSR, round constants, Cauchy MDS, MDS security checks."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from algebra.errors import MalformedInputError
from circuits.std import fp_linalg
from circuits.std.grain_lfsr import GrainStream, grain_seed, lfsr_sequence
from circuits.std.poseidon_constants import (
    PARTIAL_ROUNDS,
    REJECTED_MDS_DRAWS,
    generate_poseidon_parameters,
    partial_rounds_for,
    poseidon_parameters,
)
from circuits.std.poseidon_mds import is_secure_mds


def _naive_grain_bits(seed: list[int]) -> Iterator[int]:
    """The reference script's generator, transcribed literally (pop/append on a bit list)."""
    state = list(seed)

    def step() -> int:
        bit = state[62] ^ state[51] ^ state[38] ^ state[23] ^ state[13] ^ state[0]
        state.pop(0)
        state.append(bit)
        return bit

    for _ in range(160):
        step()
    while True:
        bit = step()
        while bit == 0:
            step()
            bit = step()
        yield step()


def test_grain_seed_packs_the_instance_description_msb_first() -> None:
    seed = grain_seed(1, 0, 254, 3, 8, 57)
    text = "".join(str(b) for b in seed)
    assert (
        text
        == "01" + "0000" + "000011111110" + "000000000011" + "0000001000" + "0000111001" + "1" * 30
    )


def test_grain_seed_refuses_fields_wider_than_their_slot() -> None:
    with pytest.raises(ValueError):
        grain_seed(1, 0, 1 << 12, 3, 8, 57)


def test_blocked_lfsr_equals_the_bit_by_bit_recurrence() -> None:
    seed = grain_seed(1, 0, 254, 5, 8, 60)
    fast = lfsr_sequence(seed, 6000)
    slow = list(seed)
    for i in range(80, 6000):
        slow.append(
            slow[i - 18] ^ slow[i - 29] ^ slow[i - 42] ^ slow[i - 57] ^ slow[i - 67] ^ slow[i - 80]
        )
    assert fast == slow


@pytest.mark.parametrize("width", [2, 17])
def test_grain_stream_equals_the_literal_self_shrinking_generator(width: int) -> None:
    seed = grain_seed(1, 0, 254, width, 8, partial_rounds_for(width))
    naive = _naive_grain_bits([int(b) for b in seed])
    expected = [next(naive) for _ in range(3000)]
    stream = GrainStream(seed)
    got = [stream.next_int(1) for _ in range(1000)] + [
        int(b) for b in format(stream.next_int(2000), "02000b")
    ]
    assert got == expected


def test_grain_stream_extends_its_buffer_past_the_first_block() -> None:
    seed = grain_seed(1, 0, 254, 4, 8, 56)
    naive = _naive_grain_bits([int(b) for b in seed])
    stream = GrainStream(seed)
    stream.next_int(20_000)
    tail = stream.next_int(64)
    for _ in range(20_000):
        next(naive)
    assert tail == int("".join(str(next(naive)) for _ in range(64)), 2)


def test_round_constants_are_canonical_and_sized_per_width() -> None:
    for width in range(2, 18):
        params = poseidon_parameters(width)
        assert params.partial_rounds == PARTIAL_ROUNDS[width - 2]
        assert len(params.round_constants) == 8 + params.partial_rounds
        assert all(
            len(row) == width and all(0 <= c < R for c in row) for row in params.round_constants
        )
        assert len(params.mds) == width and all(len(row) == width for row in params.mds)


def test_mds_is_a_cauchy_matrix_and_invertible() -> None:
    params = poseidon_parameters(4)
    inverses = [[pow(entry, -1, R) for entry in row] for row in params.mds]
    # 1/M[i][j] = x_i + y_j, so 1/M[i][j] − 1/M[i][0] does not depend on i.
    for row in inverses:
        assert [(v - row[0]) % R for v in row] == [(v - inverses[0][0]) % R for v in inverses[0]]
    assert fp_linalg.rank([list(row) for row in params.mds]) == 4


@pytest.mark.parametrize("width", [0, 1, 18])
def test_widths_outside_circomlibs_range_are_refused(width: int) -> None:
    with pytest.raises(MalformedInputError):
        poseidon_parameters(width)


@pytest.mark.parametrize("width", range(2, 9))
def test_full_generation_with_mds_checks_equals_the_cached_replay(width: int) -> None:
    generated, rejected = generate_poseidon_parameters(width)
    assert rejected == REJECTED_MDS_DRAWS[width - 2]
    assert generated == poseidon_parameters(width)


@pytest.mark.slow
@pytest.mark.parametrize("width", range(9, 18))
def test_full_generation_with_mds_checks_equals_the_cached_replay_large(width: int) -> None:
    generated, rejected = generate_poseidon_parameters(width)
    assert rejected == REJECTED_MDS_DRAWS[width - 2]
    assert generated == poseidon_parameters(width)


def test_secure_mds_accepts_the_generated_matrices() -> None:
    for width in (2, 3, 5):
        assert is_secure_mds([list(row) for row in poseidon_parameters(width).mds])


def test_secure_mds_rejects_a_scalar_power() -> None:
    swap = [[0, 1], [1, 0]]  # swap² = I: an invariant subspace trail of period 2
    assert not is_secure_mds(swap)
    assert not is_secure_mds([[7, 0, 0], [0, 7, 0], [0, 0, 7]])


def test_secure_mds_rejects_a_block_diagonal_matrix() -> None:
    block = [[2, 1, 0], [1, 3, 0], [0, 0, 5]]  # span(e0, e1) is invariant: Krylov of e0 is short
    assert not is_secure_mds(block)


def test_secure_mds_rejects_an_inactive_eigenvector() -> None:
    # e2 is an eigenvector (eigenvalue 5) lying in the subspace that bypasses the S-box,
    # while the Krylov space of e0 is the whole space.
    matrix = [[1, 1, 0], [1, 2, 0], [1, 3, 5]]
    assert fp_linalg.rank([[1, 0, 0], [1, 1, 1], [2, 3, 9]]) == 3
    assert not is_secure_mds(matrix)


def test_characteristic_polynomial_satisfies_cayley_hamilton() -> None:
    rng = random.Random(7)
    matrix = [[rng.randrange(R) for _ in range(6)] for _ in range(6)]
    coefficients = fp_linalg.characteristic_polynomial(matrix)
    assert coefficients[-1] == 1 and len(coefficients) == 7
    total = [[0] * 6 for _ in range(6)]
    power = fp_linalg.identity(6)
    for c in coefficients:
        total = [
            [(t + c * p) % R for t, p in zip(tr, pr, strict=True)]
            for tr, pr in zip(total, power, strict=True)
        ]
        power = fp_linalg.mat_mul(power, matrix)
    assert total == [[0] * 6 for _ in range(6)]


def test_roots_in_field_finds_linear_factors_only() -> None:
    non_residue = 5  # 5 is a generator of Fr*, hence a non-residue: x² − 5 is irreducible
    poly = [1]
    for factor in ([-3 % R, 1], [-(R - 11) % R, 1], [-non_residue % R, 0, 1], [-3 % R, 1]):
        poly = _poly_mul(poly, factor)
    assert fp_linalg.roots_in_field(poly) == [3, R - 11]
    assert fp_linalg.roots_in_field([-non_residue % R, 0, 1]) == []


def test_kernel_spans_the_null_space() -> None:
    rng = random.Random(3)
    rows = [[rng.randrange(R) for _ in range(5)] for _ in range(2)]
    rows.append([(a + 2 * b) % R for a, b in zip(rows[0], rows[1], strict=True)])
    basis = fp_linalg.kernel(rows, 5)
    assert len(basis) == 5 - fp_linalg.rank(rows) == 3
    assert all(fp_linalg.mat_vec(rows, v) == [0, 0, 0] for v in basis)


def _poly_mul(f: list[int], g: list[int]) -> list[int]:
    out = [0] * (len(f) + len(g) - 1)
    for i, a in enumerate(f):
        for j, b in enumerate(g):
            out[i + j] = (out[i + j] + a * b) % R
    return out
