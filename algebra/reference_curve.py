"""py_ecc-based BN254 curve arithmetic for the reference backend.

Points are py_ecc ``optimized_bn128`` projective triples ``(X, Y, Z)`` (infinity has
Z = 0). This module decodes and encodes them per :mod:`algebra.encoding`, checks
curve and subgroup membership, and computes multi-pairing products (EIP-197).
It checks at import that the generators in :mod:`algebra.constants` lie on their
curves and have order r, as py_ecc does for its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

from py_ecc.fields import optimized_bn128_FQ as FQ
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.fields import optimized_bn128_FQ12 as FQ12
from py_ecc.optimized_bn128.optimized_curve import add, b, b2, is_inf, multiply, neg, twist
from py_ecc.optimized_bn128.optimized_curve import is_on_curve as _is_on_curve
from py_ecc.optimized_bn128.optimized_pairing import (
    cast_point_to_fq12,
    final_exponentiate,
    miller_loop,
)

from algebra.constants import (
    FIELD_MODULUS_Q,
    G1_BYTES,
    G1_GENERATOR,
    G2_BYTES,
    G2_GENERATOR,
    SCALAR_FIELD_R,
)
from algebra.errors import MalformedInputError

P1: TypeAlias = tuple[FQ, FQ, FQ]
"""A G1 point in py_ecc projective coordinates."""
P2: TypeAlias = tuple[FQ2, FQ2, FQ2]
"""A G2 point in py_ecc projective coordinates."""

G1_ZERO: P1 = (FQ.one(), FQ.one(), FQ.zero())
G2_ZERO: P2 = (FQ2.one(), FQ2.one(), FQ2.zero())
_G2_COORDS = ("x.c0", "x.c1", "y.c0", "y.c1")


def _canonical_words(chunk: bytes, index: int, group: str, names: Sequence[str]) -> list[int]:
    words = [int.from_bytes(chunk[32 * i : 32 * i + 32], "little") for i in range(len(names))]
    for name, word in zip(names, words, strict=True):
        if word >= FIELD_MODULUS_Q:
            raise MalformedInputError(f"{group} point #{index}: {name} coordinate is not in [0, q)")
    return words


def _chunks(buffer: bytes, size: int, group: str) -> list[bytes]:
    if len(buffer) % size:
        raise MalformedInputError(
            f"{group} buffer length {len(buffer)} is not a multiple of {size}"
        )
    return [buffer[i : i + size] for i in range(0, len(buffer), size)]


def decode_g1(buffer: bytes) -> list[P1]:
    """Decode n × 64 bytes into projective points; coordinates must be < q (no curve check)."""
    points: list[P1] = []
    for index, chunk in enumerate(_chunks(buffer, G1_BYTES, "G1")):
        x, y = _canonical_words(chunk, index, "G1", ("x", "y"))
        points.append(G1_ZERO if x == y == 0 else (FQ(x), FQ(y), FQ.one()))
    return points


def decode_g2(buffer: bytes) -> list[P2]:
    """Decode n × 128 bytes into projective points; coordinates must be < q (no curve check)."""
    points: list[P2] = []
    for index, chunk in enumerate(_chunks(buffer, G2_BYTES, "G2")):
        x0, x1, y0, y1 = _canonical_words(chunk, index, "G2", _G2_COORDS)
        if x0 == x1 == y0 == y1 == 0:
            points.append(G2_ZERO)
        else:
            points.append((FQ2([x0, x1]), FQ2([y0, y1]), FQ2.one()))
    return points


def encode_g1(point: P1) -> bytes:
    """Encode a projective G1 point as 64 affine bytes (infinity → zeros)."""
    if is_inf(point):
        return bytes(G1_BYTES)
    z_inv = FQ.one() / point[2]
    x, y = point[0] * z_inv, point[1] * z_inv
    return x.n.to_bytes(32, "little") + y.n.to_bytes(32, "little")


def encode_g2(point: P2) -> bytes:
    """Encode a projective G2 point as 128 affine bytes (infinity → zeros)."""
    if is_inf(point):
        return bytes(G2_BYTES)
    z_inv = FQ2.one() / point[2]
    x, y = point[0] * z_inv, point[1] * z_inv
    words = (*x.coeffs, *y.coeffs)
    return b"".join(int(w).to_bytes(32, "little") for w in words)


def g1_on_curve(point: P1) -> bool:
    """Return whether the point satisfies y² = x³ + 3 (infinity included)."""
    return bool(_is_on_curve(point, b))


def g2_on_curve(point: P2) -> bool:
    """Return whether the point satisfies y² = x³ + 3/(9 + u) (infinity included)."""
    return bool(_is_on_curve(point, b2))


def g2_in_subgroup(point: P2) -> bool:
    """Return whether r·Q is the point at infinity (the point must be on the twist)."""
    return bool(is_inf(multiply(point, SCALAR_FIELD_R)))


def g1_sum(points: Sequence[P1]) -> P1:
    """Return the sum of the points."""
    total = G1_ZERO
    for point in points:
        total = add(total, point)
    return total


def g2_sum(points: Sequence[P2]) -> P2:
    """Return the sum of the points."""
    total = G2_ZERO
    for point in points:
        total = add(total, point)
    return total


def g1_mul(point: P1, scalar: int) -> P1:
    """Return ``scalar·P``."""
    return multiply(point, scalar)


def g2_mul(point: P2, scalar: int) -> P2:
    """Return ``scalar·Q``."""
    return multiply(point, scalar)


def g1_negate(point: P1) -> P1:
    """Return ``−P``."""
    return neg(point)


def pairing_product_is_one(pairs: Sequence[tuple[P1, P2]]) -> bool:
    """Return whether ``Π e(P_i, Q_i) = 1``: Miller loops multiplied, one final exponentiation."""
    product = FQ12.one()
    for p, q in pairs:
        if is_inf(p) or is_inf(q):
            continue
        product = product * miller_loop(twist(q), cast_point_to_fq12(p), final_exponentiate=False)
    return bool(final_exponentiate(product) == FQ12.one())


def _check_generators() -> None:
    g1: P1 = (FQ(G1_GENERATOR[0]), FQ(G1_GENERATOR[1]), FQ.one())
    (x0, x1), (y0, y1) = G2_GENERATOR
    g2: P2 = (FQ2([x0, x1]), FQ2([y0, y1]), FQ2.one())
    if not g1_on_curve(g1) or not is_inf(multiply(g1, SCALAR_FIELD_R)):
        raise ValueError("algebra.constants.G1_GENERATOR is not a point of order r on E")
    if not g2_on_curve(g2) or not g2_in_subgroup(g2):
        raise ValueError("algebra.constants.G2_GENERATOR is not a point of order r on E'")


_check_generators()
