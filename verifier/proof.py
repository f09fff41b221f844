"""A Groth16 proof (eprint 2016/260 §3.2): the three group elements A ∈ G1, B ∈ G2, C ∈ G1.

Groth16 proofs are malleable (anyone can re-randomise a valid proof into another valid
one), so never use a proof's bytes as an identity: key records by what the proof is about.
"""

from __future__ import annotations

from dataclasses import dataclass

from algebra.constants import G1_BYTES, G2_BYTES
from algebra.encoding import g1_from_bytes, g1_to_bytes, g2_from_bytes, g2_to_bytes
from algebra.errors import MalformedInputError
from algebra.types import G1, G2

PROOF_BYTES = 2 * G1_BYTES + G2_BYTES
"""Length of :meth:`Proof.to_bytes`: A (64) ‖ B (128) ‖ C (64)."""


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof ``(A, B, C)``; points are affine tuples, ``None`` for infinity.

    Construction does not validate: :func:`verifier.verify.verify` rejects points that
    are off the curve, outside the subgroup or at infinity before any pairing.
    """

    a: G1
    b: G2
    c: G1

    def to_bytes(self) -> bytes:
        """Return the 256-byte encoding A ‖ B ‖ C (see :mod:`algebra.encoding`).

        Raises:
            MalformedInputError: a coordinate is not in ``[0, q)``.
        """
        return g1_to_bytes(self.a) + g2_to_bytes(self.b) + g1_to_bytes(self.c)

    @classmethod
    def from_bytes(cls, buffer: bytes) -> Proof:
        """Decode the 256-byte encoding A ‖ B ‖ C (no range or curve checks).

        Raises:
            MalformedInputError: the buffer is not exactly 256 bytes long.
        """
        if len(buffer) != PROOF_BYTES:
            raise MalformedInputError(f"proof encoding has {len(buffer)} bytes, expected 256")
        return cls(
            a=g1_from_bytes(buffer[:G1_BYTES]),
            b=g2_from_bytes(buffer[G1_BYTES : G1_BYTES + G2_BYTES]),
            c=g1_from_bytes(buffer[G1_BYTES + G2_BYTES :]),
        )
