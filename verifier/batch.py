"""Batch Groth16 verification by random linear combination, with bisection to name failures.

For proofs ``(Aᵢ, Bᵢ, Cᵢ)`` with inputs ``xᵢ`` and independent random 128-bit scalars
``rᵢ ≠ 0`` drawn after the proofs are fixed, all proofs are valid (except with
probability ≤ 2⁻¹²⁸ per check) iff

    Π e(rᵢ·Aᵢ, Bᵢ) · e((Σrᵢ)·α, −β) · e(Σⱼ sⱼ·ICⱼ, −γ) · e(Σ rᵢ·Cᵢ, −δ) = 1,

where ``s₀ = Σ rᵢ`` and ``sⱼ = Σ rᵢ·xᵢⱼ``: n + 3 Miller loops and one final
exponentiation (Bellare–Garay–Rabin small-exponent test; see also arkworks'
``groth16`` batch notes). Each kernel runs once over the whole batch: one ``g1_scale``
for the ``rᵢ·Aᵢ``, one ``g1_msm`` for ``Σ rᵢ·Cᵢ``, one ``g1_msm`` over the IC table, one
``pairing_check``. Validation runs as one ``g1_validate``/``g2_validate`` call over the
concatenated points and falls back to per-item checks only when that fails.

When the combined check fails, the batch is bisected with the same scalars (a subset
check is the same equation restricted to the subset); a half that passes proves its
sibling holds an invalid proof, so that sibling is split without re-checking it.

A backend offering ``groth16_batch_invalid`` (``native``) runs the combined check and the
bisection in one kernel, which computes the ``rᵢ·Aᵢ`` and the ``Bᵢ`` line coefficients
once and gets each right half's value in GT by division instead of a pairing (the
product over a subset is multiplicative over disjoint subsets); the steps above are its
specification, kept as the path of the other backends and checked against it in tests.
Malformed items (see :mod:`verifier.checks`) are reported invalid with a reason and
excluded; they never abort the batch.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from algebra.backend import Backend, get_backend
from algebra.constants import FR_BYTES, SCALAR_FIELD_R
from algebra.encoding import fr_to_bytes, fr_vector_to_bytes, g1_vector_to_bytes
from algebra.errors import MalformedInputError
from verifier.checks import check_public_inputs, encode_proof
from verifier.keys import PreparedVerifyingKey, VerifyingKey, prepared
from verifier.proof import Proof

FAILED_PAIRING = "proof does not verify (pairing check failed)"
"""The reason recorded for a well-formed proof that is invalid."""

_SCALAR_BITS = 128


@dataclass(frozen=True)
class BatchResult:
    """The verdict on each item of a batch, in input order.

    Attributes:
        valid: ``valid[i]`` is whether item ``i`` is a valid proof for its inputs.
        reasons: for each invalid item, why (a malformed-input message or
            :data:`FAILED_PAIRING`).
    """

    valid: list[bool]
    reasons: dict[int, str] = field(default_factory=dict)

    @property
    def all_valid(self) -> bool:
        """Whether every item is valid (true for an empty batch)."""
        return all(self.valid)

    @property
    def invalid_indices(self) -> list[int]:
        """The indices of the invalid items, ascending."""
        return [i for i, ok in enumerate(self.valid) if not ok]


class _BatchKernel(Protocol):
    """A backend kernel doing the whole combined check and bisection (see the module docs)."""

    def __call__(
        self,
        alpha: bytes,
        ic: bytes,
        neg_g2: bytes,
        a: bytes,
        b: bytes,
        c: bytes,
        inputs: bytes,
        scalars: bytes,
    ) -> list[int]: ...


@dataclass
class _Batch:
    """The well-formed items, encoded; ``index[k]`` is item k's position in the input."""

    index: list[int] = field(default_factory=list)
    a: list[bytes] = field(default_factory=list)
    b: list[bytes] = field(default_factory=list)
    c: list[bytes] = field(default_factory=list)
    inputs: list[list[int]] = field(default_factory=list)


def batch_verify(
    vk: VerifyingKey | PreparedVerifyingKey,
    items: Sequence[tuple[Proof, Sequence[int]]],
    *,
    backend: Backend | None = None,
    rng: random.Random | None = None,
) -> BatchResult:
    """Return which of the ``(proof, public_inputs)`` items are valid under ``vk``.

    Args:
        vk: the verifying key shared by every item.
        items: the proofs and their public inputs.
        backend: the algebra backend (default: :func:`algebra.backend.get_backend`).
        rng: source of the 128-bit combination scalars; default the OS CSPRNG
            (:mod:`secrets`). Pass a seeded ``random.Random`` only in tests.

    Raises:
        MalformedInputError: the verifying key itself is malformed (bad items are reported
            in the result instead).
    """
    chosen = backend if backend is not None else get_backend()
    pvk = prepared(vk, chosen)
    reasons: dict[int, str] = {}
    batch = _encode_items(pvk.n_public, items, reasons)
    _validate_points(chosen, batch, reasons)
    invalid = _find_invalid_proofs(pvk, batch, rng)
    for k in invalid:
        reasons[batch.index[k]] = FAILED_PAIRING
    valid = [True] * len(items)
    for i in reasons:
        valid[i] = False
    return BatchResult(valid=valid, reasons=dict(sorted(reasons.items())))


