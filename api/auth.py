"""API keys: roles, account scopes, creation and constant-time authentication.

A key reads ``zkm_<key_id>_<secret>``: ``key_id`` (12 hex digits) is public and
selects the stored record; the database keeps only SHA-256 of the whole key
(the secret has 256 bits of entropy, so a fast hash is enough), compared with
:func:`hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.orm import Session

from algebra.errors import ZkError
from api.models import ApiKey, utc_now

KEY_PATTERN = re.compile(r"^zkm_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
ACCOUNT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$"
SCOPE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
"""A venue or market name."""


class Role(StrEnum):
    """What a key may do; each route names the roles it admits."""

    ADMIN = "admin"
    ORACLE = "oracle"
    VENUE = "venue"
    TRADER = "trader"
    CLEARING = "clearing"
    AUDITOR = "auditor"


class KeyCreationError(ZkError):
    """A key cannot be created as asked (trader without accounts, venue without a venue, …)."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: key id (safe to log), role and scope.

    Traders act for ``accounts``; a venue key acts for the accounts of ``venue_id``; an
    oracle key posts snapshots for epochs of ``markets`` only.
    """

    key_id: str
    role: Role
    accounts: frozenset[str]
    venue_id: str | None = None
    markets: frozenset[str] = frozenset()

    def may_act_for(self, account_id: str) -> bool:
        """Return whether this caller may act for ``account_id`` (only traders are scoped)."""
        return self.role is not Role.TRADER or account_id in self.accounts


def hash_key(key: str) -> str:
    """Return the hex SHA-256 of ``key``, the only form in which keys are stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def _check_scope(role: Role, accounts: list[str], venue: str | None, markets: list[str]) -> None:
    if role is Role.TRADER and not accounts:
        raise KeyCreationError("a trader key needs at least one --account")
    if (role is Role.VENUE) != (venue is not None):
        raise KeyCreationError(
            "a venue key needs its --venue"
            if role is Role.VENUE
            else "only venue keys take --venue"
        )
    if (role is Role.ORACLE) != bool(markets):
        raise KeyCreationError(
            "an oracle key needs at least one --market"
            if role is Role.ORACLE
            else "only oracle keys take --market"
        )
    if accounts and role is not Role.TRADER:
        raise KeyCreationError("only trader keys take --account")
    for account in accounts:
        if not re.fullmatch(ACCOUNT_PATTERN, account):
            raise KeyCreationError(f"account id {account!r} must match {ACCOUNT_PATTERN}")
    for name in [*markets, *([venue] if venue is not None else [])]:
        if not re.fullmatch(SCOPE_NAME_PATTERN, name):
            raise KeyCreationError(f"venue or market {name!r} must match {SCOPE_NAME_PATTERN}")


def create_key(
    *,
    session: Session,
    role: Role,
    accounts: list[str],
    label: str = "",
    venue: str | None = None,
    markets: list[str] | None = None,
) -> tuple[str, Principal]:
    """Store a new key for ``role`` and return (key, principal); the key is never stored.

    Traders need ≥ 1 account, venue keys their ``venue``, oracle keys ≥ 1 of ``markets``;
    no other role takes a scope.

    Raises:
        KeyCreationError: a missing or misplaced scope, or a name that is not allowed.
    """
    market_list = sorted(set(markets or []))
    _check_scope(role, accounts, venue, market_list)
    key_id = secrets.token_hex(6)
    key = f"zkm_{key_id}_{secrets.token_urlsafe(32)}"
    session.add(
        ApiKey(
            key_id=key_id,
            key_hash=hash_key(key),
            role=role.value,
            accounts=json.dumps(sorted(set(accounts))),
            label=label[:200],
            created_at=utc_now(),
            venue_id=venue,
            markets=json.dumps(market_list) if market_list else None,
        )
    )
    principal = Principal(
        key_id=key_id,
        role=role,
        accounts=frozenset(accounts),
        venue_id=venue,
        markets=frozenset(market_list),
    )
    return key, principal


def authenticate(session: Session, key: str) -> Principal | None:
    """Return the principal holding ``key``, or None when no stored key matches it."""
    match = KEY_PATTERN.match(key)
    if match is None:
        return None
    record = session.get(ApiKey, match.group(1))
    if record is None or not hmac.compare_digest(record.key_hash, hash_key(key)):
        return None
    return Principal(
        key_id=record.key_id,
        role=Role(record.role),
        accounts=frozenset(json.loads(record.accounts)),
        venue_id=record.venue_id,
        markets=frozenset(json.loads(record.markets) if record.markets else ()),
    )


@dataclass
class KeyCache:
    """Authenticated keys by key id, per process.

    A stored key never changes (there is no update or revocation route; the table is
    insert-only), so a hit never goes stale and is never expired. A revocation feature
    must evict the key id here in every worker (or give entries a short TTL).
    """

    _known: dict[str, tuple[str, Principal]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, key: str) -> tuple[bool, Principal | None]:
        """Return (decided, principal) from memory alone, without touching the database.

        ``decided`` is True when ``key`` is malformed (principal None) or its key id is
        cached (principal None unless the key's hash matches, compared in constant time);
        False means the key id is unknown here and the database must be asked.
        """
        match = KEY_PATTERN.match(key)
        if match is None:
            return True, None
        with self._lock:
            hit = self._known.get(match.group(1))
        if hit is None:
            return False, None
        stored_hash, principal = hit
        return True, principal if hmac.compare_digest(stored_hash, hash_key(key)) else None

    def authenticate(self, session: Session, key: str) -> Principal | None:
        """Return the principal holding ``key`` (constant-time hash comparison), or None."""
        decided, principal = self.cached(key)
        if decided:
            return principal
        found = authenticate(session, key)
        if found is not None:
            with self._lock:
                self._known[found.key_id] = (hash_key(key), found)
        return found
