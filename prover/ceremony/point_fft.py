"""Inverse FFT over curve points: the Lagrange basis ``L_i(τ)·G`` from the powers ``τ^j·G``.

``out_i = n⁻¹ Σ_j ω^{-ij} x_j`` on the size-n subgroup (ω = :func:`root_of_unity`),
computed as an iterative radix-2 decimation-in-time transform: each of the log n stages
multiplies the odd half of its butterflies by their twiddles in one native
``g1_scale``/``g2_scale`` call (twiddle 1 is skipped), negates them with vectorised
limb arithmetic, and adds; a final ``scale`` applies n⁻¹. Cost ≈ (n/2)(log n − 2) + n
scalar multiplications, as in snarkjs, but on arkworks kernels over both cores.
"""

from __future__ import annotations

import numpy as np

from algebra.backend import Backend
from algebra.constants import FIELD_MODULUS_Q, SCALAR_FIELD_R, root_of_unity
from prover.ceremony.points import point_size
from prover.ceremony.progress import Progress, silent

R = SCALAR_FIELD_R
_Q_LIMBS = np.array([(FIELD_MODULUS_Q >> (64 * i)) & (2**64 - 1) for i in range(4)], np.uint64)


def _negate_words(words: np.ndarray) -> np.ndarray:
    """Return ``q − w`` for rows of 4 little-endian u64 limbs (zero rows stay zero)."""
    out = np.empty_like(words)
    borrow = np.zeros(len(words), dtype=np.uint64)
    for limb in range(4):
        value = words[:, limb]
        out[:, limb] = _Q_LIMBS[limb] - value - borrow
        borrow = ((value > _Q_LIMBS[limb]) | ((value == _Q_LIMBS[limb]) & (borrow > 0))).astype(
            np.uint64
        ) | ((value + borrow) < value).astype(np.uint64)
    out[~words.any(axis=1)] = 0
    return out


def negate_points(points: bytes, group: int) -> bytes:
    """Return ``−P`` for every canonical point (y ↦ q − y per Fq word; infinity stays)."""
    size = point_size(group)
    rows = np.frombuffer(points, dtype=np.uint8).reshape(-1, size).copy()
    limbs = rows.view("<u8").reshape(len(rows), size // 8)
    half = size // 16  # limbs per coordinate pair half: G1 4 (y), G2 8 (y.c0, y.c1)
    infinity = ~limbs.any(axis=1)
    for start in range(half, 2 * half, 4):
        word = limbs[:, start : start + 4]
        limbs[:, start : start + 4] = np.where(
            np.asarray(word.any(axis=1)).reshape(-1, 1), _negate_words(word), 0
        )
    limbs[infinity] = 0
    return limbs.view(np.uint8).tobytes()


def _bit_reverse(n: int) -> list[int]:
    bits = n.bit_length() - 1
    return [int(f"{i:0{bits}b}"[::-1], 2) if bits else 0 for i in range(n)]


def _twiddles(n: int) -> list[bytes]:
    """Return ``ω_n^{-k}`` for k < n/2 as 32-byte words."""
    inverse = pow(root_of_unity(n), R - 2, R) if n > 1 else 1
    out, value = [], 1
    for _ in range(max(n // 2, 1)):
        out.append(value.to_bytes(32, "little"))
        value = value * inverse % R
    return out


def _stage(backend: Backend, x: list[bytes], half: int, table: list[bytes], group: int) -> None:
    n, size = len(x), point_size(group)
    scale = backend.g1_scale if group == 1 else backend.g2_scale
    add = backend.g1_add if group == 1 else backend.g2_add
    step = n // (2 * half)
    pairs = [(k + j, k + j + half, j) for k in range(0, n, 2 * half) for j in range(half)]
    moving = [(lo, hi, j) for lo, hi, j in pairs if j]
    if moving:
        scaled = scale(
            b"".join(x[hi] for _, hi, _ in moving), b"".join(table[j * step] for _, _, j in moving)
        )
        for index, (_, hi, _) in enumerate(moving):
            x[hi] = scaled[index * size : (index + 1) * size]
    negated = negate_points(b"".join(x[hi] for _, hi, _ in pairs), group)
    for index, (lo, hi, _) in enumerate(pairs):
        a, b = x[lo], x[hi]
        x[lo] = add(a, b)
        x[hi] = add(a, negated[index * size : (index + 1) * size])


def inverse_fft_points(
    backend: Backend, points: bytes, group: int, progress: Progress = silent, label: str = ""
) -> bytes:
    """Return the size-n inverse FFT of n canonical points (n a power of two)."""
    size = point_size(group)
    n = len(points) // size
    order = _bit_reverse(n)
    x = [points[order[i] * size : (order[i] + 1) * size] for i in range(n)]
    table = _twiddles(n)
    half = 1
    while half < n:
        _stage(backend, x, half, table, group)
        half *= 2
        progress(label, half.bit_length() - 1, n.bit_length() - 1)
    if n == 1:
        return points
    scale = backend.g1_scale if group == 1 else backend.g2_scale
    n_inv = pow(n, R - 2, R).to_bytes(32, "little")
    return scale(b"".join(x), n_inv * n)
