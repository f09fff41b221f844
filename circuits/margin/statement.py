"""The public statement of a margin proof: ``[C, snapshot_hash, requirement_kind, buffer_ppm]``.

``requirement_kind`` is 0 for maintenance and 1 for initial; ``buffer_ppm ≥ 10^6`` scales
the requirement (1_250_000 proves ``equity ≥ 1.25 × requirement``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from algebra.constants import SCALAR_FIELD_R
from circuits.margin.errors import MarginInputError
from circuits.margin.units import MAX_BUFFER_PPM, MIN_BUFFER_PPM

REQUIREMENT_MAINTENANCE: Final = 0
REQUIREMENT_INITIAL: Final = 1
KIND_NAMES: Final = {"maintenance": REQUIREMENT_MAINTENANCE, "initial": REQUIREMENT_INITIAL}
N_PUBLIC_INPUTS: Final = 4


def parse_kind(name: str) -> int:
    """Return the code of ``"maintenance"`` or ``"initial"``; MarginInputError otherwise."""
    try:
        return KIND_NAMES[name]
    except KeyError:
        raise MarginInputError(
            f"requirement kind must be maintenance or initial, got {name!r}"
        ) from None


def kind_name(kind: int) -> str:
    """Return ``"maintenance"`` or ``"initial"`` for a kind code."""
    return "initial" if kind == REQUIREMENT_INITIAL else "maintenance"


def check_statement(kind: int, buffer_ppm: int) -> None:
    """Raise MarginInputError unless kind ∈ {0, 1} and buffer_ppm ∈ [10^6, 10^6 + 2^32)."""
    if kind not in (REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL) or isinstance(kind, bool):
        raise MarginInputError(f"requirement_kind must be 0 or 1, got {kind!r}")
    if isinstance(buffer_ppm, bool) or not isinstance(buffer_ppm, int):
        raise MarginInputError("buffer_ppm must be an integer")
    if not MIN_BUFFER_PPM <= buffer_ppm <= MAX_BUFFER_PPM:
        raise MarginInputError(
            f"buffer_ppm must be in [{MIN_BUFFER_PPM}, {MAX_BUFFER_PPM}], got {buffer_ppm}"
        )


@dataclass(frozen=True)
class MarginPublicInputs:
    """The four public inputs of ``MarginCircuit``, in wire order."""

    commitment: int
    snapshot_hash: int
    requirement_kind: int
    buffer_ppm: int

    def __post_init__(self) -> None:
        for name in ("commitment", "snapshot_hash"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise MarginInputError(f"{name} must be an integer")
            if not 0 <= value < SCALAR_FIELD_R:
                raise MarginInputError(f"{name} is not a canonical field element in [0, r)")
        check_statement(self.requirement_kind, self.buffer_ppm)

    def to_list(self) -> list[int]:
        """Return ``[C, snapshot_hash, requirement_kind, buffer_ppm]``."""
        return [self.commitment, self.snapshot_hash, self.requirement_kind, self.buffer_ppm]

    @classmethod
    def from_list(cls, values: Sequence[int]) -> MarginPublicInputs:
        """Parse the four public inputs; MarginInputError on a wrong count or value."""
        if len(values) != N_PUBLIC_INPUTS:
            raise MarginInputError(
                f"a margin statement has {N_PUBLIC_INPUTS} public inputs, got {len(values)}"
            )
        return cls(*values)
