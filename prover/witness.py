"""Witness vectors for the prover: validation and encoding as one contiguous Fr buffer."""

from __future__ import annotations

from collections.abc import Sequence

from algebra.constants import FR_BYTES
from algebra.encoding import first_non_canonical_fr, fr_vector_to_bytes
from algebra.errors import MalformedInputError


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
        bad = first_non_canonical_fr(buffer)
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
