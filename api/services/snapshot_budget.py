"""The snapshot budget: a posted snapshot may be no larger than a margin circuit can prove.

Hashing a snapshot (Poseidon over every slot) is the service's most expensive write: it
grows with instruments × scenarios, and one 2,000-instrument snapshot took over a minute
of CPU. A circuit proves statements about snapshots of exactly its shape (see
:mod:`circuits.margin.sizes`), so a snapshot larger than every shape margin circuits are
set up at can never be proven against, and refusing it before hashing costs nothing
legitimate. The ceiling is the slot-wise maximum of those shapes (``large``: 128
instruments, 16 collateral assets, 16 scenarios, 2 tier slots), which hashes in about
2.3 s of one core. Registered verifying keys do not carry their circuit's shape, so the
ceiling is taken from the sizes margin circuits are compiled at rather than from the keys.
"""

from __future__ import annotations

from typing import Any

from algebra.errors import MalformedInputError
from circuits.margin.sizes import SIZES, MarginSize


def snapshot_ceiling() -> MarginSize:
    """Return the slot-wise maximum of every margin circuit size."""
    sizes = list(SIZES.values())
    return MarginSize(
        "ceiling",
        max(s.n_instruments for s in sizes),
        max(s.n_collateral for s in sizes),
        max(s.n_scenarios for s in sizes),
        max(s.tier_slots for s in sizes),
        max(s.haircut_tier_slots for s in sizes),
    )


CEILING = snapshot_ceiling()


def check_snapshot_budget(raw: dict[str, Any], ceiling: MarginSize = CEILING) -> None:
    """Refuse a raw snapshot whose slot counts exceed ``ceiling``, before any parsing or hashing.

    Raises:
        MalformedInputError: naming the first count over the ceiling.
    """
    limits = (
        ("instruments", ceiling.n_instruments),
        ("collateral", ceiling.n_collateral),
        ("scenarios", ceiling.n_scenarios),
    )
    for name, most in limits:
        value = raw.get(name)
        if isinstance(value, list) and len(value) > most:
            raise MalformedInputError(
                f"snapshot has {len(value)} {name}; margin circuits prove at most {most}"
            )
    for name, most in (
        ("tier_slots", ceiling.tier_slots),
        ("haircut_tier_slots", ceiling.haircut_tier_slots),
    ):
        value = raw.get(name)
        if isinstance(value, int) and value > most:
            raise MalformedInputError(
                f"snapshot {name} is {value}; margin circuits take at most {most}"
            )
