"""Verify a phase-2 ``.zkey`` against its circuit and ``.ptau`` (``snarkjs zkey verify``'s checks).

1. Rebuild the initial key with :func:`prover.setup.setup_from_ptau`; the circuit hash,
   α, β, γ, the IC, coefficient, A and B sections must equal it.
2. Replay the transcript: each record's hash, its proof of knowledge
   ``e(s, s'·x) = e(s·x, s')`` and ``δ_after = x·δ_before`` (beacons: key re-derived).
3. The final δ₁ is the last ``δ_after`` and δ₂ matches it; L and H equal the initial
   ones divided by δ (random folding, one pairing each).
4. Unlike snarkjs: the ptau's H-query bases are re-derived from its τ powers (a poisoned
   section 12 is refused, issue 19), and a key with no phase-2 contribution (δ = G2) is
   invalid — anyone can forge under it.
"""

from __future__ import annotations

import os

import numpy as np

from algebra.backend import Backend, CsrMatrix
from algebra.encoding import g1_to_bytes, g2_to_bytes
from circuits.formats.r1cs_file import read_r1cs
from prover.ceremony.keys import beacon_rng
from prover.ceremony.params import beacon_problem
from prover.ceremony.phase1 import G1_ONE, G2_ONE
from prover.ceremony.phase2 import delta_key, transcript_prefix
from prover.ceremony.points import uncompressed, validate
from prover.ceremony.progress import Progress, silent
from prover.ceremony.ratio import fold_pair, same_ratio
from prover.ceremony.rng_points import hash_to_g2
from prover.ceremony.verdict import Verdict
from prover.ceremony.verify_layout import check_ptau_layout, check_zkey_layout
from prover.ceremony.zkey_file import MpcParams, read_mpc_params
from prover.container import SectionFile
from prover.keys import ProvingKey
from prover.ptau_check import PoisonedPtauError
from prover.qap import csr_entries
from prover.setup import setup_from_ptau
from prover.zkey import read_zkey
from verifier.provenance import KeyProvenance


def check_transcript(backend: Backend, params: MpcParams, verdict: Verdict) -> bytes:
    """Record whether every contribution is well formed and chained; return the final δ₁."""
    delta = G1_ONE
    for index, record in enumerate(params.contributions):
        label = f"contribution #{index + 1}"
        validate(backend, record.delta_after + record.g1_s + record.g1_sx, 1, label)
        validate(backend, record.g2_spx, 2, label)
        prefix = MpcParams(params.circuit_hash, params.contributions[:index])
        hasher = transcript_prefix(prefix)
        hasher.update(uncompressed(record.g1_s + record.g1_sx, 1))
        verdict.check(hasher.digest() == record.transcript, f"{label}: inconsistent transcript")
        g2_sp = g2_to_bytes(hash_to_g2(record.transcript))
        verdict.check(
            same_ratio(backend, record.g1_s, record.g1_sx, g2_sp, record.g2_spx),
            f"{label}: invalid proof of knowledge",
        )
        verdict.check(
            same_ratio(backend, delta, record.delta_after, g2_sp, record.g2_spx),
            f"{label}: delta does not follow its public key",
        )
        problem = None if record.beacon is None else beacon_problem(record.beacon)
        verdict.check(problem is None, f"{label}: {problem}")
        if record.beacon is not None and problem is None:
            _, g1_s, g1_sx, _, _ = delta_key(prefix, beacon_rng(record.beacon), backend)
            verdict.check(
                (g1_s, g1_sx) == (record.g1_s, record.g1_sx),
                f"{label}: the key was not derived from its beacon",
            )
        delta = record.delta_after
    return delta


