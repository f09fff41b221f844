"""Binary Poseidon Merkle trees: path verification in-circuit and the plain-Python root.

A node is ``poseidon([left, right])`` (circomlib's ``Poseidon(2)``). A path lists, from the
leaf upwards, each level's sibling ``path_elements[i]`` and a bit ``path_indices[i]``:
0 when the current node is the left child (``node = H(current, sibling)``), 1 when it is
the right child (``node = H(sibling, current)``) — the convention of circomlib-based
trees such as Tornado Cash's and Semaphore's (with Poseidon).

Cost per level: 242 constraints — one boolean check on the bit, one product
``bit·(sibling − current)`` for the swap, and ``Poseidon(2)`` (240). The same level built
from circomlib's ``Switcher`` and ``Poseidon(2)`` plus the boolean check costs 242 with
``--O2`` and 521 with circom's default ``--O1``.
"""

from __future__ import annotations

from collections.abc import Sequence

from algebra.errors import MalformedInputError
from circuits.frontend import API, Operand, Variable
from circuits.frontend.variable import as_variable
from circuits.std.poseidon_gadget import poseidon_hash
from circuits.std.poseidon_reference import check_field_elements, poseidon


def merkle_root(leaf: int, path: Sequence[int], bits: Sequence[int]) -> int:
    """Return the root reached from ``leaf`` along ``path`` (siblings) and ``bits`` (0 = left)."""
    if len(path) != len(bits):
        raise MalformedInputError(
            f"Merkle path has {len(path)} siblings but {len(bits)} index bits"
        )
    check_field_elements([leaf], "Merkle leaf")
    check_field_elements(path, "Merkle path element")
    node = leaf
    for level, (sibling, bit) in enumerate(zip(path, bits, strict=True)):
        if bit not in (0, 1) or isinstance(bit, bool):
            raise MalformedInputError(f"Merkle path bit {level} must be 0 or 1")
        node = poseidon([sibling, node] if bit else [node, sibling])
    return node


def verify_merkle_path(
    api: API,
    leaf: Operand,
    path_elements: Sequence[Operand],
    path_indices: Sequence[Operand],
) -> Variable:
    """Return the root computed from ``leaf`` and its path; asserts every index bit ∈ {0, 1}.

    242 constraints per level (fewer when bits or siblings are constants).

    Raises:
        MalformedInputError: the path has different numbers of siblings and bits.
    """
    if len(path_elements) != len(path_indices):
        raise MalformedInputError(
            f"Merkle path has {len(path_elements)} siblings but {len(path_indices)} index bits"
        )
    node = as_variable(leaf)
    with api.scope("merkle"):
        for level, (sibling, bit) in enumerate(zip(path_elements, path_indices, strict=True)):
            with api.scope(f"level[{level}]"):
                api.assert_is_boolean(bit)
                swap = api.mul(bit, api.sub(sibling, node))
                left = api.add(node, swap)
                right = api.sub(sibling, swap)
                node = poseidon_hash(api, [left, right])
    return node


def assert_merkle_path(
    api: API,
    root: Operand,
    leaf: Operand,
    path_elements: Sequence[Operand],
    path_bits: Sequence[Operand],
) -> None:
    """Assert that ``leaf`` is in the tree of ``root`` at the position ``path_bits`` names.

    :func:`verify_merkle_path` plus one linear constraint ``computed root = root``.
    """
    computed = verify_merkle_path(api, leaf, path_elements, path_bits)
    with api.scope("merkle"):
        api.assert_is_equal(computed, root)
