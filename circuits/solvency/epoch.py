"""The epoch statement's commitment list: canonical order, chunks and the Poseidon Merkle tree.

The venue's registered commitments of an epoch are sorted ascending (a canonical order
anyone can recompute from the registry), must be distinct, non-zero field elements, and are
laid out as the leaves of a binary Poseidon Merkle tree of depth
``d = max(1, log2 k, ⌈log2 n⌉)``, padded with 0 leaves. Chunk ``i`` covers leaves
``[i·k, (i+1)·k)``; its public ``chunk_root`` is the tree's node at level ``log2 k``, index
``i`` — so the chunk proofs, read in order, cover exactly the leaves of the published root.
Padding subtrees are the fixed roots of all-zero subtrees, so building the tree costs about
n Poseidon hashes, not 2^d.

**Domain separation (leaves vs internal nodes).** The step that hashes two *leaves* is a
different function from the step that hashes two *internal nodes*:

* level 1 (a pair of leaves): ``leaf_pair_hash(l, r) = Poseidon-π([LEAF_DOMAIN, l, r])[0]``,
  the width-3 Poseidon permutation started with the capacity ``LEAF_DOMAIN`` instead of 0
  (circomlib's ``PoseidonEx(2, 1)`` with ``initialState = LEAF_DOMAIN``);
* levels ≥ 2: ``node_hash(l, r) = Poseidon([l, r])``, circomlib's ``Poseidon(2)`` (capacity 0).

Setting the capacity is the domain separation the Poseidon paper prescribes (Grassi et al.,
eprint 2019/458, §4.2): two hashes that start from different capacities are independent
functions, so a value produced at one level can equal a value produced at another level only
through a cross-domain collision of the permutation. Hence every accepted path starts with a
leaf-domain step: an internal node presented as a leaf (with the path above it, so the path
is shorter — the second-preimage trick of unseparated trees) is refused, because its first
step is hashed in the leaf domain and cannot reproduce the node-domain value above it; and
a tree of another depth over the same root would need the same cross-domain collision.

The capacity is a constant, so its S-box folds exactly as circomlib's 0 does: the chunk
circuit's Merkle levels cost **0 extra constraints** (240 per node either way). The
alternatives cost more: hashing each leaf first, ``Poseidon([C])`` (+213 per slot) or
``Poseidon([TAG, C])`` (+237 per slot), or a width-4 leaf-pair hash ``Poseidon([TAG, l, r])``
(+18 per pair). Leaves need no hash of their own: a real leaf is a commitment ``C =
Poseidon(salt, PoseidonSponge(state))`` that the chunk circuit opens, never a tree node.

**Padding.** A padding leaf is 0 and is distinguishable from every real leaf: the list
refuses a 0 commitment, a real ``C`` is a Poseidon output (0 only for a preimage of 0), and
in the chunk circuit ``C = 0`` is exactly what marks a slot empty, which forces its state to
zero (it adds nothing to any total and 0 to the count).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from circuits.std.poseidon import permute, poseidon
from circuits.std.poseidon_reference import check_field_elements

LEAF_DOMAIN = int.from_bytes(b"zkmargin/solvency/list-leaves", "big")
"""Capacity of the leaf-pair hash (a 232-bit tag, far from circomlib's 0)."""
LIST_TREE_VERSION = 2
"""Version of the list-root construction (1: no domain separation; 2: leaf-pair domain)."""


def leaf_pair_hash(left: int, right: int) -> int:
    """Return the level-1 node over two leaves: ``Poseidon-π([LEAF_DOMAIN, left, right])[0]``."""
    return permute([LEAF_DOMAIN, left, right])[0]


def node_hash(left: int, right: int) -> int:
    """Return an internal node over two internal nodes: circomlib's ``Poseidon(2)``."""
    return poseidon([left, right])


def tree_hash(level: int, left: int, right: int) -> int:
    """Return the parent of two children at ``level`` (0: leaves, hashed in the leaf domain)."""
    return leaf_pair_hash(left, right) if level == 0 else node_hash(left, right)


@lru_cache(maxsize=64)
def zero_node(level: int) -> int:
    """Return the root of an all-zero (padding) subtree of height ``level``."""
    if level == 0:
        return 0
    child = zero_node(level - 1)
    return tree_hash(level - 1, child, child)


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


def tree_depth(n_leaves: int, chunk_size: int) -> int:
    """Return the depth of the tree of ``n_leaves`` commitments in chunks of k (≥ 1: the root
    is always a hash, never a bare leaf, so no inclusion path is empty)."""
    return max(1, chunk_height(chunk_size), (n_leaves - 1).bit_length())


def epoch_tree(ordered: Sequence[int], chunk_size: int) -> EpochTree:
    """Return the tree of ``ordered`` (canonically ordered) commitments for chunks of k."""
    depth = tree_depth(len(ordered), chunk_size)
    levels = [list(ordered)]
    for level in range(depth):
        nodes = levels[-1]
        if len(nodes) % 2:
            nodes = [*nodes, zero_node(level)]
        levels.append([tree_hash(level, nodes[i], nodes[i + 1]) for i in range(0, len(nodes), 2)])
    # Every chunk, the last included, has its node at level log2 k (padded subtrees are
    # zero-subtree roots), so chunk_roots() lines up with the chunks.
    return EpochTree(chunk_size, levels)


def chunk_root(leaves: Sequence[int]) -> int:
    """Return the Merkle root of one chunk's k leaves (k a power of two; k = 1: the leaf)."""
    return epoch_tree_unchecked(list(leaves)).chunk_roots()[0]


def epoch_tree_unchecked(leaves: list[int]) -> EpochTree:
    """Return the tree of ``leaves`` as given (zeros allowed), one chunk of all of them."""
    return epoch_tree(leaves, len(leaves))


def check_inclusion(
    root: int, commitment: int, siblings: Sequence[int], bits: Sequence[int]
) -> bool:
    """Return whether leaf ``commitment`` with its path reaches ``root``.

    The first step is hashed in the leaf domain, so an internal node given as the leaf (with
    the shorter path above it) does not reach the root. A malformed path (unequal lengths, a
    bit other than 0/1, a value outside ``[0, r)``) is False, not an error: it proves nothing.
    ``commitment = 0`` is False too: 0 is the padding leaf, never a listed commitment, and a
    padding slot's path reaches the root.
    """
    if not siblings or len(siblings) != len(bits) or any(b not in (0, 1) for b in bits):
        return False
    if commitment == 0:
        return False
    try:
        check_field_elements([root, commitment, *siblings], "inclusion value")
    except MalformedInputError:
        return False
    node = commitment
    for level, (sibling, bit) in enumerate(zip(siblings, bits, strict=True)):
        left, right = (sibling, node) if bit else (node, sibling)
        node = tree_hash(level, left, right)
    return node == root
