"""Groth16 proving (eprint 2016/260 §3.2) with snarkjs's QAP and H-query conventions.

Steps: one backend kernel for the quotient (``A·w`` and ``B·w`` over the QAP domain by
sparse mat-vec, ``C·w := (A·w)∘(B·w)`` — equal to the real C row values whenever the
witness satisfies the R1CS, as snarkjs assumes — inverse NTT to coefficients, coset NTT
on the odd coset ``ω_{2n}·⟨ω_n⟩``, ``h_i = a_i·b_i − c_i`` there), then four MSMs over
base tables loaded once per key (L and H share one table and one MSM; the G2 MSM runs
beside the G1 ones). With fresh ``r, s`` from the caller's random source (default the OS
CSPRNG, :mod:`secrets`; arkworks likewise takes the prover's ``rng`` as an argument):

    A = α + Σ wᵢ·aᵢ + r·δ          B = β + Σ wᵢ·bᵢ + s·δ  (in G2, and in G1 as B₁)
    C = Σ_{private} wᵢ·lᵢ + Σ hᵢ·Hᵢ + s·A + r·B₁ − r·s·δ

Because C is derived from A∘B, a non-satisfying witness yields a proof that does not
verify; :func:`prove` therefore verifies its own proof (one multi-pairing, ~ms natively)
and raises :class:`~prover.errors.ProofSelfCheckError` instead of returning it.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence

from algebra.backend import Backend, get_backend
from algebra.constants import FR_BYTES, SCALAR_FIELD_R, root_of_unity
from algebra.encoding import fr_to_bytes, fr_vector_from_bytes, g1_from_bytes, g2_from_bytes
from prover.errors import ProofSelfCheckError
from prover.keys import LoadedProvingKey, PreparedProvingKey, ProvingKey, prepare_proving_key
from prover.witness import witness_to_bytes
from verifier.proof import Proof


def quotient_evaluations(backend: Backend, prepared: PreparedProvingKey, witness: bytes) -> bytes:
    """Return ``(A·B − C)(ω_{2n}^{2i+1})`` for i < n, the scalars of the H-query MSM."""
    shift = root_of_unity(2 * prepared.matrices.n_constraints)
    return backend.groth16_quotient(prepared.matrices, witness, shift)


def _blind(
    backend: Backend, prepared: PreparedProvingKey, sums: dict[str, bytes], r: int, s: int
) -> tuple[bytes, bytes, bytes]:
    """Return the encoded ``(A, B, C)`` from the MSM results and the blinding scalars."""
    g1_add, g2_add = backend.g1_add, backend.g2_add
    delta_r_s = backend.g1_scale(prepared.delta_g1 * 2, fr_to_bytes(r) + fr_to_bytes(s))
    delta2_s = backend.g2_scale(prepared.delta_g2, fr_to_bytes(s))
    a = g1_add(g1_add(prepared.alpha_g1, sums["a"]), delta_r_s[:64])
    b1 = g1_add(g1_add(prepared.beta_g1, sums["b1"]), delta_r_s[64:])
    b2 = g2_add(g2_add(prepared.beta_g2, sums["b2"]), delta2_s)
    minus_rs = (-r * s) % SCALAR_FIELD_R
    terms = backend.g1_scale(
        a + b1 + prepared.delta_g1, fr_to_bytes(s) + fr_to_bytes(r) + fr_to_bytes(minus_rs)
    )
    c = sums["l_h"]
    for index in range(3):
        c = g1_add(c, terms[64 * index : 64 * index + 64])
    return a, b2, c


def _blinding_scalars(rng: random.Random | None) -> tuple[int, int]:
    """Two uniform scalars in [0, r) from ``rng``, or from the OS CSPRNG when it is None."""
    if rng is None:
        return secrets.randbelow(SCALAR_FIELD_R), secrets.randbelow(SCALAR_FIELD_R)
    return rng.randrange(SCALAR_FIELD_R), rng.randrange(SCALAR_FIELD_R)


def _msms(
    backend: Backend, prepared: PreparedProvingKey, w: bytes, l_h_scalars: bytes
) -> dict[str, bytes]:
    """Return the four MSM sums; the G2 one runs on a second thread alongside the G1 ones.

    The kernels release the GIL and share one rayon pool, so the G2 MSM's windows fill
    the gaps the G1 MSMs leave (their sequential tails) and both cores stay busy.
    """
    import threading

    sums: dict[str, bytes] = {}
    failures: list[BaseException] = []

    def g2() -> None:
        try:
            sums["b2"] = backend.g2_msm(prepared.b_g2, w)
        except BaseException as error:  # re-raised on the calling thread below
            failures.append(error)

    worker = threading.Thread(target=g2, name="zkm-g2-msm")
    worker.start()
    try:
        sums["a"] = backend.g1_msm(prepared.a, w)
        sums["b1"] = backend.g1_msm(prepared.b_g1, w)
        sums["l_h"] = backend.g1_msm(prepared.l_h, l_h_scalars)
    finally:
        worker.join()
    if failures:
        raise failures[0]
    return sums


def prove(
    pk: ProvingKey | LoadedProvingKey,
    witness: Sequence[int] | bytes,
    *,
    backend: Backend | None = None,
    self_check: bool = True,
    rng: random.Random | None = None,
) -> tuple[Proof, list[int]]:
    """Return a Groth16 proof for ``witness`` under ``pk`` and the public inputs it proves.

    Args:
        pk: the proving key (its queries are loaded into ``backend`` once and cached), or
            a key from :func:`prover.zkey.load_zkey`, already loaded into its backend.
        witness: all ``pk.n_wires`` wire values (canonical Fr, wire 0 = 1), as ints or as
            one buffer of 32-byte little-endian words.
        backend: the algebra backend (default: :func:`algebra.backend.get_backend`, or the
            one a loaded key lives in).
        self_check: verify the proof before returning it (recommended; one multi-pairing).
        rng: source of the blinding scalars ``r, s``; default the OS CSPRNG
            (:mod:`secrets`). The proof is zero-knowledge only if they are secret and
            uniform: pass a seeded ``random.Random`` only in tests.

    Raises:
        ValueError: ``pk`` is a loaded key and ``backend`` is a different backend.
        MalformedInputError: the witness has the wrong length or a value ≥ r.
        ProofSelfCheckError: the witness does not satisfy the circuit behind ``pk``.
    """
    if isinstance(pk, LoadedProvingKey):
        prepared = pk.prepared
        chosen = prepared.backend
        if backend is not None and backend is not chosen:
            raise ValueError("a LoadedProvingKey proves only with the backend it was loaded into")
    else:
        chosen = backend if backend is not None else get_backend()
        prepared = prepare_proving_key(pk, chosen)
    w = witness_to_bytes(witness, pk.n_wires)
    h = quotient_evaluations(chosen, prepared, w)
    sums = _msms(chosen, prepared, w, w[(pk.n_public + 1) * FR_BYTES :] + h)
    r, s = _blinding_scalars(rng)
    a, b, c = _blind(chosen, prepared, sums, r, s)
    proof = Proof(a=g1_from_bytes(a), b=g2_from_bytes(b), c=g1_from_bytes(c))
    public = fr_vector_from_bytes(w[FR_BYTES : (pk.n_public + 1) * FR_BYTES])
    if self_check:
        from verifier.verify import verify

        if not verify(pk.vk, proof, public, backend=chosen):
            raise ProofSelfCheckError(
                "the witness does not satisfy the circuit of this proving key "
                "(the proof does not verify)"
            )
    return proof, public
