"""The verifier service run in-process for the demo: uvicorn in a background thread.

The service listens on a free loopback port (the socket is bound here, port 0, so two
demos never race for a port) and the demo talks to it over real HTTP with
:class:`api.client.ZkmClient`, exactly as remote actors would. API keys are created
directly in the service's database, as ``zkm keys create`` does. The service's JSON
access log goes to a file while it runs, so it does not drown the demo's story.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from algebra.errors import ZkError
from api.auth import Role
from api.logs import JsonFormatter, get_logger
from api.main import create_app
from api.services.keys import issue_key
from api.settings import Settings
from api.state import ServiceState

STARTUP_TIMEOUT_S = 30.0


class ServiceStartError(ZkError):
    """The in-process verifier service did not start."""


class InProcessService:
    """The verifier service on ``127.0.0.1:<free port>`` for the lifetime of a ``with`` block."""

    def __init__(self, database_url: str, log_file: Path, **overrides: Any) -> None:
        """Build the app on ``database_url`` (migrated); the access log goes to ``log_file``.

        The demo's service runs with ``allow_unsafe_keys`` (``zkm serve --allow-unsafe-keys``):
        its default keys come from the dev setup, and every verdict under them says UNSAFE.
        It requires signed snapshots but does not check their age
        (``snapshot_max_age_seconds=0``): the demo's shipped market data carries a fixed
        date. ``overrides`` are further :class:`api.settings.Settings` fields.
        """
        settings: dict[str, Any] = {"allow_unsafe_keys": True, "snapshot_max_age_seconds": 0}
        self._settings = Settings(database_url=database_url, **{**settings, **overrides})
        self._app = create_app(self._settings)
        self._log_file = logging.FileHandler(log_file, encoding="utf-8")
        self._log_file.setFormatter(JsonFormatter())
        self._saved_handlers = list(get_logger().handlers)
        self.state: ServiceState = self._app.state.zkm
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(self._app, log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        """Return the base URL of the running service."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> InProcessService:
        logger = get_logger()
        for handler in self._saved_handlers:
            logger.removeHandler(handler)
        logger.addHandler(self._log_file)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.close()
                raise ServiceStartError(f"the verifier service did not start on {self.url}")
            time.sleep(0.02)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the server thread and release the socket."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=STARTUP_TIMEOUT_S)
        self._socket.close()
        logger = get_logger()
        logger.removeHandler(self._log_file)
        self._log_file.close()
        for handler in self._saved_handlers:
            if handler not in logger.handlers:
                logger.addHandler(handler)

    def issue_key(
        self,
        role: Role,
        *,
        accounts: list[str] | None = None,
        label: str = "",
        venue: str | None = None,
        markets: list[str] | None = None,
    ) -> str:
        """Create an API key for ``role`` with its scope (see ``zkm keys create``); return it."""
        with self.state.sessions() as session:
            return issue_key(
                session=session,
                role=role,
                accounts=list(accounts or []),
                label=label,
                venue=venue,
                markets=markets,
            )
