"""Service test harness: a fresh database per test (SQLite, and PostgreSQL when configured),
the app under ``TestClient``, and one API key per role."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.auth import Role, create_key
from api.main import create_app
from api.settings import Settings
from tests.api.fixtures import SimulatingKey
from tests.conftest import require

POSTGRES_ENV = "ZKM_TEST_POSTGRES_URL"
TRADER_ACCOUNTS = ("acct-1", "acct-2")
OTHER_TRADER_ACCOUNTS = ("acct-9",)
DATABASES = ["sqlite", "postgresql"]
VENUE = "venue-a"
OTHER_VENUE = "venue-b"
MARKET = "default"
OPEN_EPOCHS = range(0, 16)
"""Epochs the harness opens up front (tests of opening use larger ones)."""


def postgres_base_url() -> str:
    """Return the PostgreSQL URL CI provides (skip locally / fail in CI when it is missing)."""
    url = os.environ.get(POSTGRES_ENV, "")
    require(
        bool(url), f"PostgreSQL server (set {POSTGRES_ENV}; scripts/start_postgres.sh prints it)"
    )
    return url


def fresh_postgres_database(base_url: str) -> Iterator[str]:
    """Create an empty database next to ``base_url``'s, yield its URL, drop it afterwards."""
    name = f"zkm_t_{secrets.token_hex(6)}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def database_url_for(kind: str, tmp_path: Any) -> Iterator[str]:
    """Yield a fresh database URL of ``kind`` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/zkm.db"
    else:
        yield from fresh_postgres_database(postgres_base_url())


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A fresh, empty database: SQLite, then PostgreSQL."""
    yield from database_url_for(request.param, tmp_path)


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    """A fresh SQLite database (for tests whose subject is not storage)."""
    return f"sqlite:///{tmp_path}/zkm.db"


def scope_for(role: Role) -> dict[str, Any]:
    """Return the scope arguments of :func:`create_key` the harness gives ``role``'s key."""
    if role is Role.TRADER:
        return {"accounts": list(TRADER_ACCOUNTS)}
    if role is Role.VENUE:
        return {"accounts": [], "venue": VENUE}
    if role is Role.ORACLE:
        return {"accounts": [], "markets": [MARKET]}
    return {"accounts": []}


def seed_tenancy(session: Any, accounts: Any = (*TRADER_ACCOUNTS, *OTHER_TRADER_ACCOUNTS)) -> None:
    """Enrol ``accounts`` to :data:`VENUE` and open :data:`OPEN_EPOCHS`, as the admin would.

    Idempotent, so a second app (another worker) on the same database can seed too.
    """
    from api.models import Account, Epoch, utc_now

    for account in accounts:
        if session.get(Account, account) is None:
            session.add(
                Account(account_id=account, venue_id=VENUE, created_by="test", created_at=utc_now())
            )
    for epoch in OPEN_EPOCHS:
        if session.get(Epoch, epoch) is None:
            session.add(Epoch(epoch=epoch, market=MARKET, opened_by="test", opened_at=utc_now()))


@dataclass
class Harness:
    """The app under test, a client, and a key per role (``trader`` acts for acct-1 and acct-2).

    acct-1, acct-2 and acct-9 belong to the venue key's venue; epochs 0-15 are open.
    """

    app: Any
    client: TestClient
    keys: dict[str, str]
    settings: Settings

    def headers(self, role: str | None) -> dict[str, str]:
        """Return the Authorization header for ``role`` (none for None)."""
        return {} if role is None else {"Authorization": f"Bearer {self.keys[role]}"}

    def add_key(self, role: Role, accounts: tuple[str, ...] = (), **scope: Any) -> str:
        """Create another key directly in the database and return it."""
        state = self.app.state.zkm
        with state.sessions() as session:
            key, _ = create_key(session=session, role=role, accounts=list(accounts), **scope)
            session.commit()
        return key

    def declare(self, circuit_id: str, from_epoch: int = 0, **extra: Any) -> None:
        """As the admin, declare ``circuit_id`` the margin circuit from ``from_epoch`` on."""
        body = {"circuit_id": circuit_id, "from_epoch": from_epoch, **extra}
        response = self.client.post(
            "/v1/policy/margin-circuits", json=body, headers=self.headers("admin")
        )
        assert response.status_code == 201, response.text


def make_harness(url: str, **overrides: Any) -> Iterator[Harness]:
    """Build the app on ``url`` with one key per role and yield it inside a running TestClient.

    Unsafe (trapdoor) keys are allowed unless ``allow_unsafe_keys=False`` is passed: the
    tests' keys are simulating keys. Unsigned snapshots are allowed unless
    ``allow_unsigned_snapshots=False`` is passed (tests/api/test_signed_snapshots.py).
    """
    overrides.setdefault("allow_unsafe_keys", True)
    overrides.setdefault("allow_unsigned_snapshots", True)
    settings = Settings(database_url=url, verifier_backend="native", **overrides)
    app = create_app(settings)
    keys: dict[str, str] = {}
    with app.state.zkm.sessions() as session:
        seed_tenancy(session)
        for role in Role:
            keys[role.value], _ = create_key(session=session, role=role, **scope_for(role))
        keys["other_trader"], _ = create_key(
            session=session, role=Role.TRADER, accounts=list(OTHER_TRADER_ACCOUNTS)
        )
        session.commit()
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Harness(app=app, client=client, keys=keys, settings=settings)


@pytest.fixture
def harness(sqlite_url: str) -> Iterator[Harness]:
    """The service on SQLite."""
    yield from make_harness(sqlite_url)


@pytest.fixture
def storage_harness(database_url: str) -> Iterator[Harness]:
    """The service on each database."""
    yield from make_harness(database_url)


@pytest.fixture
def postgres_harness(tmp_path: Any) -> Iterator[Harness]:
    """The service on a fresh PostgreSQL database (for what only PostgreSQL does: locks)."""
    urls = database_url_for("postgresql", tmp_path)
    yield from make_harness(next(urls))
    urls.close()


@pytest.fixture(scope="session")
def simulating_key() -> SimulatingKey:
    """An UNSAFE trapdoor key with 4 public inputs (see :class:`SimulatingKey`)."""
    return SimulatingKey.generate()
