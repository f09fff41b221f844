"""Groth16 verifying keys (eprint 2016/260 §3.2, arkworks naming) and their prepared form.

A :class:`VerifyingKey` is plain data. :func:`prepare_verifying_key` validates it once with
a backend and caches everything a verification needs in encoded form — the IC base table,
α, and the negated G2 elements −β, −γ, −δ — so repeated verification re-encodes nothing
and negates nothing per proof. The check ``e(A,B) = e(α,β)·e(vk_x,γ)·e(C,δ)`` becomes the
single product ``e(A,B)·e(α,−β)·e(vk_x,−γ)·e(C,−δ) = 1``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from algebra.backend import Backend, G1Bases
from algebra.constants import FIELD_MODULUS_Q
from algebra.encoding import g1_to_bytes, g1_vector_to_bytes, g2_to_bytes
from algebra.errors import MalformedInputError
from algebra.types import G1, G2

_FINGERPRINT_DOMAIN = b"zkmargin/groth16/verifying-key/v1"


@dataclass(frozen=True)
class VerifyingKey:
    """A Groth16 verifying key; ``gamma_abc_g1[0]`` is the constant term, one more per public input.

    ``gamma_abc_g1`` accepts any sequence and is stored as a tuple, so the key is hashable.
    """

    alpha_g1: G1
    beta_g2: G2
    gamma_g2: G2
    delta_g2: G2
    gamma_abc_g1: Sequence[G1]

    def __post_init__(self) -> None:
        object.__setattr__(self, "gamma_abc_g1", tuple(self.gamma_abc_g1))
        if not self.gamma_abc_g1:
            raise MalformedInputError("verifying key gamma_abc_g1 is empty (needs ≥ 1 point)")

    @property
    def n_public(self) -> int:
        """Number of public inputs the key accepts: ``len(gamma_abc_g1) − 1``."""
        return len(self.gamma_abc_g1) - 1

    def to_bytes(self) -> bytes:
        """Return the canonical encoding α ‖ β ‖ γ ‖ δ ‖ u32-LE count ‖ IC₀ ‖ ….

        Raises:
            MalformedInputError: a coordinate is not in ``[0, q)``.
        """
        return (
            g1_to_bytes(self.alpha_g1)
            + g2_to_bytes(self.beta_g2)
            + g2_to_bytes(self.gamma_g2)
            + g2_to_bytes(self.delta_g2)
            + len(self.gamma_abc_g1).to_bytes(4, "little")
            + g1_vector_to_bytes(self.gamma_abc_g1)
        )

    def fingerprint(self) -> str:
        """Return the hex SHA-256 of a domain tag followed by :meth:`to_bytes`."""
        return hashlib.sha256(_FINGERPRINT_DOMAIN + self.to_bytes()).hexdigest()


@dataclass(frozen=True)
class PreparedVerifyingKey:
    """A validated verifying key with its per-backend encodings cached.

    Attributes:
        vk: the key it was prepared from.
        backend: the backend whose base-table handle ``ic_bases`` belongs to.
        ic_bases: ``gamma_abc_g1`` loaded once as a G1 base table.
        alpha_g1_bytes: the 64-byte α.
        neg_beta_g2_bytes, neg_gamma_g2_bytes, neg_delta_g2_bytes: 128-byte −β, −γ, −δ.
    """

    vk: VerifyingKey
    backend: Backend
    ic_bases: G1Bases
    alpha_g1_bytes: bytes
    neg_beta_g2_bytes: bytes
    neg_gamma_g2_bytes: bytes
    neg_delta_g2_bytes: bytes

    @property
    def n_public(self) -> int:
        """Number of public inputs the key accepts."""
        return self.vk.n_public


def _neg_g2(point: G2) -> G2:
    if point is None:
        return None
    x, (y0, y1) = point
    return (x, ((-y0) % FIELD_MODULUS_Q, (-y1) % FIELD_MODULUS_Q))


def _validate_g1(backend: Backend, what: str, points: Sequence[G1]) -> bytes:
    try:
        encoded = g1_vector_to_bytes(points)
        backend.g1_validate(encoded)
    except MalformedInputError as error:
        raise MalformedInputError(f"verifying key {what}: {error}") from error
    return encoded


def _validate_g2(backend: Backend, what: str, point: G2) -> bytes:
    if point is None:
        raise MalformedInputError(f"verifying key {what} is the point at infinity")
    try:
        encoded = g2_to_bytes(point)
        backend.g2_validate(encoded)
    except MalformedInputError as error:
        raise MalformedInputError(f"verifying key {what}: {error}") from error
    return encoded


def prepare_verifying_key(vk: VerifyingKey, backend: Backend) -> PreparedVerifyingKey:
    """Validate ``vk`` with ``backend`` and return its prepared form.

    Every point must have coordinates < q and lie on its curve; the G2 points must be in
    the order-r subgroup; α, β, γ, δ must not be the point at infinity (IC points may be).

    Raises:
        MalformedInputError: naming the offending field.
    """
    if vk.alpha_g1 is None:
        raise MalformedInputError("verifying key alpha_g1 is the point at infinity")
    alpha = _validate_g1(backend, "alpha_g1", [vk.alpha_g1])
    ic = _validate_g1(backend, "gamma_abc_g1", vk.gamma_abc_g1)
    _validate_g2(backend, "beta_g2", vk.beta_g2)
    _validate_g2(backend, "gamma_g2", vk.gamma_g2)
    _validate_g2(backend, "delta_g2", vk.delta_g2)
    return PreparedVerifyingKey(
        vk=vk,
        backend=backend,
        ic_bases=backend.g1_load_bases(ic),
        alpha_g1_bytes=alpha,
        neg_beta_g2_bytes=g2_to_bytes(_neg_g2(vk.beta_g2)),
        neg_gamma_g2_bytes=g2_to_bytes(_neg_g2(vk.gamma_g2)),
        neg_delta_g2_bytes=g2_to_bytes(_neg_g2(vk.delta_g2)),
    )


_CACHE_LIMIT = 64
_cache: dict[tuple[int, VerifyingKey], PreparedVerifyingKey] = {}
_cache_lock = threading.Lock()


def prepared(vk: VerifyingKey | PreparedVerifyingKey, backend: Backend) -> PreparedVerifyingKey:
    """Return ``vk`` prepared for ``backend``, reusing a cached preparation when there is one.

    A :class:`PreparedVerifyingKey` for the same backend is returned as is.

    Raises:
        MalformedInputError: the key is malformed (see :func:`prepare_verifying_key`).
    """
    if isinstance(vk, PreparedVerifyingKey):
        if vk.backend is backend:
            return vk
        vk = vk.vk
    # The cached value holds a reference to ``backend``, so its id cannot be reused meanwhile.
    key = (id(backend), vk)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    fresh = prepare_verifying_key(vk, backend)
    with _cache_lock:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[key] = fresh
    return fresh
