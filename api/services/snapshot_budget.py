"""The snapshot budget: a posted snapshot may be no larger than a margin circuit can prove.

Hashing a snapshot (Poseidon over every slot) is the service's most expensive write: it
grows with instruments × scenarios, and one 2,000-instrument snapshot took over a minute
of CPU. A circuit proves statements about snapshots of exactly its shape (see
:mod:`circuits.margin.sizes`), so a snapshot larger than every shape margin circuits are
set up at can never be proven against, and refusing it before hashing costs nothing
legitimate. The ceiling is the slot-wise maximum of the named sizes (``large``: 128
instruments, 16 collateral assets, 16 scenarios, 2 tier slots), which hashes in about
2.3 s of one core, and of the shapes recorded for registered, unretired margin circuits
(``zkm margin setup --tier-slots 4 …`` writes the shape into the key file, and the admin
registering the circuit vouches for it): a venue with a custom shape gets its snapshots
accepted once its circuit is registered, and nobody else can raise the ceiling.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from algebra.errors import MalformedInputError
from api.models import Circuit
from circuits.margin.sizes import SIZES, MarginSize, size_of_shape


def snapshot_ceiling(extra: Iterable[MarginSize] = ()) -> MarginSize:
    """Return the slot-wise maximum of every named margin circuit size and of ``extra``."""
    sizes = [*SIZES.values(), *extra]
    return MarginSize(
        "ceiling",
        max(s.n_instruments for s in sizes),
        max(s.n_collateral for s in sizes),
        max(s.n_scenarios for s in sizes),
        max(s.tier_slots for s in sizes),
        max(s.haircut_tier_slots for s in sizes),
    )


CEILING = snapshot_ceiling()


def registered_shapes(session: Session) -> list[MarginSize]:
    """Return the shapes recorded for registered, unretired margin circuits."""
    rows = session.scalars(
        select(Circuit.margin_shape).where(
            Circuit.margin.is_(True),
            Circuit.margin_shape.is_not(None),
            Circuit.retired_at.is_(None),
        )
    ).all()
    return [size_of_shape(json.loads(row)) for row in rows if row is not None]


def registered_ceiling(session: Session) -> MarginSize:
    """Return the ceiling over the named sizes and every registered margin circuit's shape."""
    return snapshot_ceiling(registered_shapes(session))


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
