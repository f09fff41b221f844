"""Witness vectors for the prover: validation and encoding as one contiguous Fr buffer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from algebra.constants import FR_BYTES, SCALAR_FIELD_R
from algebra.encoding import fr_vector_to_bytes
from algebra.errors import MalformedInputError

_R_LIMBS = [(SCALAR_FIELD_R >> (64 * i)) & (2**64 - 1) for i in range(4)]


def first_non_canonical(buffer: bytes) -> int | None:
    """Return the index of the first 32-byte little-endian word ≥ r in ``buffer``, or None."""
    limbs = np.frombuffer(buffer, dtype="<u8").reshape(-1, 4)
    below = np.zeros(len(limbs), dtype=bool)
    equal = np.ones(len(limbs), dtype=bool)
    for i in (3, 2, 1, 0):
        below |= equal & (limbs[:, i] < np.uint64(_R_LIMBS[i]))
        equal &= limbs[:, i] == np.uint64(_R_LIMBS[i])
    bad = np.flatnonzero(~below)
    return int(bad[0]) if len(bad) else None


def witness_to_bytes(witness: Sequence[int] | bytes, n_wires: int) -> bytes:
    """Return the witness as ``n_wires`` canonical 32-byte words, checking length, range and w₀ = 1.

    Raises:
        MalformedInputError: wrong length, a value ≥ r, or wire 0 not equal to 1.
    """
    if isinstance(witness, bytes | bytearray | memoryview):
        buffer = bytes(witness)
        if len(buffer) != n_wires * FR_BYTES:
            raise MalformedInputError(
                f"witness has {len(buffer) // FR_BYTES} values, the key expects {n_wires}"
            )
        bad = first_non_canonical(buffer)
        if bad is not None:
            raise MalformedInputError(f"witness wire {bad} is not in [0, r)")
    else:
        if len(witness) != n_wires:
            raise MalformedInputError(
                f"witness has {len(witness)} values, the key expects {n_wires}"
            )
        buffer = fr_vector_to_bytes(witness)
    if int.from_bytes(buffer[:FR_BYTES], "little") != 1:
        raise MalformedInputError("witness wire 0 must be the constant 1")
    return buffer
