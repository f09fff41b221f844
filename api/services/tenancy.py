"""Tenancy: which venue an account belongs to, which epochs are open, and who may see what.

Accounts are enrolled to a venue by the admin; a venue key acts only for its venue's
accounts. Epochs are opened by the admin for one market (or by a configured
:class:`EpochSchedule`); an oracle key posts snapshots only
for epochs of the markets it serves, and snapshots and commitments are accepted only for
opened epochs, so nobody can squat a far-future epoch. Reads are scoped before anything is
loaded: a record the caller may not see answers exactly like a missing one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal, Role
from api.models import Account, Epoch, utc_now
from api.services.audit import record_write
from api.services.errors import ConflictError, NotFoundError, ServiceError
from api.writer import GroupCommitter

MAX_ENROLL = 1000
"""Most accounts one enrolment request may name."""


class ScopeError(ServiceError):
    """The key may not act on this resource (its venue or market differs)."""

    status_code = 403


class EpochNotOpenError(ServiceError):
    """Snapshots and commitments are accepted only for epochs the admin opened."""

    status_code = 422


NO_SUCH_ACCOUNT = "this key's venue has no such account"
SCHEDULE = "schedule"
"""The ``opened_by`` of epochs the configured schedule opened."""


def enroll_accounts(
    *, writer: GroupCommitter, principal: Principal, venue_id: str, account_ids: Sequence[str]
) -> list[Account]:
    """Enrol ``account_ids`` to ``venue_id`` (admin); accounts already there are kept as they are.

    Raises:
        ConflictError: an account already belongs to another venue (nothing is enrolled).
    """
    wanted = sorted(set(account_ids))

    def job(session: Session) -> list[Account]:
        existing = {
            a.account_id: a
            for a in session.scalars(select(Account).where(Account.account_id.in_(wanted)))
        }
        elsewhere = sorted(a for a, rec in existing.items() if rec.venue_id != venue_id)
        if elsewhere:
            raise ConflictError(f"account {elsewhere[0]} already belongs to another venue")
        added = [
            Account(account_id=a, venue_id=venue_id, created_by=principal.key_id,
                    created_at=utc_now())
            for a in wanted if a not in existing
        ]  # fmt: skip
        session.add_all(added)
        if added:
            record_write(
                session=session,
                key_id=principal.key_id,
                role=principal.role.value,
                action="accounts.enroll",
                target=f"venue={venue_id}",
                detail={"accounts": [a.account_id for a in added]},
            )
        return [existing.get(a) or next(x for x in added if x.account_id == a) for a in wanted]

    return writer.run(job)


def venue_accounts(*, session: Session, venue_id: str) -> Sequence[Account]:
    """Return the accounts of ``venue_id``, by id."""
    query = select(Account).where(Account.venue_id == venue_id).order_by(Account.account_id)
    return session.scalars(query).all()


def may_see_account(session: Session, principal: Principal, account_id: str) -> bool:
    """Return whether ``principal`` may see or act for ``account_id``.

    Traders see their key's accounts, venue keys their venue's accounts, every other role
    every account.
    """
    if principal.role is Role.TRADER:
        return account_id in principal.accounts
    if principal.role is Role.VENUE:
        owner = session.scalar(select(Account.venue_id).where(Account.account_id == account_id))
        return owner is not None and owner == principal.venue_id
    return True


def require_venue_account(session: Session, principal: Principal, account_id: str) -> None:
    """Refuse (404) a venue key acting for an account that is not its venue's.

    An account of another venue and an account nobody enrolled get the same answer.
    """
    if not may_see_account(session, principal, account_id):
        raise NotFoundError(NO_SUCH_ACCOUNT)


def open_epoch(
    *, writer: GroupCommitter, principal: Principal, epoch: int, market: str
) -> tuple[Epoch, bool]:
    """Open ``epoch`` for ``market`` (admin); return (record, created). Reopening is a no-op.

    Raises:
        ConflictError: the epoch is already open for another market.
    """

    def job(session: Session) -> tuple[Epoch, bool]:
        existing = session.get(Epoch, epoch)
        if existing is not None:
            if existing.market != market:
                raise ConflictError(f"epoch {epoch} is already open for market {existing.market}")
            return existing, False
        record = Epoch(epoch=epoch, market=market, opened_by=principal.key_id, opened_at=utc_now())
        session.add(record)
        record_write(
            session=session,
            key_id=principal.key_id,
            role=principal.role.value,
            action="epoch.open",
            target=f"epoch={epoch}",
            detail={"market": market},
        )
        return record, True

    return writer.run(job)


@dataclass(frozen=True)
class EpochSchedule:
    """Epochs opened by the clock: epoch ``e`` starts at ``origin + e * seconds`` (Unix time).

    The current epoch and the next one are open for ``market``; later ones are not, so a
    schedule opens nothing far ahead.
    """

    seconds: int
    origin: int
    market: str

    def admits(self, epoch: int, now: float) -> bool:
        """Return whether the schedule has opened ``epoch`` at Unix time ``now``."""
        current = int((now - self.origin) // self.seconds)
        return 0 <= epoch <= current + 1


def require_open_epoch(
    session: Session, epoch: int, schedule: EpochSchedule | None = None
) -> tuple[Epoch, bool]:
    """Return (the opened epoch ``epoch``, whether the schedule opens it now).

    A new record from the schedule is not added to ``session``: the caller adds it with its
    own write, once every other check has passed.

    Raises:
        EpochNotOpenError: neither the admin nor the schedule has opened it.
    """
    record = session.get(Epoch, epoch)
    if record is not None:
        return record, False
    if schedule is not None and schedule.admits(epoch, time.time()):
        opened = Epoch(epoch=epoch, market=schedule.market, opened_by=SCHEDULE,
                       opened_at=utc_now())  # fmt: skip
        return opened, True
    raise EpochNotOpenError(f"epoch {epoch} is not open (the admin opens epochs)")


def add_scheduled(session: Session, epoch: Epoch) -> None:
    """Add an epoch the schedule opened, with its audit entry."""
    session.add(epoch)
    record_write(session=session, key_id=SCHEDULE, role="schedule", action="epoch.open",
                 target=f"epoch={epoch.epoch}", detail={"market": epoch.market})  # fmt: skip


def require_market(principal: Principal, epoch: Epoch) -> None:
    """Refuse (403) an oracle key posting for an epoch of a market it does not serve."""
    if principal.role is Role.ORACLE and epoch.market not in principal.markets:
        raise ScopeError(f"this oracle key does not serve market {epoch.market}")


def get_epoch(*, session: Session, epoch: int) -> Epoch:
    """Return the opened epoch ``epoch`` (NotFoundError when it was never opened)."""
    record = session.get(Epoch, epoch)
    if record is None:
        raise NotFoundError(f"epoch {epoch} is not open")
    return record