def _entries(matrix: CsrMatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows, cols, values = csr_entries(matrix)
    order = np.lexsort((cols, rows))
    grid = np.frombuffer(values, dtype=np.uint8).reshape(-1, 32)
    return rows[order], cols[order], grid[order]


def same_matrix(a: CsrMatrix, b: CsrMatrix) -> bool:
    """Return whether two CSR matrices hold the same entries (storage order aside)."""
    if (a.n_rows, a.n_cols) != (b.n_rows, b.n_cols):
        return False
    left, right = _entries(a), _entries(b)
    return all(
        x.shape == y.shape and bool(np.array_equal(x, y)) for x, y in zip(left, right, strict=True)
    )


def _compare_fixed(init: ProvingKey, final: ProvingKey, verdict: Verdict) -> None:
    shape = (init.n_wires, init.n_public, init.domain_size)
    if not verdict.check(
        shape == (final.n_wires, final.n_public, final.domain_size), "different circuit shape"
    ):
        return
    for what, left, right in (
        ("alpha1", init.vk.alpha_g1, final.vk.alpha_g1),
        ("beta1", init.beta_g1, final.beta_g1),
        ("beta2", init.vk.beta_g2, final.vk.beta_g2),
        ("gamma2", init.vk.gamma_g2, final.vk.gamma_g2),
        ("IC", init.vk.gamma_abc_g1, final.vk.gamma_abc_g1),
        ("A section", init.a_query, final.a_query),
        ("B1 section", init.b_g1_query, final.b_g1_query),
        ("B2 section", init.b_g2_query, final.b_g2_query),
    ):
        verdict.check(left == right, f"{what} differs from the circuit's initial key")
    verdict.check(
        same_matrix(init.a_matrix, final.a_matrix) and same_matrix(init.b_matrix, final.b_matrix),
        "coefficient section differs from the circuit's",
    )


def _compare_delta(
    backend: Backend, init: ProvingKey, final: ProvingKey, delta: bytes, verdict: Verdict
) -> None:
    delta_g1, delta_g2 = g1_to_bytes(final.delta_g1), g2_to_bytes(final.vk.delta_g2)
    verdict.check(delta_g1 == delta, "delta1 is not the transcript's last delta")
    verdict.check(same_ratio(backend, G1_ONE, delta_g1, G2_ONE, delta_g2), "delta2 ≠ delta1")
    for what, left, right in (
        ("L", init.l_query, final.l_query),
        ("H", init.h_query, final.h_query),
    ):
        if not left:
            continue
        r_init, r_final = fold_pair(backend, left, right)
        verdict.check(
            same_ratio(backend, r_final, r_init, G2_ONE, delta_g2),
            f"{what} section is not the initial one divided by delta",
        )


def verify_zkey(
    r1cs_path: str | os.PathLike[str],
    ptau_path: str | os.PathLike[str],
    zkey_path: str | os.PathLike[str],
    *,
    backend: Backend,
    progress: Progress = silent,
) -> Verdict:
    """Return the verdict on a phase-2 ``.zkey`` for the circuit and ceremony given.

    Raises:
        FormatError: a file is malformed (trailing bytes and unknown sections included);
        MalformedInputError: the ptau is too small.
    """
    verdict = Verdict()
    with SectionFile(zkey_path, b"zkey", 2) as zkey:
        check_zkey_layout(zkey)
        params = read_mpc_params(zkey, backend)
    with SectionFile(ptau_path, b"ptau", 1) as ptau:
        check_ptau_layout(ptau)
    delta = check_transcript(backend, params, verdict)
    progress("transcript", 1, 3)
    try:
        init = setup_from_ptau(read_r1cs(r1cs_path), ptau_path, backend=backend)
    except PoisonedPtauError as error:
        verdict.check(False, str(error))
        return verdict
    progress("initial key", 2, 3)
    final = read_zkey(zkey_path, backend=backend)
    verdict.check(params.circuit_hash == init.contributions[:64], "the circuit hash differs")
    _compare_fixed(init, final, verdict)
    if verdict.ok:
        _compare_delta(backend, init, final, delta, verdict)
    progress("delta", 3, 3)
    _check_contributed(params, final, verdict)
    return verdict


def _check_contributed(params: MpcParams, final: ProvingKey, verdict: Verdict) -> None:
    """Record a failure unless phase 2 moved δ away from G2 (with γ = δ = G2 anyone can forge)."""
    forgeable = (
        f"the key is {KeyProvenance.UNCONTRIBUTED.value}: γ = δ = G2, so anyone can forge a "
        "proof of any statement (A = α, B = β, C = −vk_x); add a phase-2 contribution "
        "(`zkm zkey contribute`) and a beacon"
    )
    if not verdict.check(bool(params.contributions), f"no phase-2 contribution: {forgeable}"):
        return
    verdict.check(g2_to_bytes(final.vk.delta_g2) != G2_ONE, f"δ is still G2: {forgeable}")
