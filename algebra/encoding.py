"""Canonical byte encodings shared by both backends and the native kernels.

Every buffer crossing the backend boundary is contiguous bytes:
- Fr or Fq element: 32 bytes little-endian, canonical (< modulus);
- Fr vector: n × 32 bytes, concatenated;
- G1 point: x ‖ y (64 bytes); G2 point: x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1 (128 bytes);
- the point at infinity: all zero bytes, and nothing else.

Infinity has exactly one form per representation: ``None`` as a Python point, all-zero bytes
here. The affine point (0, 0) lies on neither curve (0 ≠ 0³ + 3, 0 ≠ 0³ + b'), so its bytes
would collide with infinity's: the encoders refuse it as an off-curve point instead of
silently turning it into infinity (which a caller's ``point is None`` check would miss).
"""

from collections.abc import Iterable, Sequence

from algebra.constants import FIELD_MODULUS_Q, FR_BYTES, G1_BYTES, G2_BYTES, SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from algebra.types import G1, G2

_G1_INFINITY = bytes(G1_BYTES)
_G2_INFINITY = bytes(G2_BYTES)
_ZERO_POINT = "{group} point (0, 0) is not on the {curve} (infinity is encoded only as None)"


def fr_to_bytes(value: int) -> bytes:
    """Encode a canonical Fr element as 32 little-endian bytes; reject values outside [0, r)."""
    if not 0 <= value < SCALAR_FIELD_R:
        raise MalformedInputError(f"scalar {value} is not in [0, r)")
    return value.to_bytes(FR_BYTES, "little")


def fr_vector_to_bytes(values: Iterable[int]) -> bytes:
    """Encode canonical Fr elements as one contiguous n × 32-byte buffer."""
    out = bytearray()
    for index, value in enumerate(values):
        if not 0 <= value < SCALAR_FIELD_R:
            raise MalformedInputError(f"scalar #{index} = {value} is not in [0, r)")
        out += value.to_bytes(FR_BYTES, "little")
    return bytes(out)


_R_TOP_BYTE = SCALAR_FIELD_R >> (8 * FR_BYTES - 8)
_AT_LEAST_R_TOP = bytes(int(b >= _R_TOP_BYTE) for b in range(256))


def first_non_canonical_fr(buffer: bytes) -> int | None:
    """Return the index of the first 32-byte little-endian word ≥ r in ``buffer``, or None.

    Only words whose top byte reaches r's top byte (0x30) can be ≥ r; those are found
    with C-speed byte operations and only they are compared as integers.
    """
    flags = buffer[FR_BYTES - 1 :: FR_BYTES].translate(_AT_LEAST_R_TOP)
    index = flags.find(1)
    while index >= 0:
        word = buffer[FR_BYTES * index : FR_BYTES * (index + 1)]
        if int.from_bytes(word, "little") >= SCALAR_FIELD_R:
            return index
        index = flags.find(1, index + 1)
    return None


def fr_vector_from_bytes(buffer: bytes) -> list[int]:
    """Decode an n × 32-byte buffer into Fr elements; reject a ragged length or values ≥ r."""
    if len(buffer) % FR_BYTES:
        raise MalformedInputError(f"Fr buffer length {len(buffer)} is not a multiple of 32")
    values = [
        int.from_bytes(buffer[i : i + FR_BYTES], "little") for i in range(0, len(buffer), FR_BYTES)
    ]
    for index, value in enumerate(values):
        if value >= SCALAR_FIELD_R:
            raise MalformedInputError(f"scalar #{index} is not in [0, r)")
    return values


def _fq_bytes(value: int, what: str) -> bytes:
    if not 0 <= value < FIELD_MODULUS_Q:
        raise MalformedInputError(f"{what} coordinate is not in [0, q)")
    return value.to_bytes(32, "little")


def g1_to_bytes(point: G1) -> bytes:
    """Encode a G1 point as 64 bytes (x ‖ y, little-endian); infinity (``None``) as zeros.

    No curve check, except that (0, 0) — off the curve, and whose bytes are infinity's — is
    refused.

    Raises:
        MalformedInputError: a coordinate outside ``[0, q)``, or the point (0, 0).
    """
    if point is None:
        return _G1_INFINITY
    encoded = _fq_bytes(point[0], "G1 x") + _fq_bytes(point[1], "G1 y")
    if encoded == _G1_INFINITY:
        raise MalformedInputError(_ZERO_POINT.format(group="G1", curve="curve"))
    return encoded


def g2_to_bytes(point: G2) -> bytes:
    """Encode a G2 point as 128 bytes (x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1); infinity (``None``) as zeros.

    No curve check, except that (0, 0) — off the twist, and whose bytes are infinity's — is
    refused.

    Raises:
        MalformedInputError: a coordinate outside ``[0, q)``, or the point (0, 0).
    """
    if point is None:
        return _G2_INFINITY
    (x0, x1), (y0, y1) = point
    encoded = (
        _fq_bytes(x0, "G2 x.c0")
        + _fq_bytes(x1, "G2 x.c1")
        + _fq_bytes(y0, "G2 y.c0")
        + _fq_bytes(y1, "G2 y.c1")
    )
    if encoded == _G2_INFINITY:
        raise MalformedInputError(_ZERO_POINT.format(group="G2", curve="twist"))
    return encoded


def _words(buffer: bytes, count: int) -> list[int]:
    return [int.from_bytes(buffer[32 * i : 32 * i + 32], "little") for i in range(count)]


def g1_from_bytes(buffer: bytes) -> G1:
    """Decode 64 bytes into a G1 point (zeros → infinity).

    Coordinates are not range- or curve-checked.
    """
    if len(buffer) != G1_BYTES:
        raise MalformedInputError(f"G1 encoding has {len(buffer)} bytes, expected 64")
    if buffer == _G1_INFINITY:
        return None
    x, y = _words(buffer, 2)
    return (x, y)


def g2_from_bytes(buffer: bytes) -> G2:
    """Decode 128 bytes into a G2 point (zeros → infinity).

    Coordinates are not range- or curve-checked.
    """
    if len(buffer) != G2_BYTES:
        raise MalformedInputError(f"G2 encoding has {len(buffer)} bytes, expected 128")
    if buffer == _G2_INFINITY:
        return None
    x0, x1, y0, y1 = _words(buffer, 4)
    return ((x0, x1), (y0, y1))


def g1_vector_to_bytes(points: Sequence[G1]) -> bytes:
    """Encode G1 points as one contiguous n × 64-byte buffer."""
    return b"".join(g1_to_bytes(p) for p in points)


def g2_vector_to_bytes(points: Sequence[G2]) -> bytes:
    """Encode G2 points as one contiguous n × 128-byte buffer."""
    return b"".join(g2_to_bytes(p) for p in points)


def g1_vector_from_bytes(buffer: bytes) -> list[G1]:
    """Decode an n × 64-byte buffer into G1 points."""
    if len(buffer) % G1_BYTES:
        raise MalformedInputError(f"G1 buffer length {len(buffer)} is not a multiple of 64")
    return [g1_from_bytes(buffer[i : i + G1_BYTES]) for i in range(0, len(buffer), G1_BYTES)]


def g2_vector_from_bytes(buffer: bytes) -> list[G2]:
    """Decode an n × 128-byte buffer into G2 points."""
    if len(buffer) % G2_BYTES:
        raise MalformedInputError(f"G2 buffer length {len(buffer)} is not a multiple of 128")
    return [g2_from_bytes(buffer[i : i + G2_BYTES]) for i in range(0, len(buffer), G2_BYTES)]
