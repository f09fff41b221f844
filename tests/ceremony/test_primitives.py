"""The building blocks that must match snarkjs/ffjavascript bit for bit."""

from __future__ import annotations

import hashlib
import secrets

import pytest

from algebra.backend import Backend
from algebra.constants import FIELD_MODULUS_Q, SCALAR_FIELD_R
from algebra.encoding import fr_vector_to_bytes
from prover.ceremony.blake2 import Blake2b512
from prover.ceremony.chacha import ChaCha
from prover.ceremony.phase1 import G1_ONE, G2_ONE
from prover.ceremony.point_fft import inverse_fft_points
from prover.ceremony.points import compressed
from prover.ceremony.rng_points import fr_from_rng, g1_from_rng, g2_from_rng
from prover.circuit_hash import uncompressed
from prover.lagrange import domain_lagrange, powers

# ffjavascript 0.3.1 (snarkjs 0.7.6) with new ChaCha([1..8]): Fr.fromRng, G1.fromRng, G2.fromRng.
EXPECTED_FR = 11421152797359801513699257512876826534900512878648310510227136947029091328776
EXPECTED_G1 = (
    5217210202433667727191898282504136790707584920818966276224927002650483462798,
    15329941312121016545992532075626365884228451898446262084449300681562396985945,
)
EXPECTED_G2 = (
    (
        1996973846761408952709743206232273325766221402180846812791047873222079628840,
        20896014760810184847783399240781224917845229803520210671865291355729529628958,
    ),
    (
        11775881206310937766160975417337862501296105312646585348996934055966500869359,
        9344702282622745326555015052443147536161980720492015874433482481257977714285,
    ),
)


def test_rng_draws_match_ffjavascript() -> None:
    rng = ChaCha([1, 2, 3, 4, 5, 6, 7, 8])
    assert fr_from_rng(rng) == EXPECTED_FR
    assert g1_from_rng(rng) == EXPECTED_G1
    assert g2_from_rng(rng) == EXPECTED_G2


@pytest.mark.parametrize("size", [0, 1, 127, 128, 129, 256, 1000])
def test_blake2b_matches_hashlib_and_resumes_from_partial(size: int) -> None:
    data = secrets.token_bytes(size)
    hasher = Blake2b512().update(data[: size // 3]).update(data[size // 3 :])
    assert hasher.digest() == hashlib.blake2b(data).digest()
    resumed = Blake2b512.from_partial(hasher.partial()).update(b"key")
    assert resumed.digest() == hashlib.blake2b(data + b"key").digest()


def test_compressed_encoding_flags_sign_and_infinity() -> None:
    g1 = compressed(G1_ONE + bytes(64), 1)
    assert g1[:32] == (1).to_bytes(32, "big")  # y = 2 is "positive"
    assert g1[32] == 0x40 and not any(g1[33:])
    negative = (1).to_bytes(32, "little") + (FIELD_MODULUS_Q - 2).to_bytes(32, "little")
    assert compressed(negative, 1)[0] & 0x80
    assert len(compressed(G2_ONE, 2)) == 64


@pytest.mark.parametrize("n", [2, 8, 32])
def test_point_inverse_fft_gives_the_lagrange_basis(backend: Backend, n: int) -> None:
    if backend.name == "reference" and n > 8:
        return  # the pure-Python backend is too slow for bigger transforms
    tau = secrets.randbelow(SCALAR_FIELD_R)
    for group, base in ((1, G1_ONE), (2, G2_ONE)):
        fixed = backend.g1_fixed_base if group == 1 else backend.g2_fixed_base
        monomial = fixed(base, fr_vector_to_bytes(powers(tau, n)))
        expected = fixed(base, fr_vector_to_bytes(domain_lagrange(tau, n)))
        assert inverse_fft_points(backend, monomial, group) == expected


@pytest.mark.parametrize("group", [1, 2])
@pytest.mark.parametrize("count", [0, 1, 31, 32, 33, 200])
def test_uncompressed_reverses_each_coordinate_on_both_paths(group: int, count: int) -> None:
    """Small inputs (plain Python) and large ones (numpy) give ffjavascript's byte order."""
    width = 32 if group == 1 else 64
    points = secrets.token_bytes(2 * width * count)
    expected = b"".join(
        int.from_bytes(points[i : i + width], "little").to_bytes(width, "big")
        for i in range(0, len(points), width)
    )
    assert uncompressed(points, group) == expected
