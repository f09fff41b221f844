"""snarkjs's phase-2 "circuit hash": the BLAKE2b-512 digest opening a zkey's contributions.

Ceremony participants compare it before contributing, and ``snarkjs zkey verify`` recomputes
it, so a key made here from a ``.ptau`` must carry the same digest snarkjs would write.
It hashes, in ffjavascript's uncompressed encoding (each coordinate big-endian; an Fq2
coordinate as ``c1 ‖ c0``; infinity as zeros) and with big-endian u32 counts:
α₁, β₁, β₂, γ₂, δ₁, δ₂; then ``nPublic+1`` and IC; ``n−1`` and ``(τ^{i+n} − τ^i)·G1`` for
i < n−1 (the pre-δ H commitments in the monomial basis); then the L, A, B₁ and B₂ queries,
each preceded by its length.
"""

from __future__ import annotations

import hashlib

from algebra.backend import Backend
from algebra.constants import G1_BYTES, G2_BYTES
from algebra.encoding import g1_to_bytes, g2_to_bytes
from prover.keys import ProvingKey

# Inputs up to this many bytes are reversed word by word in Python (no numpy import).
_SMALL = 4096


def uncompressed(points: bytes, group: int) -> bytes:
    """Return ffjavascript's uncompressed encoding of canonical G1 (group 1) or G2 points."""
    width = 32 if group == 1 else 64
    if len(points) <= _SMALL:
        return b"".join(points[i : i + width][::-1] for i in range(0, len(points), width))
    import numpy as np  # large inputs only: commands that hash a few points skip the import

    return np.frombuffer(points, dtype=np.uint8).reshape(-1, width)[:, ::-1].tobytes()


def _count(value: int) -> bytes:
    return value.to_bytes(4, "big")


def h_differences(backend: Backend, tau_powers_g1: bytes, n: int) -> bytes:
    """Return ``(τ^{i+n} − τ^i)·G1`` for i < n−1 from the monomial powers ``τ^0 … τ^{2n−2}``."""
    out = bytearray()
    for i in range(n - 1):
        low = tau_powers_g1[i * G1_BYTES : (i + 1) * G1_BYTES]
        high = tau_powers_g1[(i + n) * G1_BYTES : (i + n + 1) * G1_BYTES]
        out += backend.g1_add(high, backend.g1_neg(low))
    return bytes(out)


def circuit_hash(pk: ProvingKey, h_commitments: bytes) -> bytes:
    """Return the 64-byte snarkjs circuit hash of an initial (pre-contribution) key ``pk``."""
    digest = hashlib.blake2b(digest_size=64)
    header_g1 = g1_to_bytes(pk.vk.alpha_g1) + g1_to_bytes(pk.beta_g1)
    digest.update(uncompressed(header_g1, 1))
    header_g2 = g2_to_bytes(pk.vk.beta_g2) + g2_to_bytes(pk.vk.gamma_g2)
    digest.update(uncompressed(header_g2, 2))
    digest.update(uncompressed(g1_to_bytes(pk.delta_g1), 1))
    digest.update(uncompressed(g2_to_bytes(pk.vk.delta_g2), 2))
    ic = b"".join(g1_to_bytes(p) for p in pk.vk.gamma_abc_g1)
    for points, group, size in (
        (ic, 1, G1_BYTES),
        (h_commitments, 1, G1_BYTES),
        (pk.l_query, 1, G1_BYTES),
        (pk.a_query, 1, G1_BYTES),
        (pk.b_g1_query, 1, G1_BYTES),
        (pk.b_g2_query, 2, G2_BYTES),
    ):
        digest.update(_count(len(points) // size))
        digest.update(uncompressed(points, group))
    return digest.digest()
