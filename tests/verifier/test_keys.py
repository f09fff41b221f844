"""VerifyingKey encoding and fingerprint, prepared keys, Proof byte encoding."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from algebra.backend import Backend
from algebra.constants import FIELD_MODULUS_Q as Q
from algebra.constants import G1_GENERATOR, G2_GENERATOR
from algebra.encoding import g2_to_bytes
from algebra.errors import MalformedInputError
from tests.verifier.conftest import Toy
from verifier.keys import VerifyingKey, prepare_verifying_key, prepared
from verifier.proof import PROOF_BYTES, Proof

VK = VerifyingKey(G1_GENERATOR, G2_GENERATOR, G2_GENERATOR, G2_GENERATOR, [G1_GENERATOR, None])


def test_verifying_key_stores_ic_as_tuple_and_counts_inputs() -> None:
    assert VK.gamma_abc_g1 == (G1_GENERATOR, None)
    assert VK.n_public == 1
    assert hash(VK) == hash(replace(VK))


def test_verifying_key_rejects_empty_ic() -> None:
    with pytest.raises(MalformedInputError, match="empty"):
        VerifyingKey(G1_GENERATOR, G2_GENERATOR, G2_GENERATOR, G2_GENERATOR, [])


def test_fingerprint_is_sha256_of_tagged_canonical_bytes() -> None:
    encoded = VK.to_bytes()
    assert len(encoded) == 64 + 3 * 128 + 4 + 2 * 64
    assert encoded[64 + 3 * 128 : 64 + 3 * 128 + 4] == (2).to_bytes(4, "little")
    expected = hashlib.sha256(b"zkmargin/groth16/verifying-key/v1" + encoded).hexdigest()
    assert VK.fingerprint() == expected


def test_fingerprint_changes_with_any_field() -> None:
    fingerprints = {
        VK.fingerprint(),
        replace(VK, alpha_g1=(1, Q - 2)).fingerprint(),
        replace(VK, delta_g2=None).fingerprint(),
        replace(VK, gamma_abc_g1=(G1_GENERATOR,)).fingerprint(),
        replace(VK, gamma_abc_g1=(None, G1_GENERATOR)).fingerprint(),
    }
    assert len(fingerprints) == 5


def test_fingerprint_rejects_coordinate_ge_q() -> None:
    with pytest.raises(MalformedInputError):
        replace(VK, alpha_g1=(1 + Q, 2)).fingerprint()


def test_proof_bytes_round_trip() -> None:
    proof = Proof(a=G1_GENERATOR, b=G2_GENERATOR, c=None)
    encoded = proof.to_bytes()
    assert len(encoded) == PROOF_BYTES == 256
    assert encoded[64:192] == g2_to_bytes(G2_GENERATOR)
    assert Proof.from_bytes(encoded) == proof
    with pytest.raises(MalformedInputError, match="255 bytes"):
        Proof.from_bytes(encoded[:-1])


def test_prepared_key_caches_negated_g2_and_is_reused(backend: Backend, toy: Toy) -> None:
    vk = toy.key.vk
    pvk = prepared(vk, backend)
    assert prepared(vk, backend) is pvk
    assert prepared(pvk, backend) is pvk
    assert pvk.n_public == vk.n_public
    assert vk.beta_g2 is not None
    x, (y0, y1) = vk.beta_g2
    assert pvk.neg_beta_g2_bytes == g2_to_bytes((x, ((Q - y0) % Q, (Q - y1) % Q)))
    fresh = prepare_verifying_key(vk, backend)
    assert fresh.neg_delta_g2_bytes == pvk.neg_delta_g2_bytes
