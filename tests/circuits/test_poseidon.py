"""Plain-Python Poseidon: circomlibjs known answers for arities 1–16, input checks, the sponge."""

from __future__ import annotations

import itertools

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from algebra.errors import MalformedInputError
from circuits.std.poseidon import poseidon, poseidon_permutation, poseidon_sponge
from tests.circuits.circomlibjs_poseidon import circomlibjs_poseidon, random_vectors


@pytest.mark.interop
def test_poseidon_equals_circomlibjs_for_every_arity() -> None:
    vectors = random_vectors()
    assert {len(v) for v in vectors} == set(range(1, 17))
    expected = circomlibjs_poseidon(vectors)
    assert [poseidon(list(v)) for v in vectors] == expected


def test_poseidon_of_1_2_is_the_published_circomlib_vector() -> None:
    assert poseidon([1, 2]) == (
        7853200120776062878684798364095072458815029376092732009249414926327459813530
    )


@pytest.mark.parametrize("count", [0, 17])
def test_poseidon_rejects_input_counts_outside_1_to_16(count: int) -> None:
    with pytest.raises(MalformedInputError, match=r"1\.\.16 inputs"):
        poseidon([1] * count)


@pytest.mark.parametrize("bad", [R, R + 1, -1, True])
def test_poseidon_rejects_non_canonical_inputs(bad: int) -> None:
    with pytest.raises(MalformedInputError):
        poseidon([1, bad])


def test_poseidon_is_the_first_element_of_the_permutation_of_zero_and_inputs() -> None:
    assert poseidon([5, 6, 7]) == poseidon_permutation([0, 5, 6, 7])[0]
    assert poseidon([5, 6, 7]) != poseidon([5, 6, 7, 0])


def _sponge_by_spec(inputs: list[int], domain: int) -> int:
    """The documented sponge, written out: capacity 2^128 + domain·2^64 + n, zero padding."""
    state = [2**128 + domain * 2**64 + len(inputs)] + [0] * 16
    n_blocks = max(1, (len(inputs) + 15) // 16)
    padded = inputs + [0] * (16 * n_blocks - len(inputs))
    for start in range(0, len(padded), 16):
        for lane in range(16):
            state[1 + lane] = (state[1 + lane] + padded[start + lane]) % R
        state = poseidon_permutation(state)
    return state[1]


@pytest.mark.parametrize(
    ("length", "domain"), [(0, 0), (1, 0), (15, 3), (16, 0), (17, 9), (33, 2**64 - 1)]
)
def test_sponge_follows_its_documented_padding_and_domain_separation(
    length: int, domain: int
) -> None:
    inputs = [(i * 0x9E3779B97F4A7C15 + 11) % R for i in range(length)]
    assert poseidon_sponge(inputs, domain) == _sponge_by_spec(inputs, domain)


def test_sponge_separates_lengths_even_when_padding_would_collide() -> None:
    a = 123456789
    hashes = [
        poseidon_sponge([]),
        poseidon_sponge([0]),
        poseidon_sponge([a]),
        poseidon_sponge([a, 0]),
    ]
    hashes += [poseidon_sponge([a] + [0] * 15), poseidon_sponge([a] + [0] * 16)]
    assert len(set(hashes)) == len(hashes)


def test_sponge_separates_domains() -> None:
    inputs = [1, 2, 3]
    hashes = {poseidon_sponge(inputs, domain) for domain in (0, 1, 2, 2**32, 2**64 - 1)}
    assert len(hashes) == 5


def test_sponge_is_injective_on_a_small_exhaustive_family() -> None:
    """Every (domain, inputs) with domain ∈ {0, 1}, length ≤ 3, elements ∈ {0, 1} hashes apart."""
    family = [
        (domain, list(values))
        for domain in (0, 1)
        for length in range(4)
        for values in itertools.product((0, 1), repeat=length)
    ]
    hashes = {poseidon_sponge(values, domain) for domain, values in family}
    assert len(hashes) == len(family)


def test_sponge_differs_from_the_fixed_length_hash_on_16_inputs() -> None:
    inputs = list(range(1, 17))
    assert poseidon_sponge(inputs) != poseidon(inputs)
    assert poseidon_sponge(inputs) != poseidon_permutation([0, *inputs])[1]


def test_sponge_absorbs_every_block() -> None:
    base = list(range(40))
    changed = [*base[:35], base[35] + 1, *base[36:]]
    assert poseidon_sponge(base) != poseidon_sponge(changed)


@pytest.mark.parametrize("domain", [-1, 2**64, True])
def test_sponge_rejects_domains_outside_64_bits(domain: int) -> None:
    with pytest.raises(MalformedInputError, match="domain"):
        poseidon_sponge([1], domain)


def test_sponge_rejects_non_canonical_inputs() -> None:
    with pytest.raises(MalformedInputError, match=r"sponge input\[2\]"):
        poseidon_sponge([1, 2, R])
