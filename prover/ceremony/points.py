"""Point encodings of a ceremony: canonical, snarkjs's LEM, and ffjavascript's hash inputs.

- canonical: :mod:`algebra.encoding` (little-endian x ‖ y; G2 coordinates c0 ‖ c1);
- LEM: the same layout with every 32-byte word in Montgomery form (``.ptau``/``.zkey``);
- uncompressed: each coordinate big-endian, an Fq2 coordinate as ``c1 ‖ c0`` (what the
  challenge hashes and key derivations absorb); infinity is all zeros;
- compressed: the uncompressed x with bit 0x80 of its first byte set when y is
  "negative" (ffjavascript's sign), and infinity as 0x40 then zeros (what the response
  hash of a phase-1 contribution absorbs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from algebra.backend import Backend
from algebra.constants import FIELD_MODULUS_Q, G1_BYTES, G2_BYTES
from algebra.errors import FormatError, MalformedInputError
from prover.circuit_hash import uncompressed

if TYPE_CHECKING:
    import numpy as np

# (q − 1)/2 as four little-endian u64 limbs. numpy is imported only by `compressed` (phase 1),
# so that phase-2 commands start ~0.08 s faster.
_HALF_LIMBS = [((FIELD_MODULUS_Q - 1) // 2 >> (64 * i)) & (2**64 - 1) for i in range(4)]


def point_size(group: int) -> int:
    """Return the encoded size of a G1 (group 1) or G2 (group 2) point."""
    return G1_BYTES if group == 1 else G2_BYTES


def from_lem(backend: Backend, raw: bytes, what: str) -> bytes:
    """Return canonical points from LEM words (FormatError for a word ≥ q)."""
    try:
        return backend.fq_from_montgomery(raw)
    except MalformedInputError as error:
        raise FormatError(f"{what}: {error}") from error


def validate(backend: Backend, points: bytes, group: int, what: str) -> None:
    """Raise FormatError unless every point is on its curve (and, for G2, in the subgroup)."""
    try:
        if group == 1:
            backend.g1_validate(points)
        else:
            backend.g2_validate(points)
    except MalformedInputError as error:
        raise FormatError(f"{what}: {error}") from error


def _exceeds_half(words: np.ndarray) -> np.ndarray:
    """Return, per row of 4 little-endian u64 limbs, whether the value is > (q−1)/2."""
    import numpy as np

    greater = np.zeros(len(words), dtype=bool)
    equal = np.ones(len(words), dtype=bool)
    for limb in range(3, -1, -1):
        half = np.uint64(_HALF_LIMBS[limb])
        greater |= equal & (words[:, limb] > half)
        equal &= words[:, limb] == half
    return greater


def compressed(points: bytes, group: int) -> bytes:
    """Return ffjavascript's compressed encoding of canonical points."""
    import numpy as np

    size = point_size(group)
    width = size // 2
    rows = np.frombuffer(points, dtype=np.uint8).reshape(-1, size)
    out = rows[:, :width][:, ::-1].copy()
    limbs = rows[:, width:].copy().view("<u8")
    if group == 1:
        negative = _exceeds_half(limbs)
    else:
        c1_nonzero = limbs[:, 4:].any(axis=1)
        negative = np.where(c1_nonzero, _exceeds_half(limbs[:, 4:]), _exceeds_half(limbs[:, :4]))
    out[:, 0] |= np.where(negative, 0x80, 0).astype(np.uint8)
    infinity = ~rows.any(axis=1)
    out[infinity] = 0
    out[infinity, 0] = 0x40
    return out.tobytes()


__all__ = ["compressed", "from_lem", "point_size", "uncompressed", "validate"]
