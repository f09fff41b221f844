"""Per-wire linear combinations of basis points: ``P_j = Σ_k M[k][j]·Q_k`` for sparse M.

Setup from a ceremony needs, for every wire j, the combination of the Lagrange-basis
points ``Q_k`` (one per QAP row) weighted by column j of A, B or C. All scalings run in
one backend call; the per-wire sums are then folded in storage order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from algebra.backend import Backend, CsrMatrix
from algebra.constants import G1_BYTES, G2_BYTES
from prover.qap import csr_entries


def column_combinations(
    backend: Backend,
    group: Literal["g1", "g2"],
    terms: Sequence[tuple[CsrMatrix, bytes]],
    n_cols: int,
) -> bytes:
    """Return ``n_cols`` points ``Σ_terms Σ_k M[k][j]·Q_k`` (infinity for untouched columns).

    Args:
        backend: the algebra backend.
        group: which group the bases are in.
        terms: pairs (matrix M, bases Q as one point per matrix row).
        n_cols: the number of columns (wires).
    """
    size = G1_BYTES if group == "g1" else G2_BYTES
    scale = backend.g1_scale if group == "g1" else backend.g2_scale
    add = backend.g1_add if group == "g1" else backend.g2_add
    wires, points, scalars = [], [], []
    for matrix, bases in terms:
        rows, cols, values = csr_entries(matrix)
        table = np.frombuffer(bases, dtype=np.uint8).reshape(-1, size)
        points.append(table[rows])
        wires.append(cols)
        scalars.append(values)
    all_wires = np.concatenate(wires)
    order = np.argsort(all_wires, kind="stable")
    scaled = scale(
        np.concatenate(points)[order].tobytes(),
        np.frombuffer(b"".join(scalars), dtype="V32")[order].tobytes(),
    )
    out = bytearray(n_cols * size)
    sorted_wires = all_wires[order].tolist()
    index = 0
    while index < len(sorted_wires):
        wire, acc = sorted_wires[index], scaled[index * size : (index + 1) * size]
        index += 1
        while index < len(sorted_wires) and sorted_wires[index] == wire:
            acc = add(acc, scaled[index * size : (index + 1) * size])
            index += 1
        out[wire * size : (wire + 1) * size] = acc
    return bytes(out)
