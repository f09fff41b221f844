"""Helpers for tests of PostgreSQL's advisory locks: a call on another thread, and whether
some transaction waits for an advisory lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, text


def someone_waits_for_the_lock(engine: Engine, seconds: float = 30.0) -> bool:
    """Return whether a transaction starts waiting for an advisory lock within ``seconds``
    (PostgreSQL's ``pg_locks``): the call under test is blocked on the policy lock, not just
    slow."""
    deadline = time.monotonic() + seconds
    query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.execute(query).scalar_one() > 0:
                return True
        time.sleep(0.02)
    return False


class Call:
    """An HTTP call made on another thread, so the test can see it wait."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.response: Any = None
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], Any]) -> None:
        self.response = call()

    def waiting(self, engine: Engine) -> bool:
        """Return whether the call waits for an advisory lock (and has not finished)."""
        return someone_waits_for_the_lock(engine) and self._thread.is_alive()

    def result(self) -> Any:
        """Return the call's response once it finished (at most 30 s)."""
        self._thread.join(30)
        assert not self._thread.is_alive(), "the call never finished"
        return self.response
