"""The native Poseidon kernel (``algebra._native.PoseidonPermutation``) against the Python
specification (:func:`circuits.std.poseidon_reference.poseidon_permutation`): every width,
the fixed-length hash, the sponge, and malformed input."""

from __future__ import annotations

import random

import pytest

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from algebra.native_build import load_native
from circuits.std import poseidon_reference as plain
from circuits.std.poseidon_constants import MAX_WIDTH, MIN_WIDTH, poseidon_parameters


def _words(values: list[int]) -> bytes:
    return b"".join(v.to_bytes(32, "little") for v in values)


def _values(data: bytes) -> list[int]:
    return [int.from_bytes(data[i : i + 32], "little") for i in range(0, len(data), 32)]


def _edge_values(rng: random.Random) -> list[int]:
    return [0, 1, 2, SCALAR_FIELD_R - 1, SCALAR_FIELD_R - 2, rng.randrange(SCALAR_FIELD_R)]


@pytest.mark.parametrize("width", range(MIN_WIDTH, MAX_WIDTH + 1))
def test_native_permutation_equals_the_specification(width: int) -> None:
    rng = random.Random(width)
    native = plain.native_permutation(width)
    assert native is not None, "the native extension has no PoseidonPermutation"
    states = [[rng.randrange(SCALAR_FIELD_R) for _ in range(width)] for _ in range(4)]
    states.append([0] * width)
    states.append([rng.choice(_edge_values(rng)) for _ in range(width)])
    for state in states:
        assert _values(native.permute(_words(state))) == plain.poseidon_permutation(state)


@pytest.mark.parametrize("n_inputs", [1, 2, 5, 16])
def test_fixed_length_hash_agrees(n_inputs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(n_inputs)
    for _ in range(5):
        inputs = [rng.randrange(SCALAR_FIELD_R) for _ in range(n_inputs)]
        fast = plain.poseidon(inputs)
        monkeypatch.setenv("ZKM_BACKEND", "reference")
        assert plain.native_permutation(n_inputs + 1) is None
        assert plain.poseidon(inputs) == fast == plain.poseidon_permutation([0, *inputs])[0]
        monkeypatch.delenv("ZKM_BACKEND")


@pytest.mark.parametrize("n_inputs", [0, 1, 15, 16, 17, 33, 700])
def test_sponge_agrees(n_inputs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(1000 + n_inputs)
    inputs = [rng.randrange(SCALAR_FIELD_R) for _ in range(n_inputs)]
    for domain in (0, 5, (1 << 64) - 1):
        fast = plain.poseidon_sponge(inputs, domain)
        monkeypatch.setenv("ZKM_BACKEND", "reference")
        assert plain.poseidon_sponge(inputs, domain) == fast
        monkeypatch.delenv("ZKM_BACKEND")


def test_sponge_still_refuses_non_canonical_inputs() -> None:
    with pytest.raises(MalformedInputError):
        plain.poseidon_sponge([SCALAR_FIELD_R])
    with pytest.raises(MalformedInputError):
        plain.poseidon([SCALAR_FIELD_R - 1, SCALAR_FIELD_R])


def test_kernel_refuses_malformed_input() -> None:
    kind = load_native().PoseidonPermutation
    params = poseidon_parameters(3)
    constants = _words([c for row in params.round_constants for c in row])
    mds = _words([m for row in params.mds for m in row])
    native = kind(3, params.full_rounds, constants, mds)
    with pytest.raises(MalformedInputError, match="2 elements, not 3"):
        native.permute(_words([1, 2]))
    with pytest.raises(MalformedInputError, match="not in"):
        native.permute(_words([1, 2]) + b"\xff" * 32)
    with pytest.raises(MalformedInputError):
        native.permute(b"\x00" * 95)
    with pytest.raises(MalformedInputError, match="whole blocks"):
        native.absorb(_words([0, 0, 0]), _words([1, 2, 3]))
    for bad in (
        (1, params.full_rounds, constants, mds),  # width
        (3, 3, constants, mds),  # odd R_F
        (3, params.full_rounds, constants[:-32], mds),  # ragged constants
        (3, params.full_rounds, constants, mds[:-32]),  # not 3 × 3
        (3, params.full_rounds, b"\xff" * 32 + constants[32:], mds),  # ≥ r
    ):
        with pytest.raises(MalformedInputError):
            kind(*bad)


def test_permute_dispatches_to_the_same_permutation(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(77)
    for width in (2, 3, 17):
        state = [rng.randrange(SCALAR_FIELD_R) for _ in range(width)]
        expected = plain.poseidon_permutation(state)
        assert plain.permute(state) == expected
        monkeypatch.setenv("ZKM_BACKEND", "reference")
        assert plain.permute(state) == expected
        monkeypatch.delenv("ZKM_BACKEND")
        with pytest.raises(MalformedInputError):
            plain.permute([*state[:-1], SCALAR_FIELD_R])
