"""Input hardening shared by :mod:`verifier.verify` and :mod:`verifier.batch`.

Everything a prover controls is checked here before any pairing: public inputs are
canonical Fr elements (Python ints in ``[0, r)``, the right number of them), and proof
points have coordinates ``< q``, are not the point at infinity, and lie on their curve
(G1 has cofactor 1; the backend checks G2 subgroup membership).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from algebra.backend import Backend
from algebra.constants import SCALAR_FIELD_R
from algebra.encoding import g1_to_bytes, g2_to_bytes
from algebra.errors import MalformedInputError
from verifier.proof import Proof

_P = TypeVar("_P")


def check_public_inputs(n_public: int, public_inputs: Sequence[int]) -> list[int]:
    """Return the inputs as a list after checking there are ``n_public`` ints, each in ``[0, r)``.

    Raises:
        MalformedInputError: wrong count, a non-integer, or a value outside ``[0, r)``.
    """
    values = list(public_inputs)
    if len(values) != n_public:
        raise MalformedInputError(
            f"expected {n_public} public inputs for this verifying key, got {len(values)}"
        )
    for index, value in enumerate(values):
        if type(value) is not int:
            raise MalformedInputError(f"public input #{index} is not an integer")
        if not 0 <= value < SCALAR_FIELD_R:
            raise MalformedInputError(f"public input #{index} is not in [0, r)")
    return values


def encode_proof(proof: Proof) -> tuple[bytes, bytes, bytes]:
    """Return the encodings of A, B, C after rejecting infinity and coordinates outside ``[0, q)``.

    Raises:
        MalformedInputError: naming the offending proof element.
    """
    if not isinstance(proof, Proof):
        raise MalformedInputError("proof is not a Proof")
    try:
        a = _encoded("a", proof.a, g1_to_bytes)
        b = _encoded("b", proof.b, g2_to_bytes)
        c = _encoded("c", proof.c, g1_to_bytes)
    except (TypeError, ValueError, OverflowError, AttributeError, IndexError) as error:
        raise MalformedInputError("proof coordinates are not integers in [0, q)") from error
    return a, b, c


def _encoded(name: str, point: _P, encode: Callable[[_P], bytes]) -> bytes:
    if point is None:
        raise MalformedInputError(f"proof.{name} is the point at infinity")
    try:
        return encode(point)
    except MalformedInputError as error:
        raise MalformedInputError(f"proof.{name}: {error}") from error


def validate_proof(backend: Backend, proof: Proof) -> tuple[bytes, bytes, bytes]:
    """Return the encodings of A, B, C after full validation (see :func:`encode_proof`).

    Raises:
        MalformedInputError: a point is malformed, off its curve, or (B) outside the subgroup.
    """
    a, b, c = encode_proof(proof)
    for name, encoded, validate in (
        ("a", a, backend.g1_validate),
        ("b", b, backend.g2_validate),
        ("c", c, backend.g1_validate),
    ):
        try:
            validate(encoded)
        except MalformedInputError as error:
            raise MalformedInputError(f"proof.{name}: {error}") from error
    return a, b, c
