"""Dev setup → prove → verify on a tiny R1CS, over both backends, plus the prover's input checks."""

from __future__ import annotations

import pytest

from algebra.backend import Backend
from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from prover.errors import ProofSelfCheckError
from prover.keys import ProvingKey, prepare_proving_key
from prover.prove import prove
from tests.prover.conftest import tiny_r1cs, tiny_witness
from verifier.verify import verify


def test_tiny_witness_satisfies_tiny_r1cs() -> None:
    assert tiny_r1cs().is_satisfied(tiny_witness())


def test_dev_proof_verifies_and_binds_public_inputs(backend: Backend, dev_key: ProvingKey) -> None:
    proof, public = prove(dev_key, tiny_witness(), backend=backend, self_check=False)
    assert public == [226, 225]
    assert verify(dev_key.vk, proof, public, backend=backend)
    assert not verify(dev_key.vk, proof, [226, 224], backend=backend)


def test_proofs_are_randomised_per_call(backend: Backend, dev_key: ProvingKey) -> None:
    first, _ = prove(dev_key, tiny_witness(), backend=backend, self_check=False)
    second, _ = prove(dev_key, tiny_witness(), backend=backend, self_check=False)
    assert first.a != second.a and first.c != second.c


def test_prove_draws_its_blinding_from_the_given_rng(backend: Backend, dev_key: ProvingKey) -> None:
    """Same seeded source, same proof; another seed (or the OS CSPRNG) blinds differently."""
    import random

    witness = tiny_witness(3, 5)
    first, public = prove(dev_key, witness, backend=backend, rng=random.Random(7))
    again, _ = prove(dev_key, witness, backend=backend, rng=random.Random(7))
    other, _ = prove(dev_key, witness, backend=backend, rng=random.Random(8))
    assert first == again
    assert other != first
    assert verify(dev_key.vk, other, public, backend=backend)


def test_prove_refuses_unsatisfying_witness(backend: Backend, dev_key: ProvingKey) -> None:
    witness = tiny_witness()
    witness[5] += 1  # z ≠ x·y
    assert not tiny_r1cs().is_satisfied(witness)
    with pytest.raises(ProofSelfCheckError):
        prove(dev_key, witness, backend=backend)


def test_prove_accepts_witness_as_bytes(backend: Backend, dev_key: ProvingKey) -> None:
    buffer = b"".join(v.to_bytes(32, "little") for v in tiny_witness(7, 11))
    proof, public = prove(dev_key, buffer, backend=backend, self_check=False)
    assert public == [77 * 77 + 1, 77 * 77]
    assert verify(dev_key.vk, proof, public, backend=backend)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda w: w[:-1], "5 values"),
        (lambda w: [2, *w[1:]], "wire 0"),
        (lambda w: [*w[:3], SCALAR_FIELD_R, *w[4:]], "#3 "),
    ],
)
def test_prove_rejects_malformed_witness(
    backend: Backend, dev_key: ProvingKey, mutate: object, message: str
) -> None:
    assert callable(mutate)
    with pytest.raises(MalformedInputError, match=message):
        prove(dev_key, mutate(tiny_witness()), backend=backend)


def test_prove_rejects_non_canonical_witness_bytes(backend: Backend, dev_key: ProvingKey) -> None:
    values = tiny_witness()
    values[4] = SCALAR_FIELD_R + 1
    buffer = b"".join(v.to_bytes(32, "little") for v in values)
    with pytest.raises(MalformedInputError, match="wire 4"):
        prove(dev_key, buffer, backend=backend)


def test_key_is_loaded_into_a_backend_once(backend: Backend, dev_key: ProvingKey) -> None:
    assert prepare_proving_key(dev_key, backend) is prepare_proving_key(dev_key, backend)
