"""The backend protocol: every heavy field and curve kernel zkmargin uses.

Two implementations exist and must return identical bytes for identical inputs:
``native`` (the Rust crate in ``native/``, arkworks + rayon, GIL released) and
``reference`` (py_ecc and plain Python integers, the independent cross-check).
Buffers follow :mod:`algebra.encoding` (32-byte little-endian canonical elements;
64-byte G1, 128-byte G2, zeros = infinity).

Kernels that take untrusted points (``*_validate``, ``pairing_check`` callers) must
be preceded by validation; kernels themselves may assume valid inputs unless the
docstring says they check.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from algebra.errors import BackendUnavailableError


@dataclass(frozen=True)
class CsrMatrix:
    """A sparse matrix over Fr in compressed-sparse-row form (one R1CS side: A, B or C).

    Attributes:
        n_rows: number of constraints.
        n_cols: number of witness wires (including the constant-one wire 0).
        row_offsets: ``n_rows + 1`` offsets into ``col_indices``/``values``, as
            little-endian uint64 bytes.
        col_indices: ``nnz`` column indices, little-endian uint32 bytes.
        values: ``nnz`` canonical Fr coefficients, 32-byte little-endian each.
    """

    n_rows: int
    n_cols: int
    row_offsets: bytes
    col_indices: bytes
    values: bytes


@runtime_checkable
class G1Bases(Protocol):
    """Opaque handle to a G1 base table parsed once (e.g. a proving key's query)."""

    def __len__(self) -> int: ...


@runtime_checkable
class G2Bases(Protocol):
    """Opaque handle to a G2 base table parsed once."""

    def __len__(self) -> int: ...


@runtime_checkable
class R1csMatrices(Protocol):
    """Opaque handle to the three CSR matrices of an R1CS, loaded once."""

    @property
    def n_constraints(self) -> int: ...

    @property
    def n_wires(self) -> int: ...


class Backend(Protocol):
    """BN254 kernels over contiguous byte buffers (see :mod:`algebra.encoding`)."""

    name: str

    # --- Fr vectors -----------------------------------------------------------
    def fr_ntt(self, values: bytes, *, inverse: bool = False) -> bytes:
        """Return ``v̂_i = Σ_j v_j ω^{ij}`` on the size-n subgroup (n = len/32, a power of two).

        ``inverse=True`` returns the interpolation ``v_j = n⁻¹ Σ_i v̂_i ω^{-ij}``. ω is
        :func:`algebra.constants.root_of_unity` (n), identical to arkworks' and snarkjs's.
        """
        ...

    def fr_coset_ntt(self, values: bytes, shift: int, *, inverse: bool = False) -> bytes:
        """Return evaluations at ``shift·ω^i`` of the coefficients (inverse: interpolate)."""
        ...

    def fr_mul_sub(self, a: bytes, b: bytes, c: bytes) -> bytes:
        """Return the element-wise ``a_i·b_i − c_i`` of three equal-length Fr vectors."""
        ...

    # --- R1CS -----------------------------------------------------------------
    def r1cs_load(self, a: CsrMatrix, b: CsrMatrix, c: CsrMatrix) -> R1csMatrices:
        """Parse the three matrices of an R1CS once, for repeated :meth:`r1cs_matvec`."""
        ...

    def r1cs_load_zkey(self, n_rows: int, n_cols: int, coefficients: bytes) -> R1csMatrices:
        """Load A and B (and an all-zero C) from a snarkjs zkey coefficient section.

        The section is a u32 count, then per entry ``matrix (0 = A, 1 = B) ‖ row ‖
        column`` (u32 each) and a 32-byte word holding ``x·R² mod r`` (R = 2^256).

        Raises:
            MalformedInputError: size ≠ count, matrix > 1, row ≥ n_rows, column ≥ n_cols,
                or a word ≥ r.
        """
        ...

    def r1cs_matvec(self, matrices: R1csMatrices, witness: bytes) -> tuple[bytes, bytes, bytes]:
        """Return ``(A·w, B·w, C·w)`` as Fr vectors of length n_constraints."""
        ...

    def groth16_quotient(self, matrices: R1csMatrices, witness: bytes, shift: int) -> bytes:
        """Return the Groth16 quotient evaluations ``a_i·b_i − c_i`` on the coset ``shift·⟨ω_n⟩``.

        ``a, b`` are ``A·w, B·w`` over the n-row domain and ``c = a∘b`` there; each is
        interpolated and re-evaluated on the coset (n = n_constraints, a power of two).
        Equal to composing :meth:`r1cs_matvec`, :meth:`fr_mul_sub`, :meth:`fr_ntt` and
        :meth:`fr_coset_ntt`.

        Raises:
            MalformedInputError: wrong witness length, a value ≥ r, or n not a power of two.
        """
        ...

    # --- G1 / G2 arithmetic ---------------------------------------------------
    def g1_load_bases(self, points: bytes) -> G1Bases:
        """Parse n × 64-byte affine points once into a base table (not validated)."""
        ...

    def g2_load_bases(self, points: bytes) -> G2Bases:
        """Parse n × 128-byte affine points once into a base table (not validated)."""
        ...

    def g1_load_bases_montgomery(self, words: bytes) -> G1Bases:
        """Load n × 64-byte points of zkey Montgomery words (``a·2^256 mod q``) as a base table.

        The same table as ``g1_load_bases(fq_from_montgomery(words))``, with every point
        checked as :meth:`g1_validate` does (all-zero words are the point at infinity).

        Raises:
            MalformedInputError: a word ≥ q or a point off the curve (lowest index named).
        """
        ...

    def g2_load_bases_montgomery(self, words: bytes) -> G2Bases:
        """Load n × 128-byte points of zkey Montgomery words as a base table (words < q only).

        The same table as ``g2_load_bases(fq_from_montgomery(words))`` (not curve-checked).

        Raises:
            MalformedInputError: a word ≥ q (lowest index named).
        """
        ...

    def g1_msm(self, bases: G1Bases, scalars: bytes) -> bytes:
        """Return ``Σ s_i·P_i`` (64 bytes) over the first len(scalars)/32 bases."""
        ...

    def g2_msm(self, bases: G2Bases, scalars: bytes) -> bytes:
        """Return ``Σ s_i·Q_i`` (128 bytes) over the first len(scalars)/32 bases."""
        ...

    def g1_scale(self, points: bytes, scalars: bytes) -> bytes:
        """Return the element-wise ``s_i·P_i`` (n × 64 bytes)."""
        ...

    def g2_scale(self, points: bytes, scalars: bytes) -> bytes:
        """Return the element-wise ``s_i·Q_i`` (n × 128 bytes)."""
        ...

    def g1_fixed_base(self, base: bytes, scalars: bytes) -> bytes:
        """Return ``s_i·P`` for one base P and many scalars (n × 64 bytes)."""
        ...

    def g2_fixed_base(self, base: bytes, scalars: bytes) -> bytes:
        """Return ``s_i·Q`` for one base Q and many scalars (n × 128 bytes)."""
        ...

    def g1_ntt(self, points: bytes, *, inverse: bool = False) -> bytes:
        """Return ``P̂_i = Σ_j ω^{ij}·P_j`` for n G1 points (n = len/64, a power of two).

        The same ω as :meth:`fr_ntt`; ``inverse=True`` returns ``n⁻¹ Σ_j ω^{-ij}·P_j``
        (for the monomial basis ``τ^j·G`` that is the Lagrange basis ``L_i(τ)·G``).
        Points are not validated (coordinates < q only).
        """
        ...

    def g2_ntt(self, points: bytes, *, inverse: bool = False) -> bytes:
        """Return ``Q̂_i = Σ_j ω^{ij}·Q_j`` for n G2 points (n = len/128); as :meth:`g1_ntt`."""
        ...

    def g1_add(self, p: bytes, q: bytes) -> bytes:
        """Return ``P + Q`` in G1."""
        ...

    def g2_add(self, p: bytes, q: bytes) -> bytes:
        """Return ``P + Q`` in G2."""
        ...

    def g1_neg(self, p: bytes) -> bytes:
        """Return ``−P`` in G1."""
        ...

    # --- validation -----------------------------------------------------------
    def g1_validate(self, points: bytes) -> None:
        """Check n × 64-byte points: coordinates < q, on the curve (infinity allowed).

        Raises:
            MalformedInputError: naming the index of the first bad point and why.
        """
        ...

    def g2_validate(self, points: bytes) -> None:
        """Check n × 128-byte points: coordinates < q, on the twist, in the order-r subgroup.

        Raises:
            MalformedInputError: naming the index of the first bad point and why.
        """
        ...

    # --- pairing --------------------------------------------------------------
    def pairing_check(self, g1_points: bytes, g2_points: bytes) -> bool:
        """Return whether ``Π e(P_i, Q_i) = 1`` in GT (n × 64 and n × 128 bytes; n ≥ 1)."""
        ...

    # --- snarkjs zkey Montgomery form ----------------------------------------
    def fq_from_montgomery(self, values: bytes) -> bytes:
        """Map n × 32-byte LE Montgomery Fq words ``a·2^256 mod q`` to canonical ``a``."""
        ...

    def fq_to_montgomery(self, values: bytes) -> bytes:
        """Map n × 32-byte canonical Fq elements ``a`` to Montgomery ``a·2^256 mod q``."""
        ...

    def fr_from_montgomery(self, values: bytes) -> bytes:
        """Map n × 32-byte Montgomery Fr words ``a·2^256 mod r`` to canonical ``a``."""
        ...

    def fr_to_montgomery(self, values: bytes) -> bytes:
        """Map n × 32-byte canonical Fr elements to Montgomery form ``a·2^256 mod r``."""
        ...


BACKEND_NAMES = ("native", "reference")
_cache: dict[str, Backend] = {}


def get_backend(name: str | None = None) -> Backend:
    """Return the backend called ``name``, else ``$ZKM_BACKEND``, else ``native``.

    Raises:
        BackendUnavailableError: the name is unknown or the native crate is not built.
    """
    chosen = name or os.environ.get("ZKM_BACKEND") or "native"
    if chosen in _cache:
        return _cache[chosen]
    if chosen == "native":
        from algebra.native_backend import NativeBackend

        backend: Backend = NativeBackend()
    elif chosen == "reference":
        from algebra.reference_backend import ReferenceBackend

        backend = ReferenceBackend()
    else:
        raise BackendUnavailableError(
            f"unknown backend {chosen!r}; choose one of {', '.join(BACKEND_NAMES)}"
        )
    _cache[chosen] = backend
    return backend
