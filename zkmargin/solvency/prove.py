"""Prove an epoch's solvency on the venue's machines: plan the chunks, prove them locally or on
a Dask cluster, keep every finished chunk so an interrupted run resumes where it stopped.

The running totals are computed up front with the reference engine (cheap), so every chunk's
assignment is independent and the chunks prove in parallel. Assignments hold account states
and salts: send them only to workers the venue controls.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from algebra.errors import MalformedInputError, ZkError
from circuits.margin.loading import load_opening
from circuits.margin.model import MarketSnapshot, Opening
from circuits.margin.sizes import check_fits
from circuits.margin.witness import Assignment
from circuits.solvency.epoch import canonical_order, epoch_tree
from circuits.solvency.totals import SolvencyTotals
from circuits.solvency.witness import chunk_assignment
from zkmargin.solvency.bundle import (
    STATEMENT_NAME,
    ChunkProof,
    EpochStatement,
    chunk_path,
    read_chunk,
    read_statement,
    write_atomic,
    write_chunk,
)
from zkmargin.solvency.keys import (
    ZKEY_NAME,
    SolvencyShape,
    check_keys_current,
    compiled_chunk,
    keys_shape,
    proving_key,
)

Advance = Callable[[int], None]
_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])


PUBLIC_NAMES = ("acc_in", "acc_out", "chunk_root", "snapshot_hash")


def _scalar(value: int | list[int]) -> int:
    assert isinstance(value, int)
    return value


@dataclass(frozen=True)
class ChunkJob:
    """One chunk to prove: its index, the public inputs it must have, and its assignment."""

    index: int
    public: list[int]
    assignment: Assignment


def load_openings(accounts_dir: Path, snapshot: MarketSnapshot) -> list[Opening]:
    """Return the openings in ``accounts_dir/*.json``; MalformedInputError if there are none."""
    paths = sorted(accounts_dir.glob("*.json"))
    if not paths:
        raise MalformedInputError(f"{accounts_dir} holds no account openings (*.json)")
    return [load_opening(path, snapshot) for path in paths]


def plan_epoch(
    openings: Sequence[Opening], snapshot: MarketSnapshot, shape: SolvencyShape, epoch: int
) -> tuple[EpochStatement, list[ChunkJob]]:
    """Return the epoch statement and the chunk jobs over ``openings`` in canonical order.

    Raises:
        MalformedInputError / MarginInputError: snapshot of another epoch or shape, duplicate
            or invalid commitments, an opening that does not open.
    """
    if snapshot.epoch != epoch:
        raise MalformedInputError(f"the snapshot is for epoch {snapshot.epoch}, not {epoch}")
    check_fits(snapshot, shape.size)
    by_commitment = {o.commitment: o for o in openings}
    ordered = canonical_order([o.commitment for o in openings])
    tree = epoch_tree(ordered, shape.chunk)
    totals = SolvencyTotals()
    jobs = []
    snapshot_hash = 0
    for index in range(tree.n_chunks):
        slots = [by_commitment[c] if c else None for c in tree.chunk_leaves(index)]
        assignment, totals = chunk_assignment(slots, snapshot, totals)
        public = [_scalar(assignment[name]) for name in PUBLIC_NAMES]
        snapshot_hash = public[3]
        jobs.append(ChunkJob(index, public, assignment))
    statement = EpochStatement(
        epoch=epoch,
        size=shape.size.name,
        chunk=shape.chunk,
        snapshot_hash=snapshot_hash,
        list_root=tree.root,
        commitments=ordered,
        n_chunks=tree.n_chunks,
        totals=totals,
    )
    return statement, jobs


def prove_chunk(
    zkey: str, shape: SolvencyShape, assignment: Assignment
) -> tuple[dict[str, Any], list[int]]:
    """Return the snarkjs proof JSON and public inputs of one chunk (runs on a worker too)."""
    from prover.prove import prove
    from verifier.snarkjs_json import proof_to_json

    witness = compiled_chunk(shape).solve(assignment)
    proof, public = prove(proving_key(zkey), witness)
    return proof_to_json(proof), list(public)


@dataclass(frozen=True)
class ProveOutcome:
    """What a ``prove_epoch`` run did."""

    statement: EpochStatement
    proven: int
    kept: int


def prove_epoch(
    openings: Sequence[Opening],
    snapshot: MarketSnapshot,
    keys_dir: Path,
    out: Path,
    *,
    epoch: int,
    dask: str | None = None,
    advance: Advance | None = None,
) -> ProveOutcome:
    """Prove every chunk of the epoch into the bundle ``out``, keeping chunks already proven.

    Raises:
        MalformedInputError: ``out`` holds another epoch's bundle, or bad inputs (see
            :func:`plan_epoch`); ClusterError: the Dask cluster failed.
    """
    shape = keys_shape(keys_dir)
    check_keys_current(keys_dir, shape)
    statement, jobs = plan_epoch(openings, snapshot, shape, epoch)
    if (out / STATEMENT_NAME).exists() and read_statement(out) != statement:
        raise MalformedInputError(f"{out} holds another statement; prove into a new --out")
    write_atomic(out / STATEMENT_NAME, statement.to_json())
    pending = [job for job in jobs if not _already_proven(out, job)]
    kept = len(jobs) - len(pending)
    step = advance or (lambda _: None)
    step(kept)
    zkey = str((keys_dir / ZKEY_NAME).resolve())
    results = _run_dask(dask, zkey, shape, pending) if dask else _run_local(zkey, shape, pending)
    for job, (proof, public) in results:
        if public != job.public:
            raise MalformedInputError(f"chunk {job.index}: the prover returned other public inputs")
        write_chunk(out, ChunkProof(job.index, public, proof))
        step(1)
    return ProveOutcome(statement, len(pending), kept)


def _already_proven(out: Path, job: ChunkJob) -> bool:
    path = chunk_path(out, job.index)
    if not path.exists():
        return False
    try:
        return read_chunk(path).public == job.public
    except ZkError:  # an unreadable leftover is simply proven again
        return False


Result = tuple[ChunkJob, tuple[dict[str, Any], list[int]]]


def _run_local(zkey: str, shape: SolvencyShape, jobs: list[ChunkJob]) -> Iterator[Result]:
    for job in jobs:
        yield job, prove_chunk(zkey, shape, job.assignment)


def _run_dask(spec: str, zkey: str, shape: SolvencyShape, jobs: list[ChunkJob]) -> Iterator[Result]:
    from verifier.audit.runners import ClusterError, parse_dask_spec

    parsed = parse_dask_spec(spec)
    try:
        distributed: Any = importlib.import_module("distributed")
    except ImportError as error:
        raise ClusterError(f"--dask needs dask.distributed ({error})") from error
    cluster = None
    if parsed.address is None:
        path = os.environ.get("PYTHONPATH", "")
        cluster = distributed.LocalCluster(
            n_workers=parsed.workers, threads_per_worker=1, processes=True,
            dashboard_address=None, worker_dashboard_address=None,
            # One native thread per worker: the workers already fill the cores.
            env={
                "PYTHONPATH": os.pathsep.join(p for p in (_PROJECT_ROOT, path) if p),
                "RAYON_NUM_THREADS": "1",
            },
        )  # fmt: skip
    client = distributed.Client(cluster if cluster is not None else parsed.address)
    try:
        futures = {
            client.submit(prove_chunk, zkey, shape, job.assignment, pure=False): job for job in jobs
        }
        for future in distributed.as_completed(futures):
            try:
                result = future.result()
            except Exception as error:  # a lost worker or task
                raise ClusterError(
                    f"a Dask task failed: {type(error).__name__}: {error}"
                ) from error
            yield futures[future], result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
