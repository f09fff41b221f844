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
import time
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.orm import Session

from algebra.errors import ZkError
from api.models import ApiKey, utc_now
from api.strict import bad_character

KEY_PATTERN = re.compile(r"^zkm_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
ACCOUNT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$"


class Role(StrEnum):
    """What a key may do; each route names the roles it admits."""

    ADMIN = "admin"
    ORACLE = "oracle"
    VENUE = "venue"
    TRADER = "trader"
    CLEARING = "clearing"
    AUDITOR = "auditor"


class KeyCreationError(ZkError):
    """A key cannot be created as asked (trader without accounts, bad account name)."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: key id (safe to log), role and account scope."""

    key_id: str
    role: Role
    accounts: frozenset[str]

    def may_act_for(self, account_id: str) -> bool:
        """Return whether this caller may act for ``account_id`` (only traders are scoped)."""
        return self.role is not Role.TRADER or account_id in self.accounts


def hash_key(key: str) -> str:
    """Return the hex SHA-256 of ``key``, the only form in which keys are stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    *, session: Session, role: Role, accounts: list[str], label: str = ""
) -> tuple[str, Principal]:
    """Store a new key for ``role`` (traders need ≥ 1 account) and return (key, principal).

    The key itself is returned once and never stored.

    Raises:
        KeyCreationError: a trader key without accounts, or an account name that is not allowed.
    """
    if role is Role.TRADER and not accounts:
        raise KeyCreationError("a trader key needs at least one --account")
    for account in accounts:
        if not re.fullmatch(ACCOUNT_PATTERN, account):
            raise KeyCreationError(f"account id {account!r} must match {ACCOUNT_PATTERN}")
    if bad_character(label) is not None:
        raise KeyCreationError("the label must not hold control characters")
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
        )
    )
    return key, Principal(key_id=key_id, role=role, accounts=frozenset(accounts))


def authenticate(session: Session, key: str) -> Principal | None:
    """Return the principal holding ``key``, or None when no stored key matches it."""
    match = KEY_PATTERN.fullmatch(key)
    if match is None:
        return None
    record = session.get(ApiKey, match.group(1))
    if record is None or not hmac.compare_digest(record.key_hash, hash_key(key)):
        return None
    if record.revoked_at is not None:
        return None
    return Principal(
        key_id=record.key_id,
        role=Role(record.role),
        accounts=frozenset(json.loads(record.accounts)),
    )


@dataclass
class KeyCache:
    """Authenticated keys by key id, per process, each trusted for ``ttl`` seconds.

    A key's only change is its revocation. The worker that revokes evicts the key at once;
    every other worker re-reads the key's row once its entry is ``ttl`` seconds old, so a
    revoked key is refused by every worker within ``ttl`` seconds of the revocation's
    commit (at the cost of one primary-key read per key and worker every ``ttl`` seconds).
    """

    ttl: float = 5.0
    _known: dict[str, tuple[str, Principal, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def evict(self, key_id: str) -> None:
        """Forget ``key_id`` here (its next use reads the database)."""
        with self._lock:
            self._known.pop(key_id, None)

    def cached(self, key: str) -> tuple[bool, Principal | None]:
        """Return (decided, principal) from memory alone, without touching the database.

        ``decided`` is True when ``key`` is malformed (principal None) or its key id is
        cached (principal None unless the key's hash matches, compared in constant time);
        False means the key id is unknown here and the database must be asked.
        """
        match = KEY_PATTERN.fullmatch(key)
        if match is None:
            return True, None
        with self._lock:
            hit = self._known.get(match.group(1))
        if hit is None:
            return False, None
        stored_hash, principal, checked_at = hit
        if time.monotonic() - checked_at >= self.ttl:
            return False, None
        return True, principal if hmac.compare_digest(stored_hash, hash_key(key)) else None

    def authenticate(self, session: Session, key: str) -> Principal | None:
        """Return the principal holding ``key`` (constant-time hash comparison), or None."""
        decided, principal = self.cached(key)
        if decided:
            return principal
        found = authenticate(session, key)
        match = KEY_PATTERN.fullmatch(key)
        with self._lock:
            if found is not None:
                self._known[found.key_id] = (hash_key(key), found, time.monotonic())
            elif match is not None:
                # Unknown, revoked, or a wrong secret for a cached id: drop any stale entry.
                self._known.pop(match.group(1), None)
        return found
