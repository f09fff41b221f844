"""The ``native`` backend: the Rust crate ``native/`` (arkworks, rayon) behind the Backend protocol.

Each method is a thin call into :mod:`algebra._native`, which releases the GIL and
works on contiguous byte buffers in the encodings of :mod:`algebra.encoding`.
Every kernel rejects a ragged buffer length, a scalar ≥ r and a coordinate ≥ q with
:class:`~algebra.errors.MalformedInputError` (never reducing silently); the
``*_validate`` kernels and :meth:`NativeBackend.pairing_check` also check that
points lie on their curves, and ``g2_validate`` that they lie in the order-r subgroup.
"""

from __future__ import annotations

from typing import TypeVar

from algebra.backend import CsrMatrix, G1Bases, G2Bases, R1csMatrices
from algebra.constants import FR_BYTES, SCALAR_FIELD_R
from algebra.errors import BackendUnavailableError, MalformedInputError

try:
    from algebra.native_build import load_native

    load_native()  # registers the build this CPU can run as algebra._native
    from algebra import _native
except ImportError as error:  # pragma: no cover - exercised only without a built crate
    raise BackendUnavailableError(
        f"the native backend is not built ({error}); run `pip install -e .`"
    ) from error

_Handle = TypeVar("_Handle", _native.G1Bases, _native.G2Bases, _native.R1csMatrices)


def _own(handle: object, kind: type[_Handle]) -> _Handle:
    """Return ``handle`` if the native crate made it; handles do not cross backends."""
    if not isinstance(handle, kind):
        raise MalformedInputError(
            f"expected a native {kind.__name__} handle, got {type(handle).__name__}"
        )
    return handle


def _csr_parts(matrix: CsrMatrix) -> tuple[bytes, bytes, bytes]:
    return (bytes(matrix.row_offsets), bytes(matrix.col_indices), bytes(matrix.values))


