"""The epoch statement's commitment list: canonical order, chunks and the Poseidon Merkle tree.

The venue's registered commitments of an epoch are sorted ascending (a canonical order
anyone can recompute from the registry), must be distinct, non-zero field elements, and are
laid out as the leaves of a binary Poseidon Merkle tree (nodes as in
:mod:`circuits.std.merkle`) of depth ``d = max(log2 k, ⌈log2 n⌉)``, padded with 0 leaves.
Chunk ``i`` covers leaves ``[i·k, (i+1)·k)``; its public ``chunk_root`` is the tree's node at
level ``log2 k``, index ``i`` — so the chunk proofs, read in order, cover exactly the leaves
of the published root. Padding subtrees are the fixed roots of all-zero subtrees, so building
the tree costs about n Poseidon(2) hashes, not 2^d.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from circuits.std.merkle import merkle_root
from circuits.std.poseidon import poseidon


@lru_cache(maxsize=64)
def zero_node(level: int) -> int:
    """Return the root of an all-zero subtree of height ``level``."""
    return 0 if level == 0 else poseidon([zero_node(level - 1), zero_node(level - 1)])


def chunk_height(chunk_size: int) -> int:
    """Return ``log2 k``; MalformedInputError unless k is a power of two."""
    if chunk_size < 1 or chunk_size & (chunk_size - 1):
        raise MalformedInputError(f"the chunk size must be a power of two, got {chunk_size}")
    return chunk_size.bit_length() - 1


def canonical_order(commitments: Sequence[int]) -> list[int]:
    """Return the registered commitments in canonical (ascending) order.

    Raises:
        MalformedInputError: empty list, a value that is not a non-zero field element, or a
            commitment listed twice (it would be counted twice).
    """
    if not commitments:
        raise MalformedInputError("the epoch has no registered commitments")
    for index, c in enumerate(commitments):
        if isinstance(c, bool) or not isinstance(c, int) or not 0 < c < SCALAR_FIELD_R:
            raise MalformedInputError(f"commitment {index} is not a non-zero field element")
    ordered = sorted(commitments)
    for a, b in itertools.pairwise(ordered):
        if a == b:
            raise MalformedInputError(f"commitment {a} is listed twice")
    return ordered


@dataclass(frozen=True)
class EpochTree:
    """The Merkle tree of an epoch's ordered commitments; ``levels[0]`` are the leaves."""

    chunk_size: int
    levels: list[list[int]]

    @property
    def root(self) -> int:
        """The published list root."""
        return self.levels[-1][0]

    @property
    def depth(self) -> int:
        """The tree's height (length of every inclusion path)."""
        return len(self.levels) - 1

    @property
    def n_chunks(self) -> int:
        """How many chunks cover the leaves."""
        return len(self.levels[chunk_height(self.chunk_size)])

    def chunk_roots(self) -> list[int]:
        """Return every chunk's ``chunk_root`` public input, in chunk order."""
        return list(self.levels[chunk_height(self.chunk_size)])

    def chunk_leaves(self, index: int) -> list[int]:
        """Return chunk ``index``'s k commitments (0 for padding)."""
        k = self.chunk_size
        leaves = self.levels[0][index * k : (index + 1) * k]
        return leaves + [0] * (k - len(leaves))

    def inclusion_path(self, commitment: int) -> tuple[int, list[int], list[int]]:
        """Return ``(index, siblings, bits)`` of ``commitment``; MalformedInputError if absent."""
        try:
            index = self.levels[0].index(commitment)
        except ValueError:
            raise MalformedInputError("the commitment is not in the epoch's list") from None
        siblings, bits, position = [], [], index
        for level, nodes in enumerate(self.levels[:-1]):
            sibling = position ^ 1
            siblings.append(nodes[sibling] if sibling < len(nodes) else zero_node(level))
            bits.append(position & 1)
            position >>= 1
        return index, siblings, bits


def epoch_tree(ordered: Sequence[int], chunk_size: int) -> EpochTree:
    """Return the tree of ``ordered`` (canonically ordered) commitments for chunks of k."""
    height = chunk_height(chunk_size)
    depth = max(height, (len(ordered) - 1).bit_length())
    levels = [list(ordered)]
    for level in range(depth):
        nodes = levels[-1]
        if len(nodes) % 2:
            nodes = [*nodes, zero_node(level)]
        levels.append([poseidon([nodes[i], nodes[i + 1]]) for i in range(0, len(nodes), 2)])
    # Every chunk, the last included, has its node at level log2 k (padded subtrees are
    # zero-subtree roots), so chunk_roots() lines up with the chunks.
    return EpochTree(chunk_size, levels)


def chunk_root(leaves: Sequence[int]) -> int:
    """Return the Merkle root of one chunk's k leaves (k a power of two)."""
    return epoch_tree_unchecked(list(leaves)).levels[-1][0]


def epoch_tree_unchecked(leaves: list[int]) -> EpochTree:
    """Return the tree of ``leaves`` as given (zeros allowed), one chunk of all of them."""
    return epoch_tree(leaves, len(leaves))


def check_inclusion(
    root: int, commitment: int, siblings: Sequence[int], bits: Sequence[int]
) -> bool:
    """Return whether ``commitment`` with its path reaches ``root``."""
    return merkle_root(commitment, siblings, bits) == root
