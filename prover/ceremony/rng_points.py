"""Field elements and curve points drawn from a :class:`ChaCha` stream exactly as ffjavascript does.

snarkjs's beacon keys and the G2 halves of proofs of knowledge are such draws, so a
verifier must reproduce them bit for bit:

- a field element takes four 64-bit draws (least significant first), masks them to the
  modulus's bit length, rejects values ≥ p, and reads the result as a *Montgomery* word,
  so the element is ``v·2^-256 mod p``;
- a point draws x (Fq2: c0 then c1), one "greatest" bit, retries until ``x³ + b`` is a
  square, and takes the root whose sign (ffjavascript's: y > (q−1)/2, for Fq2 judged on
  c1 unless it is zero) equals that bit; G2 points are then multiplied by the cofactor.
"""

from __future__ import annotations

from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.optimized_bn128.optimized_curve import b2, multiply, normalize

from algebra.constants import FIELD_MODULUS_Q, SCALAR_FIELD_R
from algebra.types import G1, G2
from prover.ceremony.chacha import ChaCha

Q = FIELD_MODULUS_Q
R = SCALAR_FIELD_R
G2_COFACTOR = 2 * Q - R
_INV_2_256_Q = pow(1 << 256, -1, Q)
_INV_2_256_R = pow(1 << 256, -1, R)
_HALF_Q = (Q - 1) // 2


def _draw(rng: ChaCha, modulus: int) -> int:
    mask = (1 << modulus.bit_length()) - 1
    while True:
        value = 0
        for index in range(4):
            value |= rng.next_u64() << (64 * index)
        value &= mask
        if value < modulus:
            return value


def fr_from_rng(rng: ChaCha) -> int:
    """Return ffjavascript's ``Fr.fromRng``: a uniform scalar in [0, r)."""
    return _draw(rng, R) * _INV_2_256_R % R


def fq_from_rng(rng: ChaCha) -> int:
    """Return ffjavascript's ``F1.fromRng`` for the base field."""
    return _draw(rng, Q) * _INV_2_256_Q % Q


def fq_is_negative(value: int) -> bool:
    """Return ffjavascript's sign of a canonical Fq element: ``value > (q−1)/2``."""
    return value > _HALF_Q


def fq2_is_negative(c0: int, c1: int) -> bool:
    """Return ffjavascript's sign of ``c0 + c1·u``: that of c1, or of c0 when c1 = 0."""
    return fq_is_negative(c1) if c1 else fq_is_negative(c0)


def _fq_sqrt(value: int) -> int | None:
    root = pow(value, (Q + 1) // 4, Q)  # q ≡ 3 (mod 4)
    return root if root * root % Q == value else None


def _fq2_sqrt(a: FQ2) -> FQ2 | None:
    """Return a square root of ``a`` in Fq[u]/(u²+1) or None (Adj–Rodríguez-Henríquez alg. 9)."""
    c0, c1 = (int(c) for c in a.coeffs)
    if (c0, c1) == (0, 0):
        return a
    if _fq_sqrt((c0 * c0 + c1 * c1) % Q) is None:
        return None
    a1 = a ** ((Q - 3) // 4)
    alpha = a1 * a1 * a
    x0 = a1 * a
    if alpha == FQ2([Q - 1, 0]):
        root = FQ2([0, 1]) * x0
    else:
        root = (alpha + FQ2.one()) ** ((Q - 1) // 2) * x0
    return root if root * root == a else None


def g1_from_rng(rng: ChaCha) -> G1:
    """Return ffjavascript's ``G1.fromRng`` (BN254 G1 has cofactor 1)."""
    while True:
        x = fq_from_rng(rng)
        greatest = rng.next_bool()
        y = _fq_sqrt((x * x * x + 3) % Q)
        if y is not None:
            break
    if greatest != fq_is_negative(y):
        y = (Q - y) % Q
    return (x, y)


def g2_from_rng(rng: ChaCha) -> G2:
    """Return ffjavascript's ``G2.fromRng``: a twist point times the G2 cofactor."""
    while True:
        x = FQ2([fq_from_rng(rng), fq_from_rng(rng)])
        greatest = rng.next_bool()
        y = _fq2_sqrt(x * x * x + b2)
        if y is not None:
            break
    y0, y1 = (int(c) for c in y.coeffs)
    if greatest != fq2_is_negative(y0, y1):
        y = -y
    point = multiply((x, y, FQ2.one()), G2_COFACTOR)
    if point[2] == FQ2.zero():
        return None
    ax, ay = normalize(point)
    return ((int(ax.coeffs[0]), int(ax.coeffs[1])), (int(ay.coeffs[0]), int(ay.coeffs[1])))


def hash_to_g2(digest: bytes) -> G2:
    """Return snarkjs's ``hashToG2``: the G2 draw of a ChaCha stream seeded with ``digest``."""
    return g2_from_rng(ChaCha.from_digest(digest))
