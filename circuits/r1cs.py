"""In-memory rank-1 constraint systems: ⟨A_k, w⟩·⟨B_k, w⟩ = ⟨C_k, w⟩ over Fr for every k.

Wire layout follows circom/iden3 so that ``.r1cs``/``.wtns`` files interoperate:
wire 0 is the constant 1, then ``n_public_outputs`` outputs, ``n_public_inputs``
public inputs, ``n_private_inputs`` private inputs, then internal wires.
Groth16's public statement is wires ``1 .. n_public_outputs + n_public_inputs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from algebra.backend import CsrMatrix
from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError

LinearCombination = dict[int, int]
"""Sparse row: wire index → canonical Fr coefficient (no zero coefficients)."""


@dataclass(frozen=True)
class Constraint:
    """One R1CS row ``⟨a, w⟩·⟨b, w⟩ = ⟨c, w⟩``."""

    a: LinearCombination
    b: LinearCombination
    c: LinearCombination


def evaluate(lc: LinearCombination, witness: Sequence[int]) -> int:
    """Return ``⟨lc, w⟩ mod r``."""
    return sum(coeff * witness[wire] for wire, coeff in lc.items()) % SCALAR_FIELD_R


@dataclass
class R1CS:
    """A constraint system plus the labels that name the gadget behind each row.

    Attributes:
        n_wires: total wires including the constant-one wire 0.
        n_public_outputs: circom-style public outputs (zkmargin circuits use 0).
        n_public_inputs: public inputs following the outputs.
        n_private_inputs: private inputs following the public ones.
        constraints: the rows.
        labels: one gadget path per row (``""`` when unknown, e.g. read from a file).
        wire_to_label: optional circom "wire → signal label id" map (section 3 of .r1cs).
    """

    n_wires: int
    n_public_outputs: int
    n_public_inputs: int
    n_private_inputs: int
    constraints: list[Constraint]
    labels: list[str] = field(default_factory=list)
    wire_to_label: list[int] | None = None

    @property
    def n_public(self) -> int:
        """Number of public statement values (outputs + public inputs), excluding wire 0."""
        return self.n_public_outputs + self.n_public_inputs

    @property
    def n_constraints(self) -> int:
        """Number of rows."""
        return len(self.constraints)

    def label(self, index: int) -> str:
        """Return the gadget path of row ``index`` (``""`` if unlabelled)."""
        return self.labels[index] if index < len(self.labels) else ""

    def check_witness_shape(self, witness: Sequence[int]) -> None:
        """Raise MalformedInputError unless ``witness`` has n_wires canonical values and w_0 = 1."""
        if len(witness) != self.n_wires:
            raise MalformedInputError(
                f"witness has {len(witness)} values, the R1CS has {self.n_wires} wires"
            )
        if witness[0] != 1:
            raise MalformedInputError("witness wire 0 must be the constant 1")
        for index, value in enumerate(witness):
            if not 0 <= value < SCALAR_FIELD_R:
                raise MalformedInputError(f"witness wire {index} is not in [0, r)")

    def which_is_unsatisfied(self, witness: Sequence[int]) -> tuple[int, str] | None:
        """Return ``(index, label)`` of the first row the witness violates, or None if all hold."""
        self.check_witness_shape(witness)
        for index, row in enumerate(self.constraints):
            lhs = evaluate(row.a, witness) * evaluate(row.b, witness) % SCALAR_FIELD_R
            if lhs != evaluate(row.c, witness):
                return index, self.label(index)
        return None

    def is_satisfied(self, witness: Sequence[int]) -> bool:
        """Return whether every row holds for ``witness``."""
        return self.which_is_unsatisfied(witness) is None

    def to_csr(self) -> tuple[CsrMatrix, CsrMatrix, CsrMatrix]:
        """Return the A, B, C matrices in CSR form for the backend's ``r1cs_matvec``."""
        return (
            _csr([row.a for row in self.constraints], self.n_wires),
            _csr([row.b for row in self.constraints], self.n_wires),
            _csr([row.c for row in self.constraints], self.n_wires),
        )


def _csr(rows: list[LinearCombination], n_cols: int) -> CsrMatrix:
    offsets = bytearray()
    cols = bytearray()
    values = bytearray()
    nnz = 0
    offsets += nnz.to_bytes(8, "little")
    for row in rows:
        for wire in sorted(row):
            cols += wire.to_bytes(4, "little")
            values += row[wire].to_bytes(32, "little")
        nnz += len(row)
        offsets += nnz.to_bytes(8, "little")
    return CsrMatrix(len(rows), n_cols, bytes(offsets), bytes(cols), bytes(values))
