"""Binary Poseidon Merkle paths: plain root, in-circuit verification, soundness and cost."""

from __future__ import annotations

import random

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from algebra.errors import MalformedInputError
from circuits.frontend import API, Circuit, Variable, compile, public, secret
from circuits.std.merkle import assert_merkle_path, merkle_root, verify_merkle_path
from circuits.std.poseidon import poseidon
from circuits.testing import check_circuit, tamper_witness, unsatisfied_label

LEVEL_COST = 242


class Membership(Circuit):
    root: Variable = public()
    leaf: Variable = secret()
    siblings: list[Variable] = secret(length="depth")
    bits: list[Variable] = secret(length="depth")

    def define(self, api: API) -> None:
        assert_merkle_path(api, self.root, self.leaf, self.siblings, self.bits)


def _path(depth: int, seed: int) -> tuple[int, list[int], list[int]]:
    rng = random.Random(seed)
    return (
        rng.randrange(R),
        [rng.randrange(R) for _ in range(depth)],
        [rng.randrange(2) for _ in range(depth)],
    )


def test_merkle_root_hashes_left_and_right_children_by_bit() -> None:
    assert merkle_root(7, [], []) == 7
    assert merkle_root(7, [9], [0]) == poseidon([7, 9])
    assert merkle_root(7, [9], [1]) == poseidon([9, 7])
    assert merkle_root(7, [9, 11], [1, 0]) == poseidon([poseidon([9, 7]), 11])


def test_merkle_root_rejects_bad_paths() -> None:
    with pytest.raises(MalformedInputError, match="index bits"):
        merkle_root(1, [2, 3], [0])
    with pytest.raises(MalformedInputError, match="0 or 1"):
        merkle_root(1, [2], [2])
    with pytest.raises(MalformedInputError):
        merkle_root(1, [R], [0])


@pytest.mark.parametrize("seed", range(4))
def test_gadget_root_equals_plain_root(seed: int) -> None:
    leaf, siblings, bits = _path(4, seed)
    root = merkle_root(leaf, siblings, bits)
    flipped = [bits[0] ^ 1, *bits[1:]]
    check_circuit(
        Membership,
        {"depth": 4},
        valid=[{"root": root, "leaf": leaf, "siblings": siblings, "bits": bits}],
        invalid=[
            {"root": root, "leaf": leaf, "siblings": siblings, "bits": flipped},
            {"root": root, "leaf": (leaf + 1) % R, "siblings": siblings, "bits": bits},
            {"root": (root + 1) % R, "leaf": leaf, "siblings": siblings, "bits": bits},
        ],
    )


def test_every_bit_pattern_of_a_depth_3_tree() -> None:
    compiled = compile(Membership, {"depth": 3})
    leaf, siblings, _ = _path(3, 99)
    for pattern in range(8):
        bits = [(pattern >> i) & 1 for i in range(3)]
        root = merkle_root(leaf, siblings, bits)
        witness = compiled.solve({"root": root, "leaf": leaf, "siblings": siblings, "bits": bits})
        assert compiled.r1cs.is_satisfied(witness)


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_cost_is_242_per_level_plus_the_root_equality(depth: int) -> None:
    assert compile(Membership, {"depth": depth}).n_constraints == LEVEL_COST * depth + 1


def test_non_boolean_bit_is_rejected_by_the_boolean_constraint() -> None:
    """A bit of 2 would 'swap' by 2·(sibling − current); the boolean row stops it."""
    compiled = compile(Membership, {"depth": 2})
    leaf, siblings, bits = _path(2, 5)
    witness = compiled.solve(
        {
            "root": merkle_root(leaf, siblings, bits),
            "leaf": leaf,
            "siblings": siblings,
            "bits": bits,
        }
    )
    bits_1_wire = 6  # wire 0 is one, 1 root, 2 leaf, 3–4 siblings, 5–6 bits
    tampered = tamper_witness(witness, bits_1_wire, 2)
    assert unsatisfied_label(compiled, tampered) == "merkle/level[1]/assert_is_boolean"


def test_tampered_swap_wire_is_rejected() -> None:
    compiled = compile(Membership, {"depth": 2})
    leaf, siblings, bits = _path(2, 6)
    witness = compiled.solve(
        {
            "root": merkle_root(leaf, siblings, bits),
            "leaf": leaf,
            "siblings": siblings,
            "bits": bits,
        }
    )
    row = compiled.r1cs.labels.index("merkle/level[0]/mul")
    (swap_wire,) = compiled.r1cs.constraints[row].c
    assert (
        unsatisfied_label(compiled, tamper_witness(witness, swap_wire, 0)) == "merkle/level[0]/mul"
    )


def test_verify_merkle_path_refuses_mismatched_lengths() -> None:
    class Mismatched(Circuit):
        leaf: Variable = secret()
        root: Variable = public()

        def define(self, api: API) -> None:
            api.assert_is_equal(verify_merkle_path(api, self.leaf, [1, 2], [0]), self.root)

    with pytest.raises(MalformedInputError, match="index bits"):
        compile(Mismatched)
