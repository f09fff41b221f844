"""The ``reference`` backend: py_ecc curve arithmetic and plain-integer Fr, written plainly.

It is the independent cross-check for the native arkworks kernels (see
:mod:`algebra.backend` for the contract of each method): MSMs are plain sums of
scalar multiplications, the NTT is a textbook radix-2 recursion, the G2 subgroup
check is ``r·Q = O``. Slow (milliseconds per scalar multiplication), so use small
inputs. Every scalar must be canonical (< r) and every coordinate < q, else
:class:`~algebra.errors.MalformedInputError` naming the offending index.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from algebra import reference_curve as curve
from algebra import reference_fr as fr
from algebra.backend import CsrMatrix, G1Bases, G2Bases, R1csMatrices
from algebra.constants import FIELD_MODULUS_Q, SCALAR_FIELD_R, root_of_unity
from algebra.encoding import fr_vector_from_bytes, fr_vector_to_bytes
from algebra.errors import MalformedInputError


def _csr_from_rows(rows: list[list[tuple[int, int]]], n_cols: int) -> CsrMatrix:
    """Return the CSR matrix whose row i holds the ``(column, value)`` pairs ``rows[i]``."""
    offsets, cols, values = [0], bytearray(), bytearray()
    for entries in rows:
        for col, value in entries:
            cols += col.to_bytes(4, "little")
            values += value.to_bytes(32, "little")
        offsets.append(offsets[-1] + len(entries))
    packed_offsets = b"".join(o.to_bytes(8, "little") for o in offsets)
    return CsrMatrix(len(rows), n_cols, packed_offsets, bytes(cols), bytes(values))


@dataclass(frozen=True)
class ReferenceG1Bases:
    """A decoded G1 base table."""

    points: list[curve.P1]

    def __len__(self) -> int:
        return len(self.points)


@dataclass(frozen=True)
class ReferenceG2Bases:
    """A decoded G2 base table."""

    points: list[curve.P2]

    def __len__(self) -> int:
        return len(self.points)


@dataclass(frozen=True)
class ReferenceR1csMatrices:
    """The decoded A, B and C matrices of one R1CS."""

    a: fr.SparseRows
    b: fr.SparseRows
    c: fr.SparseRows

    @property
    def n_constraints(self) -> int:
        """Number of rows."""
        return len(self.a.rows)

    @property
    def n_wires(self) -> int:
        """Number of witness columns."""
        return self.a.n_cols


def _one(buffer: bytes, size: int, what: str) -> bytes:
    if len(buffer) != size:
        raise MalformedInputError(f"{what} has {len(buffer)} bytes, expected {size}")
    return buffer


_Handle = TypeVar("_Handle")


def _own(handle: Any, kind: type[_Handle]) -> _Handle:
    """Return ``handle`` if this backend made it; handles do not cross backends."""
    if not isinstance(handle, kind):
        raise MalformedInputError(f"expected a {kind.__name__} handle, got {type(handle).__name__}")
    return handle


_Point = TypeVar("_Point")


def _point_ntt(
    points: list[_Point],
    omega: int,
    mul: Callable[[_Point, int], _Point],
    total: Callable[[list[_Point]], _Point],
) -> list[_Point]:
    """Return ``[Σ_j ω^{ij}·P_j]_i`` by the split ``X_k = E_{k mod n/2} + ω^k·O_{k mod n/2}``.

    E and O are the transforms of the even- and odd-indexed points (with ω²).
    """
    n = len(points)
    if n == 1:
        return list(points)
    omega_sq = omega * omega % SCALAR_FIELD_R
    even = _point_ntt(points[0::2], omega_sq, mul, total)
    odd = _point_ntt(points[1::2], omega_sq, mul, total)
    half = n // 2
    return [
        total([even[k % half], mul(odd[k % half], pow(omega, k, SCALAR_FIELD_R))]) for k in range(n)
    ]


def _ntt_root(n: int, inverse: bool) -> int:
    """Return ω_n (inverse: ω_n⁻¹) for a point transform of n points."""
    try:
        omega = root_of_unity(n)
    except ValueError as error:
        raise MalformedInputError(f"NTT size {n} is not a power of two in [1, 2^28]") from error
    return pow(omega, -1, SCALAR_FIELD_R) if inverse else omega


def _same_count(n_points: int, n_scalars: int, what: str) -> None:
    if n_points != n_scalars:
        raise MalformedInputError(f"{what}: {n_points} points but {n_scalars} scalars")


class ReferenceBackend:
    """BN254 kernels on py_ecc and Python ints; same bytes out as the native backend."""

    name = "reference"

    # --- Fr vectors -----------------------------------------------------------
    def fr_ntt(self, values: bytes, *, inverse: bool = False) -> bytes:
        """Return the size-n NTT (or inverse NTT) of n canonical Fr elements."""
        return fr_vector_to_bytes(fr.ntt(fr_vector_from_bytes(values), inverse=inverse))

    def fr_coset_ntt(self, values: bytes, shift: int, *, inverse: bool = False) -> bytes:
        """Return evaluations at ``shift·ω^i`` (inverse: interpolate); shift in [1, r)."""
        coeffs = fr_vector_from_bytes(values)
        return fr_vector_to_bytes(fr.coset_ntt(coeffs, shift, inverse=inverse))

    def fr_mul_sub(self, a: bytes, b: bytes, c: bytes) -> bytes:
        """Return ``a_i·b_i − c_i`` element-wise."""
        va, vb, vc = (fr_vector_from_bytes(x) for x in (a, b, c))
        if not len(va) == len(vb) == len(vc):
            raise MalformedInputError(
                f"fr_mul_sub: vector lengths {len(va)}, {len(vb)}, {len(vc)} differ"
            )
        out = [(x * y - z) % SCALAR_FIELD_R for x, y, z in zip(va, vb, vc, strict=True)]
        return fr_vector_to_bytes(out)

    # --- R1CS -----------------------------------------------------------------
    def r1cs_load(self, a: CsrMatrix, b: CsrMatrix, c: CsrMatrix) -> ReferenceR1csMatrices:
        """Decode and check the three matrices (same shape, canonical coefficients)."""
        if not (a.n_rows, a.n_cols) == (b.n_rows, b.n_cols) == (c.n_rows, c.n_cols):
            raise MalformedInputError("r1cs_load: A, B and C have different shapes")
        return ReferenceR1csMatrices(
            fr.decode_csr(a, "A"), fr.decode_csr(b, "B"), fr.decode_csr(c, "C")
        )

    def r1cs_load_zkey(
        self, n_rows: int, n_cols: int, coefficients: bytes
    ) -> ReferenceR1csMatrices:
        """Parse a zkey coefficient section entry by entry, then load it as CSR matrices."""
        if len(coefficients) < 4:
            raise MalformedInputError("coefficient section is truncated")
        count = int.from_bytes(coefficients[:4], "little")
        if len(coefficients) != 4 + 44 * count:
            raise MalformedInputError("coefficient section size does not match its count")
        rows: list[list[list[tuple[int, int]]]] = [[[] for _ in range(n_rows)] for _ in range(2)]
        r_inv = pow(2**256, -1, SCALAR_FIELD_R)
        for index, (m, row, col, word) in enumerate(
            struct.iter_unpack("<III32s", coefficients[4:])
        ):
            if m > 1 or row >= n_rows or col >= n_cols:
                raise MalformedInputError(
                    f"coefficient #{index} names a matrix, row or signal out of range"
                )
            stored = int.from_bytes(word, "little")
            if stored >= SCALAR_FIELD_R:
                raise MalformedInputError(f"coefficient #{index}: value word is not below r")
            rows[m][row].append((col, stored * r_inv * r_inv % SCALAR_FIELD_R))
        a, b = (_csr_from_rows(side, n_cols) for side in rows)
        return self.r1cs_load(a, b, _csr_from_rows([[] for _ in range(n_rows)], n_cols))

    def r1cs_matvec(self, matrices: R1csMatrices, witness: bytes) -> tuple[bytes, bytes, bytes]:
        """Return ``(A·w, B·w, C·w)``; the witness must have exactly n_wires values."""
        matrices = _own(matrices, ReferenceR1csMatrices)
        w = fr_vector_from_bytes(witness)
        if len(w) != matrices.n_wires:
            raise MalformedInputError(
                f"witness has {len(w)} values, the matrices have {matrices.n_wires} columns"
            )
        return (
            fr_vector_to_bytes(fr.matvec(matrices.a, w)),
            fr_vector_to_bytes(fr.matvec(matrices.b, w)),
            fr_vector_to_bytes(fr.matvec(matrices.c, w)),
        )

    # --- G1 / G2 arithmetic ---------------------------------------------------

    def groth16_quotient(self, matrices: R1csMatrices, witness: bytes, shift: int) -> bytes:
        """Return the quotient evaluations on the coset, composed from the vector kernels."""
        a, b, _ = self.r1cs_matvec(matrices, witness)
        c = self.fr_mul_sub(a, b, bytes(len(a)))
        a, b, c = (self.fr_coset_ntt(self.fr_ntt(x, inverse=True), shift) for x in (a, b, c))
        return self.fr_mul_sub(a, b, c)

    def g1_load_bases(self, points: bytes) -> ReferenceG1Bases:
        """Decode n G1 points (coordinates < q; no curve check)."""
        return ReferenceG1Bases(curve.decode_g1(points))

    def g2_load_bases(self, points: bytes) -> ReferenceG2Bases:
        """Decode n G2 points (coordinates < q; no curve check)."""
        return ReferenceG2Bases(curve.decode_g2(points))

    def g1_load_bases_montgomery(self, words: bytes) -> ReferenceG1Bases:
        """Convert zkey Montgomery words, check the points on the curve, and decode them."""
        points = self.fq_from_montgomery(words)
        self.g1_validate(points)
        return self.g1_load_bases(points)

    def g2_load_bases_montgomery(self, words: bytes) -> ReferenceG2Bases:
        """Convert zkey Montgomery words and decode the points (no curve check)."""
        return self.g2_load_bases(self.fq_from_montgomery(words))

    def g1_msm(self, bases: G1Bases, scalars: bytes) -> bytes:
        """Return ``Σ s_i·P_i`` over the first len(scalars) bases."""
        bases = _own(bases, ReferenceG1Bases)
        s = fr_vector_from_bytes(scalars)
        if len(s) > len(bases):
            raise MalformedInputError(f"g1_msm: {len(s)} scalars but {len(bases)} bases")
        terms = [curve.g1_mul(p, k) for p, k in zip(bases.points[: len(s)], s, strict=True)]
        return curve.encode_g1(curve.g1_sum(terms))

    def g2_msm(self, bases: G2Bases, scalars: bytes) -> bytes:
        """Return ``Σ s_i·Q_i`` over the first len(scalars) bases."""
        bases = _own(bases, ReferenceG2Bases)
        s = fr_vector_from_bytes(scalars)
        if len(s) > len(bases):
            raise MalformedInputError(f"g2_msm: {len(s)} scalars but {len(bases)} bases")
        terms = [curve.g2_mul(q, k) for q, k in zip(bases.points[: len(s)], s, strict=True)]
        return curve.encode_g2(curve.g2_sum(terms))

    def g1_scale(self, points: bytes, scalars: bytes) -> bytes:
        """Return ``s_i·P_i`` element-wise."""
        p, s = curve.decode_g1(points), fr_vector_from_bytes(scalars)
        _same_count(len(p), len(s), "g1_scale")
        return b"".join(curve.encode_g1(curve.g1_mul(x, k)) for x, k in zip(p, s, strict=True))

    def g2_scale(self, points: bytes, scalars: bytes) -> bytes:
        """Return ``s_i·Q_i`` element-wise."""
        q, s = curve.decode_g2(points), fr_vector_from_bytes(scalars)
        _same_count(len(q), len(s), "g2_scale")
        return b"".join(curve.encode_g2(curve.g2_mul(x, k)) for x, k in zip(q, s, strict=True))

    def g1_fixed_base(self, base: bytes, scalars: bytes) -> bytes:
        """Return ``s_i·P`` for one base."""
        (p,) = curve.decode_g1(_one(base, 64, "G1 base"))
        return b"".join(curve.encode_g1(curve.g1_mul(p, k)) for k in fr_vector_from_bytes(scalars))

    def g2_fixed_base(self, base: bytes, scalars: bytes) -> bytes:
        """Return ``s_i·Q`` for one base."""
        (q,) = curve.decode_g2(_one(base, 128, "G2 base"))
        return b"".join(curve.encode_g2(curve.g2_mul(q, k)) for k in fr_vector_from_bytes(scalars))

    def g1_ntt(self, points: bytes, *, inverse: bool = False) -> bytes:
        """Return ``Σ_j ω^{ij}·P_j`` (inverse: ``n⁻¹ Σ_j ω^{−ij}·P_j``) for n points."""
        p = curve.decode_g1(points)
        out = _point_ntt(p, _ntt_root(len(p), inverse), curve.g1_mul, curve.g1_sum)
        scale = pow(len(p), -1, SCALAR_FIELD_R) if inverse else 1
        return b"".join(curve.encode_g1(curve.g1_mul(x, scale)) for x in out)

    def g2_ntt(self, points: bytes, *, inverse: bool = False) -> bytes:
        """Return ``Σ_j ω^{ij}·Q_j`` (inverse: ``n⁻¹ Σ_j ω^{−ij}·Q_j``) for n points."""
        q = curve.decode_g2(points)
        out = _point_ntt(q, _ntt_root(len(q), inverse), curve.g2_mul, curve.g2_sum)
        scale = pow(len(q), -1, SCALAR_FIELD_R) if inverse else 1
        return b"".join(curve.encode_g2(curve.g2_mul(x, scale)) for x in out)

    def g1_add(self, p: bytes, q: bytes) -> bytes:
        """Return ``P + Q``."""
        (x,) = curve.decode_g1(_one(p, 64, "G1 point"))
        (y,) = curve.decode_g1(_one(q, 64, "G1 point"))
        return curve.encode_g1(curve.g1_sum([x, y]))

    def g2_add(self, p: bytes, q: bytes) -> bytes:
        """Return ``P + Q``."""
        (x,) = curve.decode_g2(_one(p, 128, "G2 point"))
        (y,) = curve.decode_g2(_one(q, 128, "G2 point"))
        return curve.encode_g2(curve.g2_sum([x, y]))

    def g1_neg(self, p: bytes) -> bytes:
        """Return ``−P``."""
        (x,) = curve.decode_g1(_one(p, 64, "G1 point"))
        return curve.encode_g1(curve.g1_negate(x))

    # --- validation -----------------------------------------------------------
    def g1_validate(self, points: bytes) -> None:
        """Raise MalformedInputError for the first point with a coordinate ≥ q or off the curve."""
        for index, point in enumerate(curve.decode_g1(points)):
            if not curve.g1_on_curve(point):
                raise MalformedInputError(f"G1 point #{index} is not on the curve")

    def g2_validate(self, points: bytes) -> None:
        """Raise MalformedInputError for the first point ≥ q, off the twist or outside G2."""
        for index, point in enumerate(curve.decode_g2(points)):
            if not curve.g2_on_curve(point):
                raise MalformedInputError(f"G2 point #{index} is not on the twist curve")
            if not curve.g2_in_subgroup(point):
                raise MalformedInputError(f"G2 point #{index} is not in the order-r subgroup")

    # --- pairing --------------------------------------------------------------
    def pairing_check(self, g1_points: bytes, g2_points: bytes) -> bool:
        """Return whether ``Π e(P_i, Q_i) = 1``; points off their curves are rejected."""
        p, q = curve.decode_g1(g1_points), curve.decode_g2(g2_points)
        if not p or len(p) != len(q):
            raise MalformedInputError(
                f"pairing_check needs n ≥ 1 pairs, got {len(p)} G1 and {len(q)} G2 points"
            )
        for index, (x, y) in enumerate(zip(p, q, strict=True)):
            if not curve.g1_on_curve(x) or not curve.g2_on_curve(y):
                raise MalformedInputError(f"pairing_check: pair #{index} is not on the curves")
        return curve.pairing_product_is_one(list(zip(p, q, strict=True)))

    # --- snarkjs zkey Montgomery form ----------------------------------------
    def fq_from_montgomery(self, values: bytes) -> bytes:
        """Map Montgomery words ``a·2^256 mod q`` to canonical ``a``."""
        return fr.from_montgomery(values, FIELD_MODULUS_Q)

    def fq_to_montgomery(self, values: bytes) -> bytes:
        """Map canonical ``a`` to ``a·2^256 mod q``."""
        return fr.to_montgomery(values, FIELD_MODULUS_Q)

    def fr_from_montgomery(self, values: bytes) -> bytes:
        """Map Montgomery words ``a·2^256 mod r`` to canonical ``a``."""
        return fr.from_montgomery(values, SCALAR_FIELD_R)

    def fr_to_montgomery(self, values: bytes) -> bytes:
        """Map canonical ``a`` to ``a·2^256 mod r``."""
        return fr.to_montgomery(values, SCALAR_FIELD_R)
