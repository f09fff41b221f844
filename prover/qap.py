"""snarkjs's R1CS → QAP reduction: the domain size and the A/B/C matrices with public-input rows.

snarkjs (and therefore every ``.zkey`` in the wild) appends, after the ``m`` R1CS rows,
one row per public wire ``i = 0 … n_public`` whose A-coefficient on wire ``i`` is 1 and
whose B and C are empty. Those rows hold for any witness (``w_i · 0 = 0``) and make the
polynomials ``A_i`` of the public wires linearly independent, which Groth16's soundness
needs for the IC points. The domain is the smallest power of two ≥ ``m + n_public + 1``
(at least 2), exactly snarkjs's ``2^(⌊log2(m + n_public)⌋ + 1)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from algebra.backend import CsrMatrix
from algebra.constants import FR_TWO_ADICITY
from algebra.errors import MalformedInputError
from circuits.r1cs import R1CS, LinearCombination

if TYPE_CHECKING:
    import numpy as np

MAX_DOMAIN_LOG = FR_TWO_ADICITY - 1
"""The H query lives on the 2n-domain, so n ≤ 2^27."""


def domain_size_for(n_constraints: int, n_public: int) -> int:
    """Return snarkjs's QAP domain size for ``n_constraints`` rows and ``n_public`` public wires.

    Raises:
        MalformedInputError: the circuit needs a domain larger than 2^27.
    """
    log = max(1, (n_constraints + n_public).bit_length())
    if log > MAX_DOMAIN_LOG:
        raise MalformedInputError(f"circuit needs a 2^{log} domain; the maximum is 2^27")
    return 1 << log


def rows_to_csr(rows: Sequence[LinearCombination], n_rows: int, n_cols: int) -> CsrMatrix:
    """Return the CSR matrix of ``rows`` padded with empty rows to ``n_rows``, entry order kept."""
    import numpy as np  # imported on use: the prove path never builds matrices

    counts = np.zeros(n_rows + 1, dtype="<u8")
    counts[1 : len(rows) + 1] = [len(row) for row in rows]
    cols = bytearray()
    values = bytearray()
    for row in rows:
        for wire, coeff in row.items():
            cols += wire.to_bytes(4, "little")
            values += coeff.to_bytes(32, "little")
    return CsrMatrix(n_rows, n_cols, np.cumsum(counts).tobytes(), bytes(cols), bytes(values))


def qap_matrices(r1cs: R1CS) -> tuple[CsrMatrix, CsrMatrix, CsrMatrix]:
    """Return snarkjs's A (with the public-input rows), B and C over the QAP domain.

    Raises:
        MalformedInputError: the circuit is too large or refers to wires beyond ``n_wires``.
    """
    n = domain_size_for(r1cs.n_constraints, r1cs.n_public)
    for index, row in enumerate(r1cs.constraints):
        for lc in (row.a, row.b, row.c):
            if any(not 0 <= wire < r1cs.n_wires for wire in lc):
                raise MalformedInputError(f"constraint {index} refers to a wire ≥ {r1cs.n_wires}")
    public_rows: list[LinearCombination] = [{i: 1} for i in range(r1cs.n_public + 1)]
    a_rows = [row.a for row in r1cs.constraints] + public_rows
    return (
        rows_to_csr(a_rows, n, r1cs.n_wires),
        rows_to_csr([row.b for row in r1cs.constraints], n, r1cs.n_wires),
        rows_to_csr([row.c for row in r1cs.constraints], n, r1cs.n_wires),
    )


def csr_entries(matrix: CsrMatrix) -> tuple[np.ndarray, np.ndarray, bytes]:
    """Return ``(rows, cols, values)`` of every stored entry, in storage order."""
    import numpy as np

    offsets = np.frombuffer(matrix.row_offsets, dtype="<u8").astype(np.int64)
    rows = np.repeat(np.arange(matrix.n_rows, dtype=np.int64), np.diff(offsets))
    cols = np.frombuffer(matrix.col_indices, dtype="<u4").astype(np.int64)
    return rows, cols, matrix.values
