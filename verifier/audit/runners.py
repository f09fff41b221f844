"""Run audit chunks in this process or on a Dask cluster, streaming verdicts as chunks finish.

Both runners take an iterator of ``(chunk index, statements)`` and yield
``(chunk index, {position: reason})`` for each finished chunk; the Dask runner keeps a
bounded window of chunks in flight so that arbitrarily large sources stream through in
constant memory. Dask is imported only when a cluster is asked for.

Dask specs: ``local`` (one worker per core), ``local:W`` (a ``LocalCluster`` of W worker
processes with one thread each) or a scheduler address such as ``tcp://host:8786``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from algebra.errors import ZkError
from verifier.audit.chunks import ChunkStatement, verify_chunk
from verifier.keys import VerifyingKey

ChunkJob = tuple[int, list[ChunkStatement]]
ChunkDone = tuple[int, dict[int, str]]
_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
_SCHEMES = ("tcp://", "tls://", "ucx://", "inproc://", "ws://", "wss://")


class ClusterError(ZkError):
    """A Dask spec is malformed, Dask is missing, or the cluster cannot be reached."""


class ChunkRunner(Protocol):
    """Verifies chunks and yields their verdicts as they finish (in any order)."""

    description: str

    def run(
        self, vk: VerifyingKey, backend_name: str, jobs: Iterable[ChunkJob]
    ) -> Iterator[ChunkDone]:
        """Yield ``(chunk index, {position: reason})`` for every job."""
        ...

    def close(self) -> None:
        """Release the runner's resources."""
        ...


class LocalRunner:
    """Verifies chunks one after another in this process (the native kernels use every core).

    While one chunk is being verified on a worker thread (its native kernels release the
    GIL), the next chunk is read and parsed from ``jobs`` on the calling thread, so the
    Python parsing overlaps the pairings instead of adding to them. One chunk is in
    flight at a time: memory stays that of two chunks.
    """

    description = "single process"

    def run(
        self, vk: VerifyingKey, backend_name: str, jobs: Iterable[ChunkJob]
    ) -> Iterator[ChunkDone]:
        """Yield each chunk's verdict in order."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="zkm-audit-chunk") as pool:
            in_flight: tuple[int, Future[dict[int, str]]] | None = None
            for index, statements in jobs:
                future = pool.submit(verify_chunk, vk, statements, backend_name)
                if in_flight is not None:
                    yield in_flight[0], in_flight[1].result()
                in_flight = index, future
            if in_flight is not None:
                yield in_flight[0], in_flight[1].result()

    def close(self) -> None:
        """Nothing to release."""


@dataclass(frozen=True)
class DaskSpec:
    """A parsed ``--dask`` value: a local cluster of ``workers`` processes, or an ``address``."""

    workers: int | None = None
    address: str | None = None


def parse_dask_spec(spec: str) -> DaskSpec:
    """Return the parsed spec (``local``, ``local:W`` with 1 ≤ W ≤ 256, or ``scheme://host:port``).

    Raises:
        ClusterError: anything else.
    """
    if spec == "local":
        return DaskSpec(workers=os.cpu_count() or 1)
    if spec.startswith("local:"):
        count = spec.removeprefix("local:")
        if not count.isdigit() or not 1 <= int(count) <= 256:
            raise ClusterError(f"--dask {spec!r}: the worker count must be an integer in [1, 256]")
        return DaskSpec(workers=int(count))
    if spec.startswith(_SCHEMES) and len(spec) > spec.index("://") + 3:
        return DaskSpec(address=spec)
    raise ClusterError(
        f"--dask {spec!r}: expected local, local:W or a scheduler address tcp://host:port"
    )


def _worker_environment() -> dict[str, str]:
    """Environment for local worker processes: importable project, one native thread each."""
    path = os.environ.get("PYTHONPATH", "")
    return {
        "PYTHONPATH": os.pathsep.join(p for p in (_PROJECT_ROOT, path) if p),
        "RAYON_NUM_THREADS": "1",
    }


class DaskRunner:
    """Scatters chunks to a Dask cluster's workers; each runs the native batch verifier."""

    def __init__(self, spec: DaskSpec, *, window_per_worker: int = 3) -> None:
        try:
            distributed: Any = importlib.import_module("distributed")
        except ImportError as error:
            raise ClusterError(
                f"--dask needs dask.distributed ({error}): pip install 'zkmargin[audit]'"
            ) from error
        self._cluster: Any = None
        try:
            if spec.address is not None:
                self._client: Any = distributed.Client(spec.address, timeout="20s")
                self.description = f"dask cluster {spec.address}"
            else:
                self._cluster = distributed.LocalCluster(
                    n_workers=spec.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    worker_dashboard_address=None,
                    env=_worker_environment(),
                )
                self._client = distributed.Client(self._cluster)
                self.description = f"dask local cluster ({spec.workers} workers)"
        except (OSError, TimeoutError) as error:
            self.close()
            raise ClusterError(f"cannot start or reach the Dask cluster: {error}") from error
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))
        self._window = window_per_worker * self.workers

    def run(
        self, vk: VerifyingKey, backend_name: str, jobs: Iterable[ChunkJob]
    ) -> Iterator[ChunkDone]:
        """Keep a bounded window of chunks on the cluster; yield verdicts as they complete."""
        key = self._client.scatter(vk, broadcast=True, hash=False)
        pending = iter(jobs)
        in_flight = importlib.import_module("distributed").as_completed()
        index_of: dict[str, int] = {}
        for job in _take(pending, self._window):
            self._submit(job, key, backend_name, in_flight, index_of)
        for future in in_flight:
            yield index_of.pop(future.key), _result(future)
            for job in _take(pending, 1):
                self._submit(job, key, backend_name, in_flight, index_of)

    def _submit(
        self, job: ChunkJob, key: Any, backend_name: str, in_flight: Any, index_of: dict[str, int]
    ) -> None:
        index, statements = job
        [data] = self._client.scatter([statements], hash=False)
        future = self._client.submit(verify_chunk, key, data, backend_name, pure=False)
        index_of[future.key] = index
        in_flight.add(future)

    def close(self) -> None:
        """Close the client and, for a local cluster, shut its workers down."""
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskRunner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _result(future: Any) -> dict[int, str]:
    """Return a finished chunk's verdict; a lost worker or task becomes a ClusterError."""
    try:
        verdict: dict[int, str] = future.result()
    except ZkError:
        raise
    except Exception as error:  # any remote failure: killed worker, lost data, cancellation
        raise ClusterError(f"a Dask task failed: {type(error).__name__}: {error}") from error
    return verdict


def _take(jobs: Iterator[ChunkJob], count: int) -> list[ChunkJob]:
    taken: list[ChunkJob] = []
    for job in jobs:
        taken.append(job)
        if len(taken) == count:
            break
    return taken


def make_runner(dask_spec: str | None) -> ChunkRunner:
    """Return a :class:`DaskRunner` for ``dask_spec``, or a :class:`LocalRunner` when it is None.

    Raises:
        ClusterError: a malformed spec or an unreachable cluster.
    """
    if dask_spec is None:
        return LocalRunner()
    return DaskRunner(parse_dask_spec(dask_spec))


__all__ = ["ChunkRunner", "ClusterError", "DaskRunner", "DaskSpec", "LocalRunner", "make_runner"]