class NativeBackend:
    """BN254 kernels compiled from ``native/``; byte-for-byte equal to the reference backend."""

    name = "native"

    # --- Fr vectors -----------------------------------------------------------
    def fr_ntt(self, values: bytes, *, inverse: bool = False) -> bytes:
        """Return the size-n NTT (or inverse NTT) of n canonical Fr elements; n a power of two."""
        return _native.fr_ntt(values, inverse)

    def fr_coset_ntt(self, values: bytes, shift: int, *, inverse: bool = False) -> bytes:
        """Return evaluations at ``shift·ω^i`` (inverse: interpolate from them); shift in [1, r)."""
        if not 0 < shift < SCALAR_FIELD_R:
            raise MalformedInputError("coset shift must be in [1, r)")
        return _native.fr_coset_ntt(values, shift.to_bytes(FR_BYTES, "little"), inverse)

    def fr_mul_sub(self, a: bytes, b: bytes, c: bytes) -> bytes:
        """Return ``a_i·b_i − c_i`` element-wise for three equal-length vectors."""
        return _native.fr_mul_sub(a, b, c)

    # --- R1CS -----------------------------------------------------------------
    def r1cs_load(self, a: CsrMatrix, b: CsrMatrix, c: CsrMatrix) -> _native.R1csMatrices:
        """Parse and check the matrices once (same shape, monotone offsets, columns < n_cols)."""
        if not (a.n_rows, a.n_cols) == (b.n_rows, b.n_cols) == (c.n_rows, c.n_cols):
            raise MalformedInputError("r1cs_load: A, B and C have different shapes")
        if a.n_rows < 0 or a.n_cols < 0:
            raise MalformedInputError("r1cs_load: negative matrix dimensions")
        return _native.r1cs_load(a.n_rows, a.n_cols, _csr_parts(a), _csr_parts(b), _csr_parts(c))

    def r1cs_load_zkey(self, n_rows: int, n_cols: int, coefficients: bytes) -> _native.R1csMatrices:
        """Load A and B from a zkey coefficient section in one parallel pass (no copies)."""
        return _native.r1cs_load_zkey(n_rows, n_cols, coefficients)

    def r1cs_load_zkey_file(
        self, path: str, offset: int, length: int, n_rows: int, n_cols: int
    ) -> _native.R1csMatrices:
        """Load A and B as :meth:`r1cs_load_zkey` does, streaming the coefficient section at
        ``offset`` (``length`` bytes) of the zkey at ``path`` in two passes, so its bytes are
        never held in memory beside the matrices (an older build reads them whole)."""
        stream = getattr(_native, "r1cs_load_zkey_file", None)
        if stream is not None:
            matrices: _native.R1csMatrices = stream(path, offset, length, n_rows, n_cols)
            return matrices
        with open(path, "rb") as handle:
            handle.seek(offset)
            return _native.r1cs_load_zkey(n_rows, n_cols, handle.read(length))

    def r1cs_matvec(self, matrices: R1csMatrices, witness: bytes) -> tuple[bytes, bytes, bytes]:
        """Return ``(A·w, B·w, C·w)``; the witness must have exactly n_wires values."""
        return _native.r1cs_matvec(_own(matrices, _native.R1csMatrices), witness)

    def groth16_quotient(self, matrices: R1csMatrices, witness: bytes, shift: int) -> bytes:
        """Return the quotient evaluations on the coset (one fused kernel, see the protocol)."""
        if not 0 < shift < SCALAR_FIELD_R:
            raise MalformedInputError("coset shift must be in [1, r)")
        handle = _own(matrices, _native.R1csMatrices)
        return _native.groth16_quotient(handle, witness, shift.to_bytes(FR_BYTES, "little"))

    # --- G1 / G2 arithmetic ---------------------------------------------------
    def g1_load_bases(self, points: bytes) -> _native.G1Bases:
        """Parse n G1 points once (coordinates < q; no curve check)."""
        return _native.g1_load_bases(points)

    def g2_load_bases(self, points: bytes) -> _native.G2Bases:
        """Parse n G2 points once (coordinates < q; no curve check)."""
        return _native.g2_load_bases(points)

    def g1_load_bases_montgomery(self, words: bytes) -> _native.G1Bases:
        """Load zkey Montgomery-word G1 points as a table, checked on the curve (no copies)."""
        return _native.g1_load_bases_montgomery(words)

    def g2_load_bases_montgomery(self, words: bytes) -> _native.G2Bases:
        """Load zkey Montgomery-word G2 points as a table (words < q; no curve check)."""
        return _native.g2_load_bases_montgomery(words)

    def g1_msm(self, bases: G1Bases, scalars: bytes) -> bytes:
        """Return ``Σ s_i·P_i`` over the first len(scalars)/32 bases."""
        return _native.g1_msm(_own(bases, _native.G1Bases), scalars)

    def g2_msm(self, bases: G2Bases, scalars: bytes) -> bytes:
        """Return ``Σ s_i·Q_i`` over the first len(scalars)/32 bases."""
        return _native.g2_msm(_own(bases, _native.G2Bases), scalars)

    def g1_scale(self, points: bytes, scalars: bytes) -> bytes:
        """Return ``s_i·P_i`` element-wise."""
        return _native.g1_scale(points, scalars)

    def g2_scale(self, points: bytes, scalars: bytes) -> bytes:
        """Return ``s_i·Q_i`` element-wise."""
        return _native.g2_scale(points, scalars)

    def g1_fixed_base(self, base: bytes, scalars: bytes) -> bytes:
        """Return ``s_i·P`` for one base P and many scalars."""
        return _native.g1_fixed_base(base, scalars)

    def g2_fixed_base(self, base: bytes, scalars: bytes) -> bytes:
        """Return ``s_i·Q`` for one base Q and many scalars."""
        return _native.g2_fixed_base(base, scalars)

    def g1_ntt(self, points: bytes, *, inverse: bool = False) -> bytes:
        """Return the size-n NTT (or inverse NTT) of n G1 points; n a power of two."""
        return _native.g1_ntt(points, inverse)

    def g2_ntt(self, points: bytes, *, inverse: bool = False) -> bytes:
        """Return the size-n NTT (or inverse NTT) of n G2 points; n a power of two."""
        return _native.g2_ntt(points, inverse)

    def g1_add(self, p: bytes, q: bytes) -> bytes:
        """Return ``P + Q`` in G1."""
        return _native.g1_add(p, q)

    def g2_add(self, p: bytes, q: bytes) -> bytes:
        """Return ``P + Q`` in G2."""
        return _native.g2_add(p, q)

    def g1_neg(self, p: bytes) -> bytes:
        """Return ``−P`` in G1."""
        return _native.g1_neg(p)

    # --- validation -----------------------------------------------------------
    def g1_validate(self, points: bytes) -> None:
        """Raise MalformedInputError for the first point with a coordinate ≥ q or off the curve."""
        _native.g1_validate(points)

    def g2_validate(self, points: bytes) -> None:
        """Raise MalformedInputError for the first point ≥ q, off the twist or outside G2."""
        _native.g2_validate(points)

    # --- pairing --------------------------------------------------------------
    def pairing_check(self, g1_points: bytes, g2_points: bytes) -> bool:
        """Return whether ``Π e(P_i, Q_i) = 1``; points off their curves are rejected."""
        return _native.pairing_check(g1_points, g2_points)

    # --- Groth16 batch verification (not in the Backend protocol) -------------
    def groth16_batch_invalid(
        self,
        alpha: bytes,
        ic: bytes,
        neg_g2: bytes,
        a: bytes,
        b: bytes,
        c: bytes,
        inputs: bytes,
        scalars: bytes,
    ) -> list[int]:
        """Return the (ascending) indices of the statements failing the Groth16 equation.

        The random-linear-combination check and its bisection in one kernel, specified by
        :mod:`verifier.batch`: ``alpha`` is α, ``ic`` the IC table, ``neg_g2`` −β ‖ −γ ‖ −δ;
        ``a``, ``b``, ``c`` the proofs' points (B already checked to be in G2), ``inputs``
        their public inputs row by row, ``scalars`` the nonzero combination scalars.
        Points off their curves, scalars ≥ r and inconsistent lengths are rejected.
        """
        return _native.groth16_batch_invalid(alpha, ic, neg_g2, a, b, c, inputs, scalars)

    # --- snarkjs zkey Montgomery form ----------------------------------------
    def fq_from_montgomery(self, values: bytes) -> bytes:
        """Map Montgomery words ``a·2^256 mod q`` (each < q) to canonical ``a``."""
        return _native.fq_from_montgomery(values)

    def fq_to_montgomery(self, values: bytes) -> bytes:
        """Map canonical ``a`` to ``a·2^256 mod q``."""
        return _native.fq_to_montgomery(values)

    def fr_from_montgomery(self, values: bytes) -> bytes:
        """Map Montgomery words ``a·2^256 mod r`` (each < r) to canonical ``a``."""
        return _native.fr_from_montgomery(values)

    def fr_to_montgomery(self, values: bytes) -> bytes:
        """Map canonical ``a`` to ``a·2^256 mod r``."""
        return _native.fr_to_montgomery(values)
