"""The epoch list: canonical order, chunk roots inside the epoch tree, inclusion paths."""

from __future__ import annotations

import random

import pytest

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from circuits.solvency.epoch import (
    LEAF_DOMAIN,
    canonical_order,
    check_inclusion,
    chunk_root,
    epoch_tree,
    leaf_pair_hash,
    node_hash,
    zero_node,
)
from circuits.std.merkle import merkle_root
from circuits.std.poseidon import poseidon, poseidon_permutation


def _commitments(n: int, seed: int = 3) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(1, SCALAR_FIELD_R) for _ in range(n)]


def test_canonical_order_is_independent_of_registration_order() -> None:
    values = _commitments(9)
    shuffled = list(values)
    random.Random(1).shuffle(shuffled)
    assert canonical_order(values) == canonical_order(shuffled) == sorted(values)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "no registered"),
        ([5, 7, 5], "listed twice"),
        ([0, 3], "non-zero field element"),
        ([SCALAR_FIELD_R], "non-zero field element"),
    ],
)
def test_canonical_order_refuses_bad_lists(values: list[int], message: str) -> None:
    with pytest.raises(MalformedInputError, match=message):
        canonical_order(values)


@pytest.mark.parametrize(("n", "k"), [(1, 1), (1, 4), (5, 4), (8, 4), (9, 2), (13, 8)])
def test_chunk_roots_are_the_tree_nodes_of_each_padded_chunk(n: int, k: int) -> None:
    tree = epoch_tree(canonical_order(_commitments(n)), k)
    assert tree.n_chunks == -(-n // k)
    for i, root in enumerate(tree.chunk_roots()):
        assert root == chunk_root(tree.chunk_leaves(i))
    assert tree.depth == max(1, k.bit_length() - 1, (n - 1).bit_length())


def test_root_covers_every_chunk_in_order() -> None:
    values = canonical_order(_commitments(7))
    tree = epoch_tree(values, 2)
    roots = tree.chunk_roots()
    assert roots[0] == leaf_pair_hash(values[0], values[1])
    assert roots[3] == leaf_pair_hash(values[6], 0)
    top = [poseidon([roots[0], roots[1]]), poseidon([roots[2], roots[3]])]
    assert tree.root == poseidon(top)
    swapped = [poseidon([roots[1], roots[0]]), top[1]]
    assert tree.root != poseidon(swapped)


def test_leaf_pairs_and_internal_nodes_are_hashed_in_distinct_domains() -> None:
    a, b = _commitments(2)
    assert leaf_pair_hash(a, b) == poseidon_permutation([LEAF_DOMAIN, a, b])[0]
    assert leaf_pair_hash(a, b) != node_hash(a, b) == poseidon([a, b])
    assert zero_node(1) == leaf_pair_hash(0, 0) != poseidon([0, 0])
    assert zero_node(2) == node_hash(zero_node(1), zero_node(1))


def test_internal_node_presented_as_a_leaf_is_refused() -> None:
    """The second-preimage trick: a level-1 node with the path above it as a "leaf"."""
    values = canonical_order(_commitments(8))
    tree = epoch_tree(values, 2)
    _, siblings, bits = tree.inclusion_path(values[5])
    node = tree.levels[1][2]  # the parent of leaves 4 and 5
    # Without domain separation the shorter path from the node would reach the root …
    assert merkle_root(node, siblings[1:], bits[1:]) == tree.root
    # … with it, the first step is a leaf-pair hash and cannot reproduce the node above.
    assert not check_inclusion(tree.root, node, siblings[1:], bits[1:])
    level2 = tree.levels[2][1]
    assert not check_inclusion(tree.root, level2, siblings[2:], bits[2:])
    assert not check_inclusion(tree.root, tree.root, [], [])
    assert check_inclusion(tree.root, values[5], siblings, bits)


def test_padding_leaf_is_never_a_listed_commitment() -> None:
    """Padding leaves are 0, a value the canonical list refuses, so they stay distinguishable."""
    tree = epoch_tree(canonical_order(_commitments(3)), 4)
    assert tree.chunk_leaves(0)[3] == 0
    with pytest.raises(MalformedInputError, match="not in the epoch"):
        tree.inclusion_path(0)
    with pytest.raises(MalformedInputError, match="non-zero"):
        canonical_order([*_commitments(3), 0])


def test_single_account_tree_root_is_a_hash_not_the_leaf() -> None:
    (c,) = _commitments(1)
    tree = epoch_tree([c], 1)
    assert tree.chunk_roots() == [c]
    assert tree.root == leaf_pair_hash(c, 0) != c
    assert check_inclusion(tree.root, c, *tree.inclusion_path(c)[1:])


def test_inclusion_path_proves_membership_and_only_that() -> None:
    values = canonical_order(_commitments(11))
    tree = epoch_tree(values, 4)
    for c in values:
        _, siblings, bits = tree.inclusion_path(c)
        assert check_inclusion(tree.root, c, siblings, bits)
        assert not check_inclusion(tree.root, (c + 1) % SCALAR_FIELD_R, siblings, bits)
        assert not check_inclusion(tree.root, c, siblings[:-1], bits)
        assert not check_inclusion(tree.root, c, siblings, [2, *bits[1:]])
    with pytest.raises(MalformedInputError, match="not in the epoch"):
        tree.inclusion_path(values[0] + 1)
