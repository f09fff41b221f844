"""Check a ``.ptau``'s H-query bases against its τ powers: the defence against a poisoned top slot.

The size-2n τG1 Lagrange basis (section 12's last block) is the inverse FFT of
``[τ^0·G1 … τ^{2n−2}·G1, X]``: ``τ^{2n−1}`` is not in a full-power file, so ``prepare
phase2`` writes X = ∞ there, and a file cut from a larger ceremony carries X = τ^{2n−1}·G1.
Both are safe, because the quotient ``A·B − C`` has degree ≤ 2n − 2. Any other X is an
attack: with ``X = (L_j(τ) + τ^{n−1})·G1`` — computable from public points — the H query
(the odd half of that basis) lets a prover add any multiple of ``L_j(τ)`` to C and so
break constraint j (issue 19). This module re-derives the whole H query from the powers
with one random linear combination, independently of the ceremony verifier's Lagrange check.
"""

from __future__ import annotations

from algebra.backend import Backend
from algebra.constants import G1_BYTES, G2_GENERATOR, SCALAR_FIELD_R
from algebra.encoding import fr_to_bytes, fr_vector_from_bytes, fr_vector_to_bytes, g2_to_bytes
from algebra.errors import FormatError
from prover.ceremony.ratio import random_weights

_G2_ONE = g2_to_bytes(G2_GENERATOR)
_INFINITY_G1 = bytes(G1_BYTES)


class PoisonedPtauError(FormatError):
    """A ``.ptau``'s phase-2 bases do not derive from its τ powers (poisoned or corrupt)."""


def top_power_is_honest(
    backend: Backend, top: bytes, tau_powers_g1: bytes, tau_g2: bytes, *, reduced: bool
) -> bool:
    """Return whether ``top`` is a value an honest ``prepare phase2`` puts in the τ^{2n−1} slot.

    ∞ is always honest; τ^{2n−1}·G1 (checked as ``e(top, G2) = e(τ^{2n−2}·G1, τ·G2)``)
    only in a ``reduced`` file (power below its ceremony's power). ``tau_powers_g1`` holds
    ``τ^0 … τ^{2n−2}`` in G1 and ``tau_g2`` is ``τ·G2`` (canonical, validated).
    """
    if top == _INFINITY_G1:
        return True
    if not reduced:
        return False
    below = tau_powers_g1[-G1_BYTES:]
    return backend.pairing_check(top + backend.g1_neg(below), _G2_ONE + tau_g2)


def h_query_matches_powers(
    backend: Backend, h_odd: bytes, tau_powers_g1: bytes, tau_g2: bytes, *, reduced: bool
) -> bool:
    """Return whether ``h_odd[i] = L^{(2n)}_{2i+1}(τ)·G1`` for the basis of ``[τ^0 … τ^{2n−2}, X]``.

    X must be honest (:func:`top_power_is_honest`). With random r, the relation
    ``Σ r_i·h_i = Σ_k s_k·τ^k·G1`` where ``s = IFFT_{2n}(r on the odd slots)`` is one MSM;
    a wrong point passes with probability ≤ 2^-127. In a reduced file the residue must be
    ∞ or ``s_{2n−1}·τ^{2n−1}·G1`` (one pairing).
    """
    n = len(h_odd) // G1_BYTES
    if len(tau_powers_g1) != (2 * n - 1) * G1_BYTES:
        raise ValueError("h_query_matches_powers needs the powers τ^0 … τ^{2n−2}")
    weights = random_weights(n)
    spread = [0] * (2 * n)
    spread[1::2] = weights
    s = fr_vector_from_bytes(backend.fr_ntt(fr_vector_to_bytes(spread), inverse=True))
    scalars = weights + [(-value) % SCALAR_FIELD_R for value in s[:-1]]
    bases = backend.g1_load_bases(h_odd + tau_powers_g1)
    residue = backend.g1_msm(bases, fr_vector_to_bytes(scalars))
    if residue == _INFINITY_G1:
        return True
    if not reduced or s[-1] == 0:
        return False
    below = backend.g1_scale(tau_powers_g1[-G1_BYTES:], fr_to_bytes(s[-1]))
    return backend.pairing_check(residue + backend.g1_neg(below), _G2_ONE + tau_g2)
