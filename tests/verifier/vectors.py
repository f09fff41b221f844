"""Valid Groth16 verifying keys and proofs made directly from known toxic waste.

With the trapdoor ``(α, β, γ, δ)`` and IC exponents ``kⱼ`` known, a "proof" for any
inputs ``x`` is ``A = a·G1``, ``B = b·G2``, ``C = c·G1`` for random ``a, b`` and
``c = (a·b − α·β − γ·(k₀ + Σ xⱼ·kⱼ)) / δ``, which satisfies
``e(A,B) = e(α,β)·e(vk_x,γ)·e(C,δ)`` exactly. That is the simulator of the Groth16
zero-knowledge proof, and a legitimate source of verifier test vectors that needs no
circuit and no prover. Points are computed with the backend's fixed-base kernels (one
call per group), whose correctness the algebra tests establish independently.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from algebra.backend import Backend
from algebra.constants import G1_GENERATOR, G2_GENERATOR, SCALAR_FIELD_R
from algebra.encoding import (
    fr_vector_to_bytes,
    g1_to_bytes,
    g1_vector_from_bytes,
    g2_to_bytes,
    g2_vector_from_bytes,
)
from verifier.keys import VerifyingKey
from verifier.proof import Proof

R = SCALAR_FIELD_R


@dataclass(frozen=True)
class ToyKey:
    """A verifying key with its trapdoor (exponents of α, β, γ, δ and of each IC point)."""

    alpha: int
    beta: int
    gamma: int
    delta: int
    ic: tuple[int, ...]
    vk: VerifyingKey


def _nonzero(rng: random.Random) -> int:
    return rng.randrange(1, R)


def toy_key(backend: Backend, n_public: int, seed: int) -> ToyKey:
    """Return a verifying key for ``n_public`` inputs with a trapdoor drawn from ``seed``."""
    rng = random.Random(seed)
    alpha, beta, gamma, delta = (_nonzero(rng) for _ in range(4))
    ic = tuple(_nonzero(rng) for _ in range(n_public + 1))
    g1 = g1_vector_from_bytes(
        backend.g1_fixed_base(g1_to_bytes(G1_GENERATOR), fr_vector_to_bytes([alpha, *ic]))
    )
    g2 = g2_vector_from_bytes(
        backend.g2_fixed_base(g2_to_bytes(G2_GENERATOR), fr_vector_to_bytes([beta, gamma, delta]))
    )
    vk = VerifyingKey(
        alpha_g1=g1[0], beta_g2=g2[0], gamma_g2=g2[1], delta_g2=g2[2], gamma_abc_g1=g1[1:]
    )
    return ToyKey(alpha, beta, gamma, delta, ic, vk)


def toy_proofs(
    backend: Backend, key: ToyKey, inputs: Sequence[Sequence[int]], seed: int
) -> list[Proof]:
    """Return one valid proof per input vector (three kernel calls in all)."""
    rng = random.Random(seed)
    a_exps, b_exps, c_exps = [], [], []
    delta_inv = pow(key.delta, -1, R)
    for x in inputs:
        a, b = _nonzero(rng), _nonzero(rng)
        vk_x = key.ic[0] + sum(xj * kj for xj, kj in zip(x, key.ic[1:], strict=True))
        c = (a * b - key.alpha * key.beta - key.gamma * vk_x) * delta_inv % R
        a_exps.append(a)
        b_exps.append(b)
        c_exps.append(c)
    g1 = g1_vector_from_bytes(
        backend.g1_fixed_base(g1_to_bytes(G1_GENERATOR), fr_vector_to_bytes(a_exps + c_exps))
    )
    g2 = g2_vector_from_bytes(
        backend.g2_fixed_base(g2_to_bytes(G2_GENERATOR), fr_vector_to_bytes(b_exps))
    )
    n = len(inputs)
    return [Proof(a=g1[i], b=g2[i], c=g1[n + i]) for i in range(n)]


def random_inputs(n_items: int, n_public: int, seed: int) -> list[list[int]]:
    """Return ``n_items`` input vectors, including the edge values 0 and r − 1."""
    rng = random.Random(seed)
    rows = [[rng.randrange(R) for _ in range(n_public)] for _ in range(n_items)]
    if rows and n_public:
        rows[0][0] = 0
        rows[-1][-1] = R - 1
    return rows
