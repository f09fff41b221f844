"""Where a Groth16 key came from, and therefore whether anyone could forge proofs under it.

One enum, shared by the ceremony tools (``zkm zkey verify``, ``zkm zkey contribute``,
``zkm margin setup``), the exported ``verification_key.json`` (as a field snarkjs ignores) and
the verifier service's circuit registry:

- ``dev``: the single-party dev setup; the process that made it held the toxic waste.
- ``uncontributed``: derived from a ceremony's ptau but with no phase-2 contribution yet
  (γ = δ = G2), so anyone can forge (A = α, B = β, C = −vk_x).
- ``ceremony-verified``: phase 2 has at least one contribution and the transcript passed
  ``zkm zkey verify`` against the circuit's r1cs and the ptau.

A provenance written in a file is only its author's claim; the service trusts
``ceremony-verified`` only with a verification record (see ``docs/security.md``).
"""

from __future__ import annotations

from enum import StrEnum

from algebra.errors import FormatError


class KeyProvenance(StrEnum):
    """How a key was made; only ``CEREMONY_VERIFIED`` keys are safe outside a demo."""

    DEV = "dev"
    UNCONTRIBUTED = "uncontributed"
    CEREMONY_VERIFIED = "ceremony-verified"

    @property
    def is_unsafe(self) -> bool:
        """True for keys whose trapdoor someone may know (``dev`` and ``uncontributed``)."""
        return self is not KeyProvenance.CEREMONY_VERIFIED


PROVENANCE_JSON_FIELD = "zkm_provenance"
"""The ``verification_key.json`` field carrying a :class:`KeyProvenance` (snarkjs ignores it)."""


def parse_provenance(value: object, *, what: str = "provenance") -> KeyProvenance:
    """Return the :class:`KeyProvenance` named by ``value``.

    Raises:
        FormatError: ``value`` is not one of ``dev``, ``uncontributed``, ``ceremony-verified``.
    """
    if isinstance(value, str):
        try:
            return KeyProvenance(value)
        except ValueError:
            pass
    allowed = ", ".join(p.value for p in KeyProvenance)
    raise FormatError(f"{what}: expected one of {allowed}, got {value!r:.40}")
