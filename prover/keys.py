"""Groth16 proving keys (eprint 2016/260 §3.2, arkworks naming) in snarkjs's QAP convention.

A :class:`ProvingKey` holds the verifying key, the query vectors as canonical encoded
buffers (:mod:`algebra.encoding`: 64-byte G1, 128-byte G2) and the sparse A and B
matrices the prover needs for ``A·w`` and ``B·w``. It follows snarkjs's conventions so
keys move freely between the two tools:

- the QAP domain has ``domain_size`` rows: the R1CS rows, then one extra row
  ``w_i · 0 = 0`` with A-coefficient 1 for every public wire ``i = 0 … n_public``
  (this makes the IC points linearly independent);
- ``h_query[i] = L_{2i+1}(τ)/δ`` on the 2n-domain, i.e. the quotient is committed
  through its evaluations on the odd coset ``ω_{2n}·⟨ω_n⟩``;
- the C matrix is not stored: the prover uses ``C·w = (A·w)∘(B·w)``, which holds on
  every row for a satisfying witness.

:func:`prepare_proving_key` loads the big queries into a backend's base tables once, so
repeated proofs with the same key parse nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from algebra.backend import Backend, CsrMatrix, G1Bases, G2Bases, R1csMatrices
from algebra.constants import G1_BYTES, G2_BYTES
from algebra.encoding import g1_to_bytes, g2_to_bytes
from algebra.errors import MalformedInputError
from algebra.types import G1
from verifier.keys import VerifyingKey
from verifier.provenance import KeyProvenance

UNSAFE_LABEL = "UNSAFE: dev setup — single party, toxic waste was held by one process"
"""The label shown wherever a dev-setup key is displayed."""

UNCONTRIBUTED_LABEL = (
    "UNSAFE: uncontributed — no phase-2 contribution yet (γ = δ = G2), anyone can forge proofs"
)
"""The label shown wherever a key without a phase-2 contribution is displayed."""

UNVERIFIED_NOTE = (
    "phase-2 contributions present but not verified here: "
    "run `zkm zkey verify <r1cs> <ptau> <zkey> --vk-out verification_key.json`"
)
"""What is said about a contributed key whose transcript no verifier has checked in this run."""


def provenance_label(provenance: KeyProvenance | None) -> str | None:
    """Return the UNSAFE label for ``dev`` and ``uncontributed`` keys, else None.

    ``None`` stands for a key with phase-2 contributions whose transcript has not been
    verified yet: it is not labelled UNSAFE, and it is not ``ceremony-verified`` either.
    """
    if provenance is KeyProvenance.DEV:
        return UNSAFE_LABEL
    if provenance is KeyProvenance.UNCONTRIBUTED:
        return UNCONTRIBUTED_LABEL
    return None


EMPTY_CONTRIBUTIONS = bytes(64 + 4)
"""snarkjs's contributions section before any phase-2 contribution: a zero hash, count 0."""


