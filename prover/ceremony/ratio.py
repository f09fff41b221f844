"""The "same ratio" check every ceremony verification reduces to, and random-combination folding.

``same_ratio(a, b, c, d)`` holds iff ``b = x·a`` and ``d = x·c`` for one x, i.e.
``e(a, d) = e(b, c)``; like snarkjs it is false when any point is infinity. A whole
vector relation ``P_{i+1} = x·P_i`` is folded into one such check with random 128-bit
weights (Schwartz–Zippel: a false relation passes with probability ≤ 2^-127).
"""

from __future__ import annotations

import secrets

from algebra.backend import Backend
from algebra.constants import G1_BYTES, G2_BYTES

WEIGHT_BITS = 128


def same_ratio(backend: Backend, a: bytes, b: bytes, c: bytes, d: bytes) -> bool:
    """Return whether ``e(a, d) = e(b, c)`` (a, b in G1; c, d in G2; validated; none infinity)."""
    if a == bytes(G1_BYTES) or b == bytes(G1_BYTES):
        return False
    if c == bytes(G2_BYTES) or d == bytes(G2_BYTES):
        return False
    return backend.pairing_check(a + backend.g1_neg(b), d + c)


def random_weights(count: int) -> list[int]:
    """Return ``count`` uniform 128-bit weights from the OS CSPRNG."""
    return [secrets.randbits(WEIGHT_BITS) for _ in range(count)]


def encode_scalars(values: list[int]) -> bytes:
    """Encode scalars already in [0, r) as 32-byte little-endian words."""
    return b"".join(value.to_bytes(32, "little") for value in values)


def fold_consecutive(backend: Backend, points: bytes, group: int) -> tuple[bytes, bytes]:
    """Return ``(Σ w_i·P_i, Σ w_i·P_{i+1})`` over i < n−1 for fresh random weights w."""
    size = G1_BYTES if group == 1 else G2_BYTES
    count = len(points) // size
    weights = encode_scalars(random_weights(count - 1))
    if group == 1:
        bases = backend.g1_load_bases(points)
        return (
            backend.g1_msm(bases, weights),
            backend.g1_msm(bases, bytes(32) + weights),
        )
    table = backend.g2_load_bases(points)
    return backend.g2_msm(table, weights), backend.g2_msm(table, bytes(32) + weights)


def fold_pair(backend: Backend, first: bytes, second: bytes) -> tuple[bytes, bytes]:
    """Return ``(Σ w_i·A_i, Σ w_i·B_i)`` for two equal-length G1 vectors and fresh weights."""
    weights = encode_scalars(random_weights(len(first) // G1_BYTES))
    return (
        backend.g1_msm(backend.g1_load_bases(first), weights),
        backend.g1_msm(backend.g1_load_bases(second), weights),
    )
