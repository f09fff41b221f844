"""Group commit: every write runs on one writer thread, and jobs queued together share a commit.

With SQLite at ``synchronous=FULL`` each commit costs an fsync (≈ 5 ms here), so committing
each request alone would cap writes near 200/s. The writer drains whatever jobs are waiting,
runs them in one transaction and commits once; each caller is answered only after that
commit, so an acknowledged write is durable. Being the only writer of the process also makes
each job's check-then-insert race-free. If a batch fails as a whole (an unexpected error, or
a constraint hit by another process), it is rolled back and its jobs rerun one by one.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from algebra.errors import ZkError

T = TypeVar("T")
MAX_BATCH = 256


@dataclass
class _Job(Generic[T]):
    run: Callable[[Session], T]
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class GroupCommitter:
    """Run write jobs ``job(session) -> result`` on one thread, committing batches at once.

    A job must raise a :class:`ZkError` (e.g. a conflict) only before it adds anything to the
    session; any other exception rolls its whole batch back and reruns the jobs singly.
    """

    def __init__(self, sessions: sessionmaker[Session], *, max_batch: int = MAX_BATCH) -> None:
        self._sessions = sessions
        self._max_batch = max_batch
        self._queue: queue.Queue[_Job[Any] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def _ensure_running(self) -> None:
        # An app may be started and shut down more than once (test clients do), so the
        # writer thread starts on first use after every close.
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="zkm-writer", daemon=True)
                self._thread.start()

    def run(self, job: Callable[[Session], T]) -> T:
        """Run ``job`` in the next batch; return its result once the batch is committed."""
        pending: _Job[T] = _Job(job)
        self._ensure_running()
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error
        result: T = pending.result
        return result

    def close(self) -> None:
        """Finish the queued jobs and stop the writer thread (a later :meth:`run` restarts it)."""
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is None or not thread.is_alive():
                return
            self._queue.put(None)
        thread.join(timeout=30)

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                batch.append(job)
            self._commit_batch(batch)
            if stop:
                return

    def _commit_batch(self, batch: list[_Job[Any]]) -> None:
        try:
            with self._sessions() as session:
                for job in batch:
                    try:
                        job.result = job.run(session)
                    except ZkError as error:
                        job.error = error
                session.commit()
        except Exception:
            for job in batch:
                job.result, job.error = None, None
                self._run_alone(job)
        for job in batch:
            job.done.set()

    def _run_alone(self, job: _Job[Any]) -> None:
        try:
            with self._sessions() as session:
                job.result = job.run(session)
                session.commit()
        except Exception as error:
            job.error = error
