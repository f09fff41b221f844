"""Solvency totals and their Poseidon accumulator: what a chain of ``SolvencyChunk`` proofs carries.

The accumulator of totals ``T = (liabilities, deficit, at_risk, maintenance, initial, count)``
is ``acc_k(T) = Poseidon(ACCUMULATOR_TAG, k, T…)`` for chunks of k slots; the chain starts at
``ACC_0 = acc_k(0, …, 0)``. Binding k keeps a proof made with keys for another chunk size (a
Merkle node one level lower, read as a commitment) out of the chain.
A chunk proves ``acc_in = acc(T_prev)`` and ``acc_out = acc(T_prev + chunk sums)``, so the
last ``acc_N`` opens (by Poseidon's collision resistance) to the totals of every chunk.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from typing import Final

from algebra.errors import MalformedInputError
from circuits.std.poseidon import poseidon

ACCUMULATOR_TAG: Final = 0x736F6C76656E6379  # "solvency": keeps acc apart from other Poseidon(7)s
TOTAL_BITS: Final = 200
"""Every running total is range-checked to 200 bits: 2^64 accounts of < 2^136 each fit, and
2^200 ≪ r, so a sum can never wrap around the field."""
COUNT_BITS: Final = 64


@dataclass(frozen=True)
class SolvencyTotals:
    """Venue totals in quote quantums (QQ) over ``count`` accounts.

    ``liabilities = Σ max(0, equity)`` (owed to traders), ``deficit = Σ max(0, −equity)``
    (bankrupt accounts' losses), ``at_risk = Σ max(0, MM − equity)``, ``maintenance`` and
    ``initial`` the requirement totals.
    """

    liabilities: int = 0
    deficit: int = 0
    at_risk: int = 0
    maintenance: int = 0
    initial: int = 0
    count: int = 0

    def __post_init__(self) -> None:
        for name, value in zip(self.names(), astuple(self), strict=True):
            if isinstance(value, bool) or not isinstance(value, int):
                raise MalformedInputError(f"solvency total {name} is not an integer")
            bits = COUNT_BITS if name == "count" else TOTAL_BITS
            if not 0 <= value < 1 << bits:
                raise MalformedInputError(f"solvency total {name} is outside [0, 2^{bits})")

    @staticmethod
    def names() -> list[str]:
        """Return the field names, in accumulator order."""
        return [f.name for f in fields(SolvencyTotals)]

    def to_list(self) -> list[int]:
        """Return the totals in accumulator order."""
        return list(astuple(self))

    def __add__(self, other: SolvencyTotals) -> SolvencyTotals:
        return SolvencyTotals(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def to_json(self) -> dict[str, str]:
        """Return the totals as decimal strings (they exceed 2^53)."""
        return {name: str(value) for name, value in zip(self.names(), astuple(self), strict=True)}

    @classmethod
    def from_json(cls, data: object) -> SolvencyTotals:
        """Parse :meth:`to_json`'s output; MalformedInputError on anything else."""
        if not isinstance(data, dict) or set(data) != set(cls.names()):
            raise MalformedInputError(f"solvency totals must have exactly {', '.join(cls.names())}")
        try:
            return cls(*(int(str(data[name]), 10) for name in cls.names()))
        except ValueError:
            raise MalformedInputError("solvency totals must be decimal integers") from None


def accumulator(totals: SolvencyTotals, chunk: int) -> int:
    """Return ``Poseidon(ACCUMULATOR_TAG, k, liabilities, deficit, at_risk, MM, IM, count)``."""
    return poseidon([ACCUMULATOR_TAG, chunk, *totals.to_list()])


def acc_zero(chunk: int) -> int:
    """Return ``ACC_0``, the fixed start of every epoch's chain for chunks of ``chunk`` slots."""
    return accumulator(SolvencyTotals(), chunk)
