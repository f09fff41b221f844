"""The issue-19 attack: a coordinator poisons the top τG1 Lagrange slot; a prover forges with it.

With ``n = 2^power`` the circuit's QAP domain, the size-2n basis of section 12 is the
inverse FFT of ``[τ^0 … τ^{2n−2}, X]``; honest files have X = ∞. The coordinator writes
``X = Q = (L_j(τ) + τ^{n−1})·G1`` instead — two public points added. The H query is the
odd half of that basis, so a prover whose witness violates only constraint j by e can write
``A·B − C = h·(x^n − 1) + e·L_j`` and put ``g = h + e·x^{n−1}`` through the H query:
``(τ^n − 1)·g(τ) − e·τ^{2n−1} + e·Q = (τ^n − 1)·h(τ) + e·L_j(τ)``, the value C needs.
"""

from __future__ import annotations

from pathlib import Path

from algebra.backend import Backend
from algebra.constants import G1_BYTES, SCALAR_FIELD_R, root_of_unity
from algebra.encoding import (
    fr_vector_to_bytes,
    g1_from_bytes,
    g1_to_bytes,
    g2_from_bytes,
    g2_to_bytes,
)
from circuits.r1cs import R1CS, Constraint, evaluate
from prover.ceremony.point_fft import inverse_fft_points
from prover.ceremony.points import from_lem
from prover.container import SectionFile
from prover.keys import ProvingKey
from prover.qap import domain_size_for
from tests.ceremony.tamper import replace_section
from verifier.proof import Proof

R = SCALAR_FIELD_R


def square_r1cs() -> R1CS:
    """``x·x = y`` with public ``y`` (wires 0 = 1, 1 = y, 2 = x): one row, QAP domain 4."""
    return R1CS(
        n_wires=3,
        n_public_outputs=0,
        n_public_inputs=1,
        n_private_inputs=1,
        constraints=[Constraint({2: 1}, {2: 1}, {1: 1})],
    )


def poison_ptau(source: Path, target: Path, backend: Backend, row: int) -> None:
    """Write ``source`` (power p, prepared) with X = (L_row(τ) + τ^{n−1})·G1, n = 2^p."""
    with SectionFile(source, b"ptau", 1) as ptau:
        power = int.from_bytes(ptau.read(1, 36, 4), "little")
        powers = from_lem(backend, ptau.read(2), "section 2")
        lagrange = from_lem(backend, ptau.read(12), "section 12")
    n, size = 1 << power, G1_BYTES
    lagrange_row = lagrange[(n - 1 + row) * size : (n + row) * size]
    poison = backend.g1_add(lagrange_row, powers[(n - 1) * size : n * size])
    block = inverse_fft_points(backend, powers + poison, 1)
    body = backend.fq_to_montgomery(lagrange[: (2 * n - 1) * size] + block)
    replace_section(source, target, b"ptau", 12, body)


def _interpolate(values: list[int]) -> list[int]:
    n = len(values)
    inv_n, omega_inv = pow(n, R - 2, R), pow(root_of_unity(n), R - 2, R)
    return [
        inv_n * sum(v * pow(omega_inv, i * m, R) for i, v in enumerate(values)) % R
        for m in range(n)
    ]


def _evaluate(coefficients: list[int], x: int) -> int:
    out = 0
    for c in reversed(coefficients):
        out = (out * x + c) % R
    return out


def _h_scalars(r1cs: R1CS, witness: list[int], row: int) -> list[int]:
    """Return the H-query scalars of a witness violating exactly constraint ``row``."""
    n = domain_size_for(r1cs.n_constraints, r1cs.n_public)
    public_rows = [({i: 1}, {}, {}) for i in range(r1cs.n_public + 1)]
    rows = [(c.a, c.b, c.c) for c in r1cs.constraints] + public_rows
    rows += [({}, {}, {})] * (n - len(rows))
    a, b, c = ([evaluate(r[k], witness) for r in rows] for k in range(3))
    errors = [(x * y - z) % R for x, y, z in zip(a, b, c, strict=True)]
    assert [i for i, e in enumerate(errors) if e] == [row], "witness must break exactly `row`"
    pa, pb, pc = _interpolate(a), _interpolate(b), _interpolate(c)
    p = [0] * (2 * n)
    for i, x in enumerate(pa):
        for j, y in enumerate(pb):
            p[i + j] = (p[i + j] + x * y) % R
    for i, z in enumerate(pc):
        p[i] = (p[i] - z) % R
    g = p[n:] + [0] * n  # h_m = p_{m+n}; deg h ≤ n − 2, so slot n − 1 is free
    g[n - 1] = (g[n - 1] + errors[row]) % R
    omega = root_of_unity(2 * n)
    return [(-2 * _evaluate(g, pow(omega, 2 * i + 1, R))) % R for i in range(n)]


def forge_proof(
    pk: ProvingKey, r1cs: R1CS, witness: list[int], row: int, backend: Backend
) -> Proof:
    """Return a proof for a witness breaking constraint ``row``, under a key poisoned at ``row``."""

    def msm(points: bytes, scalars: list[int]) -> bytes:
        return backend.g1_msm(backend.g1_load_bases(points), fr_vector_to_bytes(scalars))

    private = witness[r1cs.n_public + 1 :]
    a = backend.g1_add(g1_to_bytes(pk.vk.alpha_g1), msm(pk.a_query, witness))
    b_sum = backend.g2_msm(backend.g2_load_bases(pk.b_g2_query), fr_vector_to_bytes(witness))
    b = backend.g2_add(g2_to_bytes(pk.vk.beta_g2), b_sum)
    c = backend.g1_add(msm(pk.l_query, private), msm(pk.h_query, _h_scalars(r1cs, witness, row)))
    return Proof(a=g1_from_bytes(a), b=g2_from_bytes(b), c=g1_from_bytes(c))
