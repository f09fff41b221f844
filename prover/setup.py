"""Groth16 key generation (eprint 2016/260 §3.2) in snarkjs's QAP convention.

- :func:`setup_dev` — single party: the toxic waste (τ, α, β, γ, δ) is drawn from the OS
  CSPRNG inside this process and dropped when it returns. Whoever controls the process
  could forge proofs, so the key is labelled UNSAFE wherever it is displayed and stored.
- :func:`setup_from_ptau` — phase 2 from a snarkjs phase-2-prepared ``.ptau``: the same
  key ``snarkjs groth16 setup`` produces (γ = δ = 1 until phase-2 contributions), ready
  for ``snarkjs zkey contribute`` / ``beacon`` and for proving in either tool.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import replace

from algebra.backend import Backend, CsrMatrix, get_backend
from algebra.constants import G1_GENERATOR, G2_GENERATOR, SCALAR_FIELD_R
from algebra.encoding import (
    fr_vector_to_bytes,
    g1_from_bytes,
    g1_to_bytes,
    g1_vector_from_bytes,
    g2_from_bytes,
    g2_to_bytes,
)
from circuits.r1cs import R1CS
from prover.circuit_hash import circuit_hash, h_differences
from prover.keys import ProvingKey
from prover.lagrange import domain_lagrange, odd_lagrange_2n
from prover.lincomb import column_combinations
from prover.ptau import read_phase2_bases
from prover.ptau_check import PoisonedPtauError, h_query_matches_powers
from prover.qap import csr_entries, qap_matrices
from verifier.keys import VerifyingKey
from verifier.provenance import KeyProvenance

R = SCALAR_FIELD_R


def _column_evaluations(matrix: CsrMatrix, lagrange: list[int]) -> list[int]:
    """Return ``Σ_k M[k][j]·L_k(τ)`` for every column j."""
    rows, cols, values = csr_entries(matrix)
    out = [0] * matrix.n_cols
    for row, col, offset in zip(
        rows.tolist(), cols.tolist(), range(0, len(values), 32), strict=True
    ):
        out[col] += int.from_bytes(values[offset : offset + 32], "little") * lagrange[row]
    return [value % R for value in out]


def _nonzero_scalar() -> int:
    return secrets.randbelow(R - 1) + 1


def _draw_tau(n: int) -> int:
    """Return τ outside the 2n-domain (so every Lagrange denominator is invertible)."""
    while True:
        tau = _nonzero_scalar()
        if pow(tau, 2 * n, R) != 1:
            return tau


def setup_dev(r1cs: R1CS, *, backend: Backend | None = None) -> ProvingKey:
    """Return an UNSAFE single-party Groth16 proving key for ``r1cs``.

    The toxic waste comes from :mod:`secrets` and is discarded on return; the key carries
    provenance ``dev``. Use only for development and tests.

    Raises:
        MalformedInputError: the circuit is too large (domain > 2^27) or malformed.
    """
    chosen = backend if backend is not None else get_backend()
    a, b, c = qap_matrices(r1cs)
    n, n_public = a.n_rows, r1cs.n_public
    tau = _draw_tau(n)
    alpha, beta, gamma, delta = (_nonzero_scalar() for _ in range(4))
    lagrange = domain_lagrange(tau, n)
    u, v, w = (_column_evaluations(m, lagrange) for m in (a, b, c))
    gamma_inv, delta_inv = pow(gamma, R - 2, R), pow(delta, R - 2, R)
    abc = [(beta * ui + alpha * vi + wi) % R for ui, vi, wi in zip(u, v, w, strict=True)]
    h = [value * delta_inv % R for value in odd_lagrange_2n(tau, n)]
    g1, g2 = g1_to_bytes(G1_GENERATOR), g2_to_bytes(G2_GENERATOR)

    def g1_points(scalars: list[int]) -> bytes:
        return chosen.g1_fixed_base(g1, fr_vector_to_bytes(scalars))

    small = g1_points([alpha, beta, delta])
    g2_small = chosen.g2_fixed_base(g2, fr_vector_to_bytes([beta, gamma, delta]))
    vk = VerifyingKey(
        alpha_g1=g1_from_bytes(small[:64]),
        beta_g2=g2_from_bytes(g2_small[:128]),
        gamma_g2=g2_from_bytes(g2_small[128:256]),
        delta_g2=g2_from_bytes(g2_small[256:]),
        gamma_abc_g1=tuple(
            g1_vector_from_bytes(g1_points([x * gamma_inv % R for x in abc[: n_public + 1]]))
        ),
    )
    return ProvingKey(
        vk=vk,
        beta_g1=g1_from_bytes(small[64:128]),
        delta_g1=g1_from_bytes(small[128:]),
        n_wires=r1cs.n_wires,
        domain_size=n,
        a_query=g1_points(u),
        b_g1_query=g1_points(v),
        b_g2_query=chosen.g2_fixed_base(g2, fr_vector_to_bytes(v)),
        h_query=g1_points(h),
        l_query=g1_points([x * delta_inv % R for x in abc[n_public + 1 :]]),
        a_matrix=a,
        b_matrix=b,
        provenance=KeyProvenance.DEV,
    )


def setup_from_ptau(
    r1cs: R1CS, ptau_path: str | os.PathLike[str], *, backend: Backend | None = None
) -> ProvingKey:
    """Return the initial phase-2 key for ``r1cs`` from a phase-2-prepared ``.ptau``.

    Matches ``snarkjs groth16 setup``: γ = δ = generator, ``a_query``/``b_*_query`` are the
    columns of A and B over ``L_k(τ)``, IC and L the columns of ``βA + αB + C``, and
    ``h_query`` the odd half of the 2n-domain basis. Its verifying key is only as safe
    as the ceremony; add phase-2 contributions before production use. Every H-query
    point is re-derived from the τ powers first (:func:`prover.ptau_check.h_query_matches_powers`),
    so a poisoned section 12 never reaches a key even if the ``.ptau`` was not verified.

    Raises:
        PoisonedPtauError: the H-query bases do not match the τ powers (a FormatError).
        FormatError: the ``.ptau`` is malformed or not prepared for phase 2.
        MalformedInputError: the ceremony is too small for the circuit.
    """
    chosen = backend if backend is not None else get_backend()
    a, b, c = qap_matrices(r1cs)
    n, n_public, wires = a.n_rows, r1cs.n_public, r1cs.n_wires
    bases = read_phase2_bases(ptau_path, n, chosen)
    if not h_query_matches_powers(
        chosen, bases.h_odd, bases.tau_powers_g1, bases.tau_one_g2, reduced=bases.reduced
    ):
        raise PoisonedPtauError(
            f"{ptau_path}: the H-query bases (section 12, size {2 * n}) are not the Lagrange "
            "basis of its τ powers — the file is poisoned or corrupt; a key made from it "
            "would let anyone prove false statements"
        )
    abc = column_combinations(
        chosen, "g1", [(a, bases.beta_tau_g1), (b, bases.alpha_tau_g1), (c, bases.tau_g1)], wires
    )
    split = (n_public + 1) * 64
    g1, g2 = g1_from_bytes(g1_to_bytes(G1_GENERATOR)), g2_from_bytes(g2_to_bytes(G2_GENERATOR))
    vk = VerifyingKey(
        alpha_g1=g1_from_bytes(bases.alpha_g1),
        beta_g2=g2_from_bytes(bases.beta_g2),
        gamma_g2=g2,
        delta_g2=g2,
        gamma_abc_g1=tuple(g1_vector_from_bytes(abc[:split])),
    )
    pk = ProvingKey(
        vk=vk,
        beta_g1=g1_from_bytes(bases.beta_g1),
        delta_g1=g1,
        n_wires=wires,
        domain_size=n,
        a_query=column_combinations(chosen, "g1", [(a, bases.tau_g1)], wires),
        b_g1_query=column_combinations(chosen, "g1", [(b, bases.tau_g1)], wires),
        b_g2_query=column_combinations(chosen, "g2", [(b, bases.tau_g2)], wires),
        h_query=bases.h_odd,
        l_query=abc[split:],
        a_matrix=a,
        b_matrix=b,
        provenance=KeyProvenance.UNCONTRIBUTED,
    )
    digest = circuit_hash(pk, h_differences(chosen, bases.tau_powers_g1, n))
    return replace(pk, contributions=digest + bytes(4), _prepared={})