def _encode_items(
    n_public: int, items: Sequence[tuple[Proof, Sequence[int]]], reasons: dict[int, str]
) -> _Batch:
    batch = _Batch()
    for i, item in enumerate(items):
        try:
            proof, public_inputs = item
            inputs = check_public_inputs(n_public, public_inputs)
            a, b, c = encode_proof(proof)
        except (MalformedInputError, TypeError, ValueError) as error:
            reasons[i] = _reason(error)
            continue
        batch.index.append(i)
        batch.a.append(a)
        batch.b.append(b)
        batch.c.append(c)
        batch.inputs.append(inputs)
    return batch


def _reason(error: Exception) -> str:
    if isinstance(error, MalformedInputError):
        return str(error)
    return "item is not a (Proof, public inputs) pair"


def _validate_points(backend: Backend, batch: _Batch, reasons: dict[int, str]) -> None:
    """Drop (and record) items whose points fail validation; one kernel call per group if clean."""
    failing: set[int] = set()
    for name, column, validate in (
        ("a", batch.a, backend.g1_validate),
        ("b", batch.b, backend.g2_validate),
        ("c", batch.c, backend.g1_validate),
    ):
        try:
            validate(b"".join(column))
            continue
        except MalformedInputError:
            pass
        for k, encoded in enumerate(column):
            if k in failing:
                continue
            try:
                validate(encoded)
            except MalformedInputError as error:
                failing.add(k)
                reasons[batch.index[k]] = f"proof.{name}: {error}"
    if failing:
        keep = [k for k in range(len(batch.index)) if k not in failing]
        batch.index = [batch.index[k] for k in keep]
        batch.a = [batch.a[k] for k in keep]
        batch.b = [batch.b[k] for k in keep]
        batch.c = [batch.c[k] for k in keep]
        batch.inputs = [batch.inputs[k] for k in keep]


def _draw_scalars(count: int, rng: random.Random | None) -> list[int]:
    draw: Callable[[int], int] = secrets.randbits if rng is None else rng.getrandbits
    return [draw(_SCALAR_BITS) or 1 for _ in range(count)]


def _find_invalid_proofs(
    pvk: PreparedVerifyingKey, batch: _Batch, rng: random.Random | None
) -> list[int]:
    """Return the positions (in ``batch``) of the proofs that fail the pairing equation."""
    n = len(batch.index)
    if n == 0:
        return []
    backend = pvk.backend
    scalars = _draw_scalars(n, rng)
    kernel: _BatchKernel | None = getattr(backend, "groth16_batch_invalid", None)
    if kernel is not None:
        return kernel(
            pvk.alpha_g1_bytes,
            g1_vector_to_bytes(pvk.vk.gamma_abc_g1),
            pvk.neg_beta_g2_bytes + pvk.neg_gamma_g2_bytes + pvk.neg_delta_g2_bytes,
            b"".join(batch.a),
            b"".join(batch.b),
            b"".join(batch.c),
            fr_vector_to_bytes(x for row in batch.inputs for x in row),
            b"".join(s.to_bytes(FR_BYTES, "little") for s in scalars),
        )
    scaled = backend.g1_scale(
        b"".join(batch.a), b"".join(s.to_bytes(FR_BYTES, "little") for s in scalars)
    )
    scaled_a = [scaled[64 * k : 64 * k + 64] for k in range(n)]
    g2_tail = pvk.neg_beta_g2_bytes + pvk.neg_gamma_g2_bytes + pvk.neg_delta_g2_bytes

    def check(subset: Sequence[int]) -> bool:
        sum_r, columns = _column_scalars(pvk.n_public, subset, scalars, batch.inputs)
        alpha = backend.g1_scale(pvk.alpha_g1_bytes, fr_to_bytes(sum_r))
        vk_x = backend.g1_msm(pvk.ic_bases, fr_vector_to_bytes([sum_r, *columns]))
        c_bases = backend.g1_load_bases(b"".join(batch.c[k] for k in subset))
        c_sum = backend.g1_msm(c_bases, b"".join(fr_to_bytes(scalars[k]) for k in subset))
        g1 = b"".join(scaled_a[k] for k in subset) + alpha + vk_x + c_sum
        g2 = b"".join(batch.b[k] for k in subset) + g2_tail
        return backend.pairing_check(g1, g2)

    return _bisect(check, list(range(n)))


def _column_scalars(
    n_public: int, subset: Sequence[int], scalars: Sequence[int], inputs: Sequence[list[int]]
) -> tuple[int, list[int]]:
    """Return ``(Σ rᵢ, [Σ rᵢ·xᵢⱼ]ⱼ)`` over ``subset``, reduced mod r."""
    sum_r = 0
    columns = [0] * n_public
    for k in subset:
        r_k = scalars[k]
        sum_r += r_k
        row = inputs[k]
        for j in range(n_public):
            columns[j] += r_k * row[j]
    return sum_r % SCALAR_FIELD_R, [s % SCALAR_FIELD_R for s in columns]


def _bisect(check: Callable[[Sequence[int]], bool], subset: list[int]) -> list[int]:
    """Return the members of ``subset`` that fail ``check`` on their own."""
    if check(subset):
        return []
    return _split_failing(check, subset)


def _split_failing(check: Callable[[Sequence[int]], bool], subset: list[int]) -> list[int]:
    """Like :func:`_bisect` for a subset already known to fail."""
    if len(subset) == 1:
        return subset
    half = len(subset) // 2
    left, right = subset[:half], subset[half:]
    bad_left = _bisect(check, left)
    if not bad_left:
        return _split_failing(check, right)
    return bad_left + _bisect(check, right)
