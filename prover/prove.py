"""Groth16 proving (eprint 2016/260 §3.2) with snarkjs's QAP and H-query conventions.

Steps: one backend kernel for the quotient (``A·w`` and ``B·w`` over the QAP domain by
sparse mat-vec, ``C·w := (A·w)∘(B·w)`` — equal to the real C row values whenever the
witness satisfies the R1CS, as snarkjs assumes — inverse NTT to coefficients, coset NTT
on the odd coset ``ω_{2n}·⟨ω_n⟩``, ``h_i = a_i·b_i − c_i`` there), then four MSMs over
base tables loaded once per key (L and H share one table and one MSM; the G2 MSM runs
beside the G1 ones). With fresh ``r, s`` from the caller's random source (default the OS
CSPRNG through :class:`random.SystemRandom`, i.e. ``os.urandom``, what :mod:`secrets` uses
too; arkworks likewise takes the prover's ``rng`` as an argument):

    A = α + Σ wᵢ·aᵢ + r·δ          B = β + Σ wᵢ·bᵢ + s·δ  (in G2, and in G1 as B₁)
    C = Σ_{private} wᵢ·lᵢ + Σ hᵢ·Hᵢ + s·A + r·B₁ − r·s·δ

Because C is derived from A∘B, a non-satisfying witness yields a proof that does not
verify; :func:`prove` therefore verifies its own proof (one multi-pairing, ~ms natively)
and raises :class:`~prover.errors.ProofSelfCheckError` instead of returning it.

**Fixed wires.** The sums are linear in the witness, so for private wires whose values
repeat across many proofs (in a margin proof, every wire the epoch's snapshot alone
determines: half the wires and most of the MSM work) :func:`fixed_wire_sums` computes their
terms ``Σ wᵢ·aᵢ, Σ wᵢ·bᵢ (G1, G2), Σ wᵢ·lᵢ`` once, and :func:`prove` with ``fixed=`` runs
the four MSMs over the other wires only (the fixed ones' scalars set to 0, which the
bucket MSM skips) and adds the stored terms. The proof is the same group elements as
without them (for the same ``r, s``); wrong stored terms give a proof that fails the
self-check, never a wrong proof returned. The quotient always uses the whole witness.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from algebra.backend import Backend, get_backend
from algebra.constants import FR_BYTES, G1_BYTES, G2_BYTES, SCALAR_FIELD_R, root_of_unity
from algebra.encoding import fr_to_bytes, fr_vector_from_bytes, g1_from_bytes, g2_from_bytes
from algebra.errors import MalformedInputError
from prover.errors import ProofSelfCheckError
from prover.keys import LoadedProvingKey, PreparedProvingKey, ProvingKey, prepare_proving_key
from prover.witness import witness_to_bytes
from verifier.proof import Proof


@dataclass(frozen=True)
class FixedWireSums:
    """``Σ wᵢ·aᵢ``, ``Σ wᵢ·bᵢ`` in G1 and G2 and ``Σ wᵢ·lᵢ`` over one set of private wires.

    Attributes:
        a_g1, b_g1, l_g1: 64-byte G1 encodings (the backend's); b_g2: a 128-byte G2 one.
    """

    a_g1: bytes
    b_g1: bytes
    b_g2: bytes
    l_g1: bytes

    def to_bytes(self) -> bytes:
        """Return ``a_g1 ‖ b_g1 ‖ b_g2 ‖ l_g1`` (320 bytes)."""
        return self.a_g1 + self.b_g1 + self.b_g2 + self.l_g1

    @classmethod
    def from_bytes(cls, data: bytes) -> FixedWireSums:
        """Split :meth:`to_bytes`'s layout (the points are checked when they are added).

        Raises:
            MalformedInputError: ``data`` is not 320 bytes.
        """
        if len(data) != 3 * G1_BYTES + G2_BYTES:
            raise MalformedInputError(f"fixed wire sums are 320 bytes, got {len(data)}")
        g1, g2 = G1_BYTES, G2_BYTES
        return cls(data[:g1], data[g1 : 2 * g1], data[2 * g1 : 2 * g1 + g2], data[2 * g1 + g2 :])


def _wire_runs(wires: Iterable[int], n_public: int, n_wires: int) -> list[tuple[int, int]]:
    """Return the distinct ``wires`` as sorted maximal runs ``[start, stop)``.

    Plain Python, not numpy: this is the trader's path, and numpy's import costs more than
    the ~10⁴ wires take here.

    Raises:
        ValueError: a wire is public (or wire 0) or out of range.
    """
    ordered = sorted({int(wire) for wire in wires})
    if ordered and (ordered[0] <= n_public or ordered[-1] >= n_wires):
        raise ValueError(f"fixed wires must be private: in ({n_public}, {n_wires})")
    runs: list[tuple[int, int]] = []
    for wire in ordered:
        if runs and runs[-1][1] == wire:
            runs[-1] = (runs[-1][0], wire + 1)
        else:
            runs.append((wire, wire + 1))
    return runs


def fixed_wire_sums(
    pk: ProvingKey | LoadedProvingKey,
    witness: Sequence[int] | bytes,
    wires: Iterable[int],
    *,
    backend: Backend | None = None,
) -> FixedWireSums:
    """Return the MSM terms of ``wires`` (private wire indices) at ``witness``'s values.

    Raises:
        ValueError: a wire is public (or wire 0) or out of range; as :func:`prove` for the
            key and backend.
        MalformedInputError: the witness has the wrong length or a value ≥ r.
    """
    prepared = _prepared(pk, backend)
    w = witness_to_bytes(witness, pk.n_wires)
    only = bytearray(len(w))
    for start, stop in _wire_runs(wires, pk.n_public, pk.n_wires):
        only[start * FR_BYTES : stop * FR_BYTES] = w[start * FR_BYTES : stop * FR_BYTES]
    scalars = bytes(only)
    n_h = prepared.matrices.n_constraints
    l_scalars = scalars[(pk.n_public + 1) * FR_BYTES :] + bytes(n_h * FR_BYTES)
    sums = _msms(prepared.backend, prepared, scalars, l_scalars)
    return FixedWireSums(sums["a"], sums["b1"], sums["b2"], sums["l_h"])


def _prepared(pk: ProvingKey | LoadedProvingKey, backend: Backend | None) -> PreparedProvingKey:
    if isinstance(pk, LoadedProvingKey):
        if backend is not None and backend is not pk.prepared.backend:
            raise ValueError("a LoadedProvingKey proves only with the backend it was loaded into")
        return pk.prepared
    return prepare_proving_key(pk, backend if backend is not None else get_backend())


def quotient_evaluations(backend: Backend, prepared: PreparedProvingKey, witness: bytes) -> bytes:
    """Return ``(A·B − C)(ω_{2n}^{2i+1})`` for i < n, the scalars of the H-query MSM."""
    shift = root_of_unity(2 * prepared.matrices.n_constraints)
    return backend.groth16_quotient(prepared.matrices, witness, shift)


def _blind(
    backend: Backend, prepared: PreparedProvingKey, sums: dict[str, bytes], r: int, s: int
) -> tuple[bytes, bytes, bytes]:
    """Return the encoded ``(A, B, C)`` from the MSM results and the blinding scalars."""
    g1_add, g2_add = backend.g1_add, backend.g2_add
    delta_r_s = backend.g1_scale(prepared.delta_g1 * 2, fr_to_bytes(r) + fr_to_bytes(s))
    delta2_s = backend.g2_scale(prepared.delta_g2, fr_to_bytes(s))
    a = g1_add(g1_add(prepared.alpha_g1, sums["a"]), delta_r_s[:64])
    b1 = g1_add(g1_add(prepared.beta_g1, sums["b1"]), delta_r_s[64:])
    b2 = g2_add(g2_add(prepared.beta_g2, sums["b2"]), delta2_s)
    minus_rs = (-r * s) % SCALAR_FIELD_R
    terms = backend.g1_scale(
        a + b1 + prepared.delta_g1, fr_to_bytes(s) + fr_to_bytes(r) + fr_to_bytes(minus_rs)
    )
    c = sums["l_h"]
    for index in range(3):
        c = g1_add(c, terms[64 * index : 64 * index + 64])
    return a, b2, c


_OS_RANDOM = random.SystemRandom()
"""The OS CSPRNG (``os.urandom``): :mod:`secrets` is this class too, but importing it loads
OpenSSL through :mod:`hmac`, 5 ms of every ``zkm groth16 prove``."""


def _blinding_scalars(rng: random.Random | None) -> tuple[int, int]:
    """Two uniform scalars in [0, r) from ``rng``, or from the OS CSPRNG when it is None."""
    source = _OS_RANDOM if rng is None else rng
    return source.randrange(SCALAR_FIELD_R), source.randrange(SCALAR_FIELD_R)


def _msms(
    backend: Backend, prepared: PreparedProvingKey, w: bytes, l_h_scalars: bytes
) -> dict[str, bytes]:
    """Return the four MSM sums; the G2 one runs on a second thread alongside the G1 ones.

    The kernels release the GIL and share one rayon pool, so the G2 MSM's windows fill
    the gaps the G1 MSMs leave (their sequential tails) and both cores stay busy.
    """
    import threading

    sums: dict[str, bytes] = {}
    failures: list[BaseException] = []

    def g2() -> None:
        try:
            sums["b2"] = backend.g2_msm(prepared.b_g2, w)
        except BaseException as error:  # re-raised on the calling thread below
            failures.append(error)

    worker = threading.Thread(target=g2, name="zkm-g2-msm")
    worker.start()
    try:
        sums["a"] = backend.g1_msm(prepared.a, w)
        sums["b1"] = backend.g1_msm(prepared.b_g1, w)
        sums["l_h"] = backend.g1_msm(prepared.l_h, l_h_scalars)
    finally:
        worker.join()
    if failures:
        raise failures[0]
    return sums


def prove(
    pk: ProvingKey | LoadedProvingKey,
    witness: Sequence[int] | bytes,
    *,
    backend: Backend | None = None,
    self_check: bool = True,
    rng: random.Random | None = None,
    fixed: tuple[Iterable[int], FixedWireSums] | None = None,
) -> tuple[Proof, list[int]]:
    """Return a Groth16 proof for ``witness`` under ``pk`` and the public inputs it proves.

    Args:
        pk: the proving key (its queries are loaded into ``backend`` once and cached), or
            a key from :func:`prover.zkey.load_zkey`, already loaded into its backend.
        witness: all ``pk.n_wires`` wire values (canonical Fr, wire 0 = 1), as ints or as
            one buffer of 32-byte little-endian words.
        backend: the algebra backend (default: :func:`algebra.backend.get_backend`, or the
            one a loaded key lives in).
        self_check: verify the proof before returning it (recommended; one multi-pairing).
        rng: source of the blinding scalars ``r, s``; default the OS CSPRNG
            (``os.urandom``). The proof is zero-knowledge only if they are secret and
            uniform: pass a seeded ``random.Random`` only in tests.
        fixed: ``(wires, sums)``: private wires whose terms ``sums`` (from
            :func:`fixed_wire_sums` at the same values) replace their part of the MSMs.

    Raises:
        ValueError: ``pk`` is a loaded key and ``backend`` is a different backend.
        MalformedInputError: the witness has the wrong length or a value ≥ r.
        ProofSelfCheckError: the witness does not satisfy the circuit behind ``pk``.
    """
    prepared = _prepared(pk, backend)
    chosen = prepared.backend
    w = witness_to_bytes(witness, pk.n_wires)
    h = quotient_evaluations(chosen, prepared, w)
    if fixed is None:
        sums = _msms(chosen, prepared, w, w[(pk.n_public + 1) * FR_BYTES :] + h)
    else:
        wires, known = fixed
        others = bytearray(w)
        for start, stop in _wire_runs(wires, pk.n_public, pk.n_wires):
            others[start * FR_BYTES : stop * FR_BYTES] = bytes((stop - start) * FR_BYTES)
        rest = bytes(others)
        sums = _msms(chosen, prepared, rest, rest[(pk.n_public + 1) * FR_BYTES :] + h)
        sums["a"] = chosen.g1_add(sums["a"], known.a_g1)
        sums["b1"] = chosen.g1_add(sums["b1"], known.b_g1)
        sums["b2"] = chosen.g2_add(sums["b2"], known.b_g2)
        sums["l_h"] = chosen.g1_add(sums["l_h"], known.l_g1)
    r, s = _blinding_scalars(rng)
    a, b, c = _blind(chosen, prepared, sums, r, s)
    proof = Proof(a=g1_from_bytes(a), b=g2_from_bytes(b), c=g1_from_bytes(c))
    public = fr_vector_from_bytes(w[FR_BYTES : (pk.n_public + 1) * FR_BYTES])
    if self_check:
        from verifier.verify import verify

        if not verify(pk.vk, proof, public, backend=chosen):
            raise ProofSelfCheckError(
                "the witness does not satisfy the circuit of this proving key "
                "(the proof does not verify)"
            )
    return proof, public
