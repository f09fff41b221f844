"""Valid Groth16 verifying keys and proofs built from known trapdoors, with py_ecc only.

With the discrete logs of every key element known, a proof (A, B, C) = (a·G1, b·G2, c·G1)
for public inputs x verifies iff ``a·b = α·β + v·γ + c·δ`` where ``v = Σ x_i·ic_i``; so
picking a, b at random and solving for c gives a valid, independently made proof. This keeps
the on-chain tests independent of our prover (and of snarkjs) while exercising real pairings.
"""

from __future__ import annotations

import random

from py_ecc.optimized_bn128 import G1, G2, multiply, normalize

from algebra import types
from algebra.constants import SCALAR_FIELD_R
from verifier.keys import VerifyingKey
from verifier.proof import Proof

R = SCALAR_FIELD_R


def _g1(k: int) -> types.G1:
    x, y = normalize(multiply(G1, k % R))
    return (int(x), int(y))


def _g2(k: int) -> types.G2:
    x, y = normalize(multiply(G2, k % R))
    return ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))


class SyntheticGroth16:
    """A verifying key with known trapdoors (α, β, γ, δ, ic_i) that can mint valid proofs."""

    def __init__(self, n_public: int, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.alpha, self.beta, self.gamma, self.delta = (self._scalar() for _ in range(4))
        self.ic = [self._scalar() for _ in range(n_public + 1)]
        self.vk = VerifyingKey(
            alpha_g1=_g1(self.alpha),
            beta_g2=_g2(self.beta),
            gamma_g2=_g2(self.gamma),
            delta_g2=_g2(self.delta),
            gamma_abc_g1=tuple(_g1(k) for k in self.ic),
        )

    def _scalar(self) -> int:
        return self.rng.randrange(1, R)

    def random_inputs(self) -> list[int]:
        """Return random canonical public inputs for this key."""
        return [self.rng.randrange(0, R) for _ in range(len(self.ic) - 1)]

    def prove(self, public_inputs: list[int]) -> Proof:
        """Return a valid proof for ``public_inputs`` (fresh a, b each call)."""
        v = (self.ic[0] + sum(x * k for x, k in zip(public_inputs, self.ic[1:], strict=True))) % R
        a, b = self._scalar(), self._scalar()
        c = (a * b - self.alpha * self.beta - v * self.gamma) * pow(self.delta, -1, R) % R
        return Proof(a=_g1(a), b=_g2(b), c=_g1(c))
