"""Rate limits every worker shares: fixed-window counters in the service's own database.

Why the database (and not Redis): it is already the one piece of state every worker of
``zkm serve --workers N`` shares, on SQLite and PostgreSQL alike, so a deployment gains no
new moving part and tests need no extra server.

Each worker counts the requests it admits per bucket (``key:<key id>``, or
``auth-fail:<client address>``) in memory and, every ``sync_seconds`` on a background
thread, adds them to the bucket's row in ``rate_windows`` (one upsert per active bucket)
and reads back the total of all workers. A request is admitted while the last total read
plus this worker's unsynced count stays under the limit, so the hot path never waits for
the database. The price is a bounded overshoot: between two syncs each other worker may
admit what it sees as headroom, at most ``(N - 1) × (requests per worker per sync)``.
Counts are per fixed window of ``window_seconds`` (a window starts at a multiple of it in
Unix time, so every worker agrees on it); rows outlive their window by one window and are
then deleted.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from api.logs import get_logger
from api.models import RateWindow


@dataclass
class _Count:
    window: int
    window_seconds: float
    shared: int = 0
    flushing: int = 0
    pending: int = 0

    @property
    def used(self) -> int:
        # Hits being added by a sync in progress still count until its total arrives.
        return self.shared + self.flushing + self.pending


class SharedLimiter:
    """Fixed-window request counts per bucket, summed over every worker through the database."""

    def __init__(self, engine: Engine, *, sync_seconds: float = 0.1) -> None:
        self._engine = engine
        self._sync_seconds = sync_seconds
        self._counts: dict[str, _Count] = {}
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()  # one sync at a time (thread, close, tests)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_cleanup = 0.0

    def _count(self, bucket: str, window_seconds: float, now: float) -> _Count:
        window = math.floor(now / window_seconds)
        entry = self._counts.get(bucket)
        if entry is None or entry.window != window:
            # A new window starts empty; the old window's unsynced hits no longer matter.
            entry = self._counts[bucket] = _Count(window=window, window_seconds=window_seconds)
        return entry

    def _wait(self, entry: _Count, now: float) -> float:
        return max(0.01, (entry.window + 1) * entry.window_seconds - now)

    def hit(
        self, bucket: str, *, limit: int, window_seconds: float, now: float | None = None
    ) -> float:
        """Count a request against ``bucket`` if under ``limit``: 0 if admitted, else the wait."""
        moment = time.time() if now is None else now
        self._ensure_running()
        with self._lock:
            entry = self._count(bucket, window_seconds, moment)
            if entry.used >= limit:
                return self._wait(entry, moment)
            entry.pending += 1
            return 0.0

    def over(
        self, bucket: str, *, limit: int, window_seconds: float, now: float | None = None
    ) -> float:
        """Return 0 while ``bucket`` is under ``limit`` (nothing counted), else seconds to wait."""
        moment = time.time() if now is None else now
        with self._lock:
            entry = self._counts.get(bucket)
            if entry is None or entry.window != math.floor(moment / window_seconds):
                return 0.0
            return self._wait(entry, moment) if entry.used >= limit else 0.0

    def count(self, bucket: str, *, window_seconds: float, now: float | None = None) -> None:
        """Count an event (e.g. a failed authentication) against ``bucket`` unconditionally."""
        moment = time.time() if now is None else now
        self._ensure_running()
        with self._lock:
            self._count(bucket, window_seconds, moment).pending += 1

    def sync(self, *, now: float | None = None) -> None:
        """Add this worker's unsynced counts to the database and read every worker's totals."""
        with self._sync_lock:
            self._sync(time.time() if now is None else now)

    def _sync(self, moment: float) -> None:
        with self._lock:
            current = math.floor
            for bucket in [
                b
                for b, e in self._counts.items()
                if e.pending == 0 and e.window < current(moment / e.window_seconds)
            ]:
                del self._counts[bucket]  # idle since its window ended
            work = [(b, e.window, e.window_seconds, e.pending) for b, e in self._counts.items()]
            for each in self._counts.values():
                each.flushing, each.pending = each.pending, 0
        totals: dict[tuple[str, int], int] = {}
        try:
            with self._engine.begin() as connection:
                for bucket, window, window_seconds, pending in work:
                    totals[(bucket, window)] = self._add(
                        connection, bucket, window, window_seconds, pending
                    )
                if moment - self._last_cleanup > 60:
                    connection.execute(delete(RateWindow).where(RateWindow.expires_at < moment))
                    self._last_cleanup = moment
        except Exception:
            with self._lock:  # keep the counts for the next sync
                for bucket, window, _, _ in work:
                    entry = self._counts.get(bucket)
                    if entry is not None and entry.window == window:
                        entry.pending += entry.flushing
                        entry.flushing = 0
            raise
        with self._lock:
            for (bucket, window), total in totals.items():
                entry = self._counts.get(bucket)
                if entry is not None and entry.window == window:
                    entry.shared, entry.flushing = total, 0

    def _add(
        self, connection: Any, bucket: str, window: int, window_seconds: float, pending: int
    ) -> int:
        if pending == 0:
            found = connection.execute(
                select(RateWindow.hits).where(
                    RateWindow.bucket == bucket, RateWindow.window == window
                )
            ).scalar()
            return int(found or 0)
        expires_at = math.ceil((window + 2) * window_seconds)
        insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
        values = insert(RateWindow).values(
            bucket=bucket, window=window, hits=pending, expires_at=expires_at
        )
        upsert = values.on_conflict_do_update(
            index_elements=[RateWindow.bucket, RateWindow.window],
            set_={"hits": RateWindow.hits + values.excluded.hits},
        ).returning(RateWindow.hits)
        return int(connection.execute(upsert).scalar_one())

    def _ensure_running(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._loop, name="zkm-limits", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._sync_seconds):
            try:
                self.sync()
            except Exception as error:  # the database may be briefly away; counts are kept
                get_logger().log(
                    logging.WARNING, "rate-limit sync failed: %s", type(error).__name__
                )

    def close(self) -> None:
        """Stop the sync thread after one last sync (a later hit restarts it)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join(timeout=5)
        with contextlib.suppress(Exception):  # the database may already be gone
            self.sync()
