"""``fixed_wire_sums`` and ``prove(fixed=…)``: the MSM terms of repeated wires, computed once.

The split must give the very proof the whole MSMs give (same ``r, s``), on both backends,
and wrong or malformed stored terms must never yield a returned proof that does not verify.
"""

from __future__ import annotations

import random

import pytest

from algebra.backend import Backend
from algebra.constants import G1_BYTES, G2_BYTES
from algebra.errors import MalformedInputError
from prover.errors import ProofSelfCheckError
from prover.keys import ProvingKey
from prover.prove import FixedWireSums, fixed_wire_sums, prove
from tests.prover.conftest import tiny_witness
from verifier.verify import verify

PRIVATE_WIRES = (3, 4, 5)  # x, y, z of tiny_r1cs (wires 1, 2 are public, 0 is the one)


@pytest.mark.parametrize("wires", [(3,), (5,), (3, 5), PRIVATE_WIRES, ()])
def test_fixed_terms_give_the_same_proof(
    backend: Backend, dev_key: ProvingKey, wires: tuple[int, ...]
) -> None:
    witness = tiny_witness(3, 5)
    whole, public = prove(dev_key, witness, backend=backend, rng=random.Random(11))
    sums = fixed_wire_sums(dev_key, witness, list(wires), backend=backend)
    split, split_public = prove(
        dev_key, witness, backend=backend, rng=random.Random(11), fixed=(list(wires), sums)
    )
    assert split == whole and split_public == public
    assert verify(dev_key.vk, split, public, backend=backend)


def test_terms_of_other_values_fail_the_self_check(backend: Backend, dev_key: ProvingKey) -> None:
    """Terms computed at other values of the fixed wires are caught, never returned."""
    sums = fixed_wire_sums(dev_key, tiny_witness(3, 5), [3, 4], backend=backend)
    with pytest.raises(ProofSelfCheckError):
        prove(dev_key, tiny_witness(2, 7), backend=backend, fixed=([3, 4], sums))


def test_swapped_terms_fail_the_self_check(backend: Backend, dev_key: ProvingKey) -> None:
    witness = tiny_witness(3, 5)
    sums = fixed_wire_sums(dev_key, witness, [5], backend=backend)
    swapped = FixedWireSums(sums.l_g1, sums.b_g1, sums.b_g2, sums.a_g1)
    assert swapped != sums
    with pytest.raises(ProofSelfCheckError):
        prove(dev_key, witness, backend=backend, fixed=([5], swapped))


@pytest.mark.parametrize("wires", [[0], [1], [2], [6], [3, -1]])
def test_only_private_wires_can_be_fixed(
    backend: Backend, dev_key: ProvingKey, wires: list[int]
) -> None:
    """Public wires are not in the L query, so their terms cannot be split off."""
    with pytest.raises(ValueError, match="private"):
        fixed_wire_sums(dev_key, tiny_witness(), wires, backend=backend)
    sums = fixed_wire_sums(dev_key, tiny_witness(), [3], backend=backend)
    with pytest.raises(ValueError, match="private"):
        prove(dev_key, tiny_witness(), backend=backend, fixed=(wires, sums))


def test_sums_round_trip_and_refuse_other_lengths(backend: Backend, dev_key: ProvingKey) -> None:
    sums = fixed_wire_sums(dev_key, tiny_witness(), PRIVATE_WIRES, backend=backend)
    data = sums.to_bytes()
    assert len(data) == 3 * G1_BYTES + G2_BYTES
    assert FixedWireSums.from_bytes(data) == sums
    for bad in (data[:-1], data + b"\0", b""):
        with pytest.raises(MalformedInputError):
            FixedWireSums.from_bytes(bad)


def test_undecodable_terms_are_a_typed_error(backend: Backend, dev_key: ProvingKey) -> None:
    sums = fixed_wire_sums(dev_key, tiny_witness(), [3], backend=backend)
    garbage = FixedWireSums(b"\xff" * G1_BYTES, sums.b_g1, sums.b_g2, sums.l_g1)
    with pytest.raises(MalformedInputError):
        prove(dev_key, tiny_witness(), backend=backend, fixed=([3], garbage))
