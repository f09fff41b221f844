"""Inverse FFT over curve points: the Lagrange basis ``L_i(τ)·G`` from the powers ``τ^j·G``.

``out_i = n⁻¹ Σ_j ω^{-ij} x_j`` on the size-n subgroup (ω = :func:`root_of_unity`), one
native ``g1_ntt``/``g2_ntt`` call per transform: a radix-2 FFT whose stages scale points
by twiddles (GLV + wNAF scalar multiplications run in lock step in affine coordinates with
shared inversions, in parallel), with n⁻¹ folded into the last stage.
Cost ≈ (n/2)·log n + n scalar multiplications, as in snarkjs, but without a Python
round trip per butterfly.
"""

from __future__ import annotations

from algebra.backend import Backend
from prover.ceremony.points import point_size
from prover.ceremony.progress import Progress, silent


def inverse_fft_points(
    backend: Backend, points: bytes, group: int, progress: Progress = silent, label: str = ""
) -> bytes:
    """Return the size-n inverse FFT of n canonical points (n a power of two)."""
    n = len(points) // point_size(group)
    transform = backend.g1_ntt if group == 1 else backend.g2_ntt
    out = transform(points, inverse=True)
    progress(label, n.bit_length() - 1, n.bit_length() - 1)
    return out
