"""Benchmark venue-level solvency: proving throughput (accounts/s) per chunk size, and
``zkm solvency verify``'s cost at scale.

Proving: dev keys per (size, chunk) are made once under ``--workdir``; ``--accounts`` random
tiny accounts (compliant, under-margined, bankrupt) are proven into a fresh bundle on this
machine. Wall and CPU seconds (all threads) are printed with the load average, since the
machine may be shared. Verification: the proven bundle is verified end to end; then, for
``--verify-scale`` accounts, the two parts that grow with the epoch are timed on their own —
the Merkle tree of that many commitments (pure-Python Poseidon) and one batch verification of
that many chunk proofs (copies of the proven ones) — and summed with the snapshot hash.

    python bench/bench_solvency.py --chunks 4 8 --accounts 32 --verify-scale 10000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import time
from pathlib import Path

from algebra.constants import SCALAR_FIELD_R
from circuits.margin.sample import sample_snapshot
from circuits.margin.sizes import get_size
from circuits.margin.witness import cached_snapshot_hash
from circuits.solvency.epoch import LIST_TREE_VERSION, canonical_order, epoch_tree
from tests.solvency.fixtures import random_openings
from verifier.batch import batch_verify
from verifier.snarkjs_json import proof_from_json
from zkmargin.solvency.bundle import read_chunks
from zkmargin.solvency.keys import SolvencyShape, keys_shape, load_verifying_key, setup_keys
from zkmargin.solvency.prove import prove_epoch
from zkmargin.solvency.verify import verify_bundle


def cpu_seconds() -> float:
    """CPU time of this process, every thread included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def keys_for(workdir: Path, size: str, chunk: int) -> Path:
    """Return a key directory for (size, chunk), making it (UNSAFE dev setup) if missing."""
    keys = workdir / f"keys-{size}-{chunk}"
    meta_path = keys / "solvency.json"
    # Keys cached before the domain-separated list tree would only yield failing proofs.
    stale = (
        meta_path.exists()
        and json.loads(meta_path.read_text()).get("list_tree") != LIST_TREE_VERSION
    )
    if not meta_path.exists() or stale:
        start = time.perf_counter()
        meta = setup_keys(SolvencyShape(get_size(size), chunk), keys)
        print(f"setup {size} k={chunk}: {meta['n_constraints']:,} constraints,"
              f" {time.perf_counter() - start:.1f} s")  # fmt: skip
    return keys


def bench_prove(workdir: Path, size: str, chunk: int, n_accounts: int) -> Path:
    """Prove ``n_accounts`` into a fresh bundle and print the throughput; return the bundle."""
    keys = keys_for(workdir, size, chunk)
    snapshot = sample_snapshot(get_size(size), random.Random(7))
    openings = random_openings(snapshot, n_accounts, seed=5)
    bundle = workdir / f"bundle-{size}-{chunk}-{n_accounts}"
    shutil.rmtree(bundle, ignore_errors=True)
    prove_epoch(openings[:1], snapshot, keys, workdir / "warm", epoch=1)  # compile, load zkey
    shutil.rmtree(workdir / "warm")
    wall, cpu = time.perf_counter(), cpu_seconds()
    outcome = prove_epoch(openings, snapshot, keys, bundle, epoch=1)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    n = outcome.statement.n_chunks
    print(f"prove {size} k={chunk}: {n_accounts} accounts, {n} chunks in {wall:.1f} s wall"
          f" ({wall / n:.2f} s/chunk, {n_accounts / wall:.2f} accounts/s), CPU {cpu:.1f} s"
          f" ({cpu / n:.2f} s/chunk, {n_accounts / cpu:.2f} accounts/CPU-s);"
          f" load {os.getloadavg()[0]:.1f}")  # fmt: skip
    start = time.perf_counter()
    report = verify_bundle(bundle, load_verifying_key(keys), snapshot, reserves=10**18,
                           insurance=0)  # fmt: skip
    assert report.verdict() == "SOLVENT", report.findings
    print(f"verify {n_accounts} accounts: {time.perf_counter() - start:.2f} s")
    return bundle


def bench_verify_scale(bundle: Path, keys: Path, chunk: int, n_accounts: int) -> None:
    """Time the parts of verification that grow with the epoch, for ``n_accounts``."""
    rng = random.Random(1)
    commitments = [rng.randrange(1, SCALAR_FIELD_R) for _ in range(n_accounts)]
    start = time.perf_counter()
    tree = epoch_tree(canonical_order(commitments), chunk)
    merkle = time.perf_counter() - start
    chunks, _ = read_chunks(bundle)
    items = [(proof_from_json(c.proof), c.public) for c in chunks]
    batch = [items[i % len(items)] for i in range(tree.n_chunks)]
    start = time.perf_counter()
    assert batch_verify(load_verifying_key(keys), batch).all_valid
    pairing = time.perf_counter() - start
    snapshot = sample_snapshot(get_size(keys_shape(keys).size.name), random.Random(9))
    start = time.perf_counter()
    cached_snapshot_hash(snapshot)
    hashing = time.perf_counter() - start
    print(f"verify at {n_accounts:,} accounts (k={chunk}, {tree.n_chunks:,} proofs): Merkle tree"
          f" {merkle:.1f} s + batch verify {pairing:.2f} s + snapshot hash {hashing:.2f} s"
          f" = {merkle + pairing + hashing:.1f} s; load {os.getloadavg()[0]:.1f}")  # fmt: skip


def main() -> None:
    """Run the benchmark (module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="tiny")
    parser.add_argument("--chunks", type=int, nargs="+", default=[4, 8])
    parser.add_argument("--accounts", type=int, default=32)
    parser.add_argument("--verify-scale", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/zkm-bench-solvency"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    for chunk in args.chunks:
        bundle = bench_prove(args.workdir, args.size, chunk, args.accounts)
        if args.verify_scale:
            keys = keys_for(args.workdir, args.size, chunk)
            bench_verify_scale(bundle, keys, chunk, args.verify_scale)


if __name__ == "__main__":
    main()