@dataclass(frozen=True, repr=False)
class ProvingKey:
    """A Groth16 proving key (snarkjs layout, canonical encodings).

    Attributes:
        vk: the verifying key (α₁, β₂, γ₂, δ₂ and the IC points ``gamma_abc_g1``).
        beta_g1: β in G1.
        delta_g1: δ in G1.
        n_wires: witness length, including the constant-one wire 0.
        domain_size: size n of the QAP evaluation domain (a power of two).
        a_query: ``n_wires`` G1 points ``A_i(τ)``.
        b_g1_query: ``n_wires`` G1 points ``B_i(τ)``.
        b_g2_query: ``n_wires`` G2 points ``B_i(τ)``.
        h_query: ``domain_size`` G1 points ``L_{2i+1}(τ)/δ`` (odd 2n-domain Lagrange basis).
        l_query: ``n_wires − n_public − 1`` G1 points ``(βA_i + αB_i + C_i)(τ)/δ``.
        a_matrix: A with ``domain_size`` rows (public-input rows included), canonical values.
        b_matrix: B with ``domain_size`` rows.
        provenance: ``dev`` (:func:`prover.setup.setup_dev`), ``uncontributed`` (no phase-2
            contribution), ``ceremony-verified`` (passed ``zkm zkey verify``) or None
            (contributed, not verified in this process).
        contributions: the raw snarkjs contributions section (ceremony transcript), kept verbatim.
    """

    vk: VerifyingKey
    beta_g1: G1
    delta_g1: G1
    n_wires: int
    domain_size: int
    a_query: bytes
    b_g1_query: bytes
    b_g2_query: bytes
    h_query: bytes
    l_query: bytes
    a_matrix: CsrMatrix
    b_matrix: CsrMatrix
    provenance: KeyProvenance | None
    contributions: bytes = EMPTY_CONTRIBUTIONS
    _prepared: dict[int, PreparedProvingKey] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.check_shapes()

    @property
    def n_public(self) -> int:
        """Number of public inputs (outputs + public inputs, excluding wire 0)."""
        return self.vk.n_public

    @property
    def is_unsafe(self) -> bool:
        """True for ``dev`` and ``uncontributed`` keys: someone can forge proofs under them."""
        return provenance_label(self.provenance) is not None

    def check_shapes(self) -> None:
        """Raise MalformedInputError unless every query and matrix has the size the counts imply."""
        n, wires, public = self.domain_size, self.n_wires, self.n_public
        expected = {
            "a_query": (self.a_query, wires * G1_BYTES),
            "b_g1_query": (self.b_g1_query, wires * G1_BYTES),
            "b_g2_query": (self.b_g2_query, wires * G2_BYTES),
            "h_query": (self.h_query, n * G1_BYTES),
            "l_query": (self.l_query, (wires - public - 1) * G1_BYTES),
        }
        if n < 2 or n & (n - 1):
            raise MalformedInputError(f"domain size {n} is not a power of two ≥ 2")
        if wires < public + 1:
            raise MalformedInputError(f"{wires} wires cannot hold {public} public inputs")
        for name, (buffer, size) in expected.items():
            if len(buffer) != size:
                raise MalformedInputError(f"{name} has {len(buffer)} bytes, expected {size}")
        for name, matrix in (("A", self.a_matrix), ("B", self.b_matrix)):
            if (matrix.n_rows, matrix.n_cols) != (n, wires):
                raise MalformedInputError(
                    f"matrix {name} is {matrix.n_rows}×{matrix.n_cols}, expected {n}×{wires}"
                )

    def describe(self) -> str:
        """Return a one-paragraph summary, led by the UNSAFE label of dev and uncontributed keys."""
        label = provenance_label(self.provenance)
        lines = [label] if label else []
        lines.append(
            f"Groth16 proving key (BN254): {self.n_wires} wires, {self.n_public} public inputs, "
            f"domain 2^{self.domain_size.bit_length() - 1}"
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        flag = f", UNSAFE {self.provenance}" if self.is_unsafe else ""
        return (
            f"ProvingKey(n_wires={self.n_wires}, n_public={self.n_public}, "
            f"domain_size={self.domain_size}{flag})"
        )

    __str__ = describe


@dataclass(frozen=True)
class PreparedProvingKey:
    """A proving key's queries and matrices loaded into one backend, parsed once.

    Attributes:
        backend: the backend owning the handles.
        a, b_g1, b_g2: base tables of the corresponding queries.
        l_h: one table holding ``l_query ‖ h_query``: C's two MSMs run as one.
        matrices: the (A, B, empty C) matrices loaded for ``r1cs_matvec``.
        alpha_g1, beta_g1, delta_g1: 64-byte encodings; beta_g2, delta_g2: 128-byte encodings.
    """

    backend: Backend
    a: G1Bases
    b_g1: G1Bases
    b_g2: G2Bases
    l_h: G1Bases
    matrices: R1csMatrices
    alpha_g1: bytes
    beta_g1: bytes
    delta_g1: bytes
    beta_g2: bytes
    delta_g2: bytes


@dataclass(frozen=True)
class LoadedProvingKey:
    """A proving key read straight into one backend's tables, without Python copies of its queries.

    What :func:`prover.zkey.load_zkey` returns for one-shot proving (the CLI): the queries
    live only in ``prepared``'s native tables, so a large key is not held twice.

    Attributes:
        vk: the verifying key.
        n_wires: witness length, including the constant-one wire 0.
        domain_size: size of the QAP evaluation domain.
        provenance: as :attr:`ProvingKey.provenance`.
        prepared: the loaded tables, matrices and header points.
    """

    vk: VerifyingKey
    n_wires: int
    domain_size: int
    provenance: KeyProvenance | None
    prepared: PreparedProvingKey

    @property
    def n_public(self) -> int:
        """Number of public inputs (outputs + public inputs, excluding wire 0)."""
        return self.vk.n_public

    @property
    def is_unsafe(self) -> bool:
        """True for ``dev`` and ``uncontributed`` keys: someone can forge proofs under them."""
        return provenance_label(self.provenance) is not None


def empty_matrix(n_rows: int, n_cols: int) -> CsrMatrix:
    """Return the all-zero ``n_rows × n_cols`` CSR matrix."""
    return CsrMatrix(n_rows, n_cols, bytes(8 * (n_rows + 1)), b"", b"")


_lock = threading.Lock()


def prepare_proving_key(pk: ProvingKey, backend: Backend) -> PreparedProvingKey:
    """Return ``pk`` loaded into ``backend`` (cached on the key, so loading happens once)."""
    with _lock:
        hit = pk._prepared.get(id(backend))
    if hit is not None and hit.backend is backend:
        return hit
    fresh = PreparedProvingKey(
        backend=backend,
        a=backend.g1_load_bases(pk.a_query),
        b_g1=backend.g1_load_bases(pk.b_g1_query),
        b_g2=backend.g2_load_bases(pk.b_g2_query),
        l_h=backend.g1_load_bases(pk.l_query + pk.h_query),
        matrices=backend.r1cs_load(
            pk.a_matrix, pk.b_matrix, empty_matrix(pk.domain_size, pk.n_wires)
        ),
        alpha_g1=g1_to_bytes(pk.vk.alpha_g1),
        beta_g1=g1_to_bytes(pk.beta_g1),
        delta_g1=g1_to_bytes(pk.delta_g1),
        beta_g2=g2_to_bytes(pk.vk.beta_g2),
        delta_g2=g2_to_bytes(pk.vk.delta_g2),
    )
    with _lock:
        pk._prepared[id(backend)] = fresh
    return fresh
