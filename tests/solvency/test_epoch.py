"""The epoch list: canonical order, chunk roots inside the epoch tree, inclusion paths."""

from __future__ import annotations

import random

import pytest

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from circuits.solvency.epoch import (
    canonical_order,
    check_inclusion,
    chunk_root,
    epoch_tree,
    zero_node,
)
from circuits.std.poseidon import poseidon


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
    assert tree.depth == max(k.bit_length() - 1, (n - 1).bit_length())


def test_root_covers_every_chunk_in_order() -> None:
    tree = epoch_tree(canonical_order(_commitments(7)), 2)
    roots = tree.chunk_roots()
    top = [poseidon([roots[0], roots[1]]), poseidon([roots[2], roots[3]])]
    assert tree.root == poseidon(top)
    swapped = [poseidon([roots[1], roots[0]]), top[1]]
    assert tree.root != poseidon(swapped)
    assert zero_node(1) == poseidon([0, 0])


def test_inclusion_path_proves_membership_and_only_that() -> None:
    values = canonical_order(_commitments(11))
    tree = epoch_tree(values, 4)
    for c in values:
        _, siblings, bits = tree.inclusion_path(c)
        assert check_inclusion(tree.root, c, siblings, bits)
        assert not check_inclusion(tree.root, (c + 1) % SCALAR_FIELD_R, siblings, bits)
    with pytest.raises(MalformedInputError, match="not in the epoch"):
        tree.inclusion_path(values[0] + 1)
