"""A venue's commitment registry per epoch: the freeze at the venue's cut-off and its export.

A solvency statement covers exactly the commitments a venue registered for an epoch
(issue #18), so that list must stop changing before the statement means anything. The venue
freezes (venue, epoch); from then on no commitment of its accounts is registered or voided at
that epoch, and anyone with a key can export the frozen list in canonical (ascending) order
— the order :func:`circuits.solvency.epoch.canonical_order` defines, so the export is the
list a valid bundle must carry. An unfrozen registry is never exported.

Serialisation: within one process the single writer thread orders every write. Across
workers on PostgreSQL, registrations and voids take a shared transaction-level advisory lock
on (venue, epoch) and a freeze takes it exclusively, so a freeze waits for registrations in
flight and counts them, and a registration that starts after a freeze sees it. (SQLite has
one writer per database file: a write transaction whose read went stale fails and reruns.)
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from api.auth import Principal
from api.models import Account, Commitment, RegistryFreeze, utc_now
from api.services.audit import record_write
from api.services.errors import ConflictError, NotFoundError
from api.services.tenancy import EpochSchedule, add_scheduled, require_open_epoch
from api.writer import GroupCommitter


class RegistryFrozenError(ConflictError):
    """The venue froze its registry at the epoch: no registration or void is accepted."""


class RegistryNotFrozenError(ConflictError):
    """The venue has not frozen its registry at the epoch: the list may still change."""


def _lock(session: Session, venue_id: str, epoch: int, *, exclusive: bool) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    # Two int4 keys: a CRC of the venue and the epoch folded to 31 bits. A collision only
    # serialises two unrelated (venue, epoch) pairs, never lets a write through.
    keys = {"venue": zlib.crc32(venue_id.encode()) & 0x7FFFFFFF, "epoch": epoch % (1 << 31)}
    kind = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    session.execute(text(f"SELECT {kind}(:venue, :epoch)"), keys)


def frozen_at(session: Session, venue_id: str, epoch: int) -> RegistryFreeze | None:
    """Return the freeze of (venue, epoch), or None while the registry is open."""
    return session.get(RegistryFreeze, (venue_id, epoch))


def require_registry_open(session: Session, account_id: str, epoch: int) -> None:
    """Refuse (409) a registration or void at ``epoch`` for an account whose venue froze it.

    Takes the shared (venue, epoch) lock first (module docstring). An account nobody enrolled
    has no registry to check: the caller's own scope check answers for it.
    """
    venue_id = session.scalar(select(Account.venue_id).where(Account.account_id == account_id))
    if venue_id is None:
        return
    _lock(session, venue_id, epoch, exclusive=False)
    freeze = frozen_at(session, venue_id, epoch)
    if freeze is not None:
        raise RegistryFrozenError(
            f"the venue's commitment registry for epoch {epoch} is frozen (cut-off"
            f" {freeze.frozen_at.isoformat()}): no registration or void is accepted"
        )


def venue_commitments(session: Session, venue_id: str, epoch: int) -> list[int]:
    """Return the commitments of the venue's accounts at ``epoch``, in canonical order."""
    query = (
        select(Commitment.commitment)
        .join(Account, Account.account_id == Commitment.account_id)
        .where(Account.venue_id == venue_id, Commitment.epoch == epoch)
    )
    return sorted(int(value) for value in session.scalars(query))


def list_digest(commitments: Sequence[int]) -> str:
    """Return the SHA-256 (hex) of the ordered list, one decimal per line."""
    return hashlib.sha256("".join(f"{c}\n" for c in commitments).encode()).hexdigest()


def freeze_registry(
    *,
    writer: GroupCommitter,
    principal: Principal,
    epoch: int,
    schedule: EpochSchedule | None = None,
) -> tuple[RegistryFreeze, bool]:
    """Freeze the key's venue's registry at ``epoch`` now; return (record, created).

    Freezing again is a no-op that returns the first freeze.

    Raises:
        EpochNotOpenError: the epoch is not open.
        ConflictError: the venue registered no commitment at the epoch (nothing to freeze).
    """
    venue_id = principal.venue_id
    assert venue_id is not None  # a venue key always names its venue (api.auth)

    def job(session: Session) -> tuple[RegistryFreeze, bool]:
        existing = frozen_at(session, venue_id, epoch)
        if existing is not None:
            return existing, False
        record, scheduled = require_open_epoch(session, epoch, schedule)
        _lock(session, venue_id, epoch, exclusive=True)
        listed = venue_commitments(session, venue_id, epoch)
        if not listed:
            raise ConflictError(
                f"the venue has no commitment registered at epoch {epoch}: nothing to freeze"
            )
        if scheduled:
            add_scheduled(session, record)
        freeze = RegistryFreeze(
            venue_id=venue_id,
            epoch=epoch,
            frozen_at=utc_now(),
            frozen_by=principal.key_id,
            n_commitments=len(listed),
            list_sha256=list_digest(listed),
        )
        session.add(freeze)
        record_write(
            session=session,
            key_id=principal.key_id,
            role=principal.role.value,
            action="registry.freeze",
            target=f"venue={venue_id} epoch={epoch}",
            detail={"n_commitments": len(listed), "list_sha256": freeze.list_sha256},
        )
        return freeze, True

    return writer.run(job)


def frozen_registry(
    *, session: Session, venue_id: str, epoch: int
) -> tuple[RegistryFreeze, list[int]]:
    """Return the freeze of (venue, epoch) and its commitments in canonical order.

    Raises:
        NotFoundError: the venue has no account at all.
        RegistryNotFrozenError: the venue has not frozen the registry at the epoch.
        ConflictError: the list no longer matches the one recorded at the freeze (a write
            got past the freeze: the service refuses to vouch for either list).
    """
    freeze = frozen_at(session, venue_id, epoch)
    if freeze is None:
        has_accounts = session.scalar(
            select(func.count()).select_from(Account).where(Account.venue_id == venue_id)
        )
        if not has_accounts:
            raise NotFoundError(f"no venue {venue_id}")
        raise RegistryNotFrozenError(
            f"venue {venue_id} has not frozen its commitment registry for epoch {epoch}: the"
            " list may still change (the venue freezes it with POST"
            f" /v1/epochs/{epoch}/freeze)"
        )
    listed = venue_commitments(session, venue_id, epoch)
    if len(listed) != freeze.n_commitments or list_digest(listed) != freeze.list_sha256:
        raise ConflictError(
            f"venue {venue_id}'s registry for epoch {epoch} differs from the list frozen at"
            " the cut-off"
        )
    return freeze, listed
