"""Groth16 verification (eprint 2016/260 §3.2) as one multi-pairing product check.

``e(A, B) = e(α, β)·e(vk_x, γ)·e(C, δ)`` with ``vk_x = IC₀ + Σ xᵢ·ICᵢ`` is checked as
``e(A, B)·e(α, −β)·e(vk_x, −γ)·e(C, −δ) = 1`` — four Miller loops, one final
exponentiation — using the negated G2 elements cached by
:func:`verifier.keys.prepare_verifying_key`.

Two failure channels, as in arkworks: malformed input (public input ``≥ r``, wrong count,
coordinates ``≥ q``, points off the curve, outside the subgroup or at infinity) raises
:class:`~algebra.errors.MalformedInputError` before any pairing; a well-formed proof that
does not verify returns ``False``.
"""

from __future__ import annotations

from collections.abc import Sequence

from algebra.backend import Backend, get_backend
from algebra.encoding import fr_vector_to_bytes
from verifier.checks import check_public_inputs, validate_proof
from verifier.keys import PreparedVerifyingKey, VerifyingKey, prepared
from verifier.proof import Proof


def verify(
    vk: VerifyingKey | PreparedVerifyingKey,
    proof: Proof,
    public_inputs: Sequence[int],
    *,
    backend: Backend | None = None,
) -> bool:
    """Return whether ``proof`` is a valid Groth16 proof for ``public_inputs`` under ``vk``.

    Args:
        vk: the verifying key (prepared and cached per backend on first use).
        proof: the proof; its points are validated here.
        public_inputs: exactly ``vk.n_public`` canonical Fr elements.
        backend: the algebra backend (default: :func:`algebra.backend.get_backend`).

    Raises:
        MalformedInputError: the key, the proof or the inputs are malformed.
    """
    chosen = backend if backend is not None else get_backend()
    pvk = prepared(vk, chosen)
    inputs = check_public_inputs(pvk.n_public, public_inputs)
    a, b, c = validate_proof(chosen, proof)
    vk_x = chosen.g1_msm(pvk.ic_bases, fr_vector_to_bytes([1, *inputs]))
    return chosen.pairing_check(
        a + pvk.alpha_g1_bytes + vk_x + c,
        b + pvk.neg_beta_g2_bytes + pvk.neg_gamma_g2_bytes + pvk.neg_delta_g2_bytes,
    )
