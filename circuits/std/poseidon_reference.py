"""Plain-Python Poseidon over Fr: circomlib's fixed-length hash and our sponge (the reference).

The permutation is the HADES design of Grassi et al., "Poseidon: A New Hash Function for
Zero-Knowledge Proof Systems" (eprint 2019/458) with circomlib's instances (parameters in
:mod:`circuits.std.poseidon_constants`). The fixed-length hash and the sponge's padding and
domain separation are specified in :mod:`circuits.std.poseidon`; the in-circuit gadgets in
:mod:`circuits.std.poseidon_gadget` must agree with this module exactly.

:func:`poseidon_permutation` is the specification, in Python. :func:`poseidon` and
:func:`poseidon_sponge` run the same rounds with the same constants in the native extension
(``algebra._native.PoseidonPermutation``) when it is built and ``ZKM_BACKEND`` is not
``reference``; ``tests/circuits/test_poseidon_native.py`` checks the two agree.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from typing import Any, Final

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from circuits.std.poseidon_constants import MAX_WIDTH, poseidon_parameters

MAX_INPUTS: Final = MAX_WIDTH - 1
"""The fixed-length hash takes 1 … 16 inputs."""

SPONGE_WIDTH: Final = MAX_WIDTH
SPONGE_RATE: Final = SPONGE_WIDTH - 1
SPONGE_TAG_BITS: Final = 64
"""Both the domain tag and the input count are below 2^64."""

SPONGE_MODE_FLAG: Final = 1 << (2 * SPONGE_TAG_BITS)
"""Set in every sponge's initial capacity: no sponge state starts like the fixed-length hash."""


def poseidon_permutation(state: Sequence[int]) -> list[int]:
    """Return Poseidon's permutation of ``state`` (width 2 … 17, canonical elements)."""
    params = poseidon_parameters(len(state))
    current = list(state)
    for round_index, constants in enumerate(params.round_constants):
        current = [(x + c) % SCALAR_FIELD_R for x, c in zip(current, constants, strict=True)]
        if params.is_full_round(round_index):
            current = [pow(x, 5, SCALAR_FIELD_R) for x in current]
        else:
            current[0] = pow(current[0], 5, SCALAR_FIELD_R)
        current = [
            sum(m * x for m, x in zip(row, current, strict=True)) % SCALAR_FIELD_R
            for row in params.mds
        ]
    return current


@cache
def _native_permutation_for(width: int) -> Any | None:
    """The native permutation of ``width`` with this module's constants, or None if unbuilt."""
    try:
        from algebra.native_build import load_native

        module = load_native()
    except ImportError:
        return None
    kind = getattr(module, "PoseidonPermutation", None)
    if kind is None:  # an extension built before the kernel existed
        return None
    params = poseidon_parameters(width)
    return kind(
        width,
        params.full_rounds,
        _words([c for row in params.round_constants for c in row]),
        _words([m for row in params.mds for m in row]),
    )


def native_permutation(width: int) -> Any | None:
    """Return the native permutation of ``width``, or None (unbuilt, or ZKM_BACKEND=reference)."""
    if os.environ.get("ZKM_BACKEND", "").strip().lower() == "reference":
        return None
    return _native_permutation_for(width)


def _words(values: Sequence[int]) -> bytes:
    return b"".join(v.to_bytes(32, "little") for v in values)


def _word(data: bytes, index: int) -> int:
    return int.from_bytes(data[32 * index : 32 * index + 32], "little")


def permute(state: Sequence[int]) -> list[int]:
    """Return :func:`poseidon_permutation` of ``state``, natively when the kernel is built."""
    native = native_permutation(len(state))
    if native is None:
        return poseidon_permutation(state)
    check_field_elements(state, "Poseidon state")
    out = native.permute(_words(state))
    return [_word(out, i) for i in range(len(state))]


def check_field_elements(values: Sequence[int], what: str) -> None:
    """Raise MalformedInputError unless every value is an int in ``[0, r)``."""
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int):
            raise MalformedInputError(f"{what}[{index}] is not an integer")
        if not 0 <= value < SCALAR_FIELD_R:
            raise MalformedInputError(f"{what}[{index}] is not a canonical field element in [0, r)")


def poseidon(inputs: Sequence[int]) -> int:
    """Return circomlib's ``Poseidon(n)`` of 1 … 16 canonical field elements."""
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise MalformedInputError(f"Poseidon takes 1..{MAX_INPUTS} inputs, got {len(inputs)}")
    check_field_elements(inputs, "poseidon input")
    native = native_permutation(len(inputs) + 1)
    if native is not None:
        return _word(native.permute(_words([0, *inputs])), 0)
    return poseidon_permutation([0, *inputs])[0]


def sponge_initial_capacity(domain: int, n_inputs: int) -> int:
    """Return ``2^128 + domain·2^64 + n_inputs`` after checking both fit in 64 bits."""
    if isinstance(domain, bool) or not isinstance(domain, int):
        raise MalformedInputError("sponge domain tag is not an integer")
    if not 0 <= domain < 1 << SPONGE_TAG_BITS:
        raise MalformedInputError(f"sponge domain tag must be in [0, 2^{SPONGE_TAG_BITS})")
    if n_inputs >= 1 << SPONGE_TAG_BITS:
        raise MalformedInputError(f"sponge input count must be below 2^{SPONGE_TAG_BITS}")
    return SPONGE_MODE_FLAG + (domain << SPONGE_TAG_BITS) + n_inputs


def sponge_blocks(n_inputs: int) -> int:
    """Return the number of rate-16 blocks (permutations) absorbing ``n_inputs`` elements."""
    return max(1, -(-n_inputs // SPONGE_RATE))


def poseidon_sponge(inputs: Sequence[int], domain: int = 0) -> int:
    """Return the domain-separated Poseidon sponge hash of any number of canonical elements."""
    check_field_elements(inputs, "sponge input")
    state = [sponge_initial_capacity(domain, len(inputs))] + [0] * SPONGE_RATE
    padded = list(inputs) + [0] * (sponge_blocks(len(inputs)) * SPONGE_RATE - len(inputs))
    native = native_permutation(SPONGE_WIDTH)
    if native is not None:
        return _word(native.absorb(_words(state), _words(padded)), 1)
    for start in range(0, len(padded), SPONGE_RATE):
        block = padded[start : start + SPONGE_RATE]
        state = [state[0]] + [
            (s + x) % SCALAR_FIELD_R for s, x in zip(state[1:], block, strict=True)
        ]
        state = poseidon_permutation(state)
    return state[1]
