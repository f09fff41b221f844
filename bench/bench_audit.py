"""Benchmark ``zkm audit``: proofs/s single-process, on 1 and 2 local Dask workers, and end to end.

Valid proofs are made by re-randomising a handful of trapdoor proofs,
``(A, B, C) → (t·A, t⁻¹·B, C)`` (validity is preserved), with a few invalid ones mixed in;
each size is written once as JSON lines under ``--workdir``. Timings include reading and
parsing the file; Dask timings exclude starting the cluster (printed separately). The
end-to-end figure runs ``python -m zkmargin audit`` as a subprocess, start-up included.
CPU seconds per proof (all threads) are printed too, since wall time on a shared machine
depends on the load average, which is printed alongside.

Targets (architecture brief §6): ≥ 3,000 proofs/s on 2 cores; ≥ 2,000 proofs/s end to end
for 5,000 proofs.

    python bench/bench_audit.py                      # 10,000 and 100,000 proofs
    python bench/bench_audit.py --sizes 10000 --e2e 5000
    ZKM_NATIVE_CPU=avx2 python bench/bench_audit.py --sizes 5000 --workers '' --cli-repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from algebra.backend import get_backend
from tests.audit.fixtures import Entry, break_pairing, margin_entries, margin_key, rerandomise
from tests.verifier.vectors import ToyKey
from verifier.audit.runners import ChunkRunner, DaskRunner, DaskSpec, LocalRunner
from verifier.audit.sources import open_source
from verifier.snarkjs_json import proof_to_json, public_inputs_to_json, verifying_key_to_json
from zkmargin.audit.run import AuditOptions, run_audit

BASE_PROOFS = 16
N_INVALID = 5


def write_fixture(key: ToyKey, count: int, path: Path) -> Path:
    """Write ``count`` entries (``N_INVALID`` invalid, spread out) as JSON lines, once."""
    if path.exists():
        return path
    base = margin_entries(key, BASE_PROOFS, epochs=4)
    proofs, source = rerandomise(get_backend("native"), [e.proof for e in base], count)
    bad = {count * (k + 1) // (N_INVALID + 1) for k in range(N_INVALID)}
    staging = path.with_suffix(".tmp")
    with staging.open("w") as handle:
        for i, (proof, j) in enumerate(zip(proofs, source, strict=True)):
            entry = Entry(f"p{i:06d}", base[j].epoch, proof, base[j].public)
            if i in bad:
                entry = break_pairing(entry)
            line = {
                "id": entry.item_id,
                "epoch": entry.epoch,
                "proof": proof_to_json(entry.proof),
                "public": public_inputs_to_json(entry.public),
            }
            handle.write(json.dumps(line) + "\n")
    staging.rename(path)
    return path


def timed_audit(
    key: ToyKey, path: Path, runner: ChunkRunner, chunk_size: int
) -> tuple[float, float]:
    """Return (proofs/s wall, CPU ms per proof in this process) for one audit of ``path``."""
    source = open_source(path)
    cpu, wall = time.process_time(), time.perf_counter()
    report = run_audit(
        key.vk,
        source.items(defer_proofs=isinstance(runner, DaskRunner)),  # as `zkm audit --dask`
        source=str(path),
        options=AuditOptions(chunk_size=chunk_size),
        runner=runner,
    )
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    assert len(report.invalid) == N_INVALID, report.invalid
    return report.checked / wall, 1000 * cpu / report.checked


def bench_size(key: ToyKey, path: Path, count: int, chunk_size: int, workers: list[int]) -> None:
    rate, cpu_ms = timed_audit(key, path, LocalRunner(), chunk_size)
    print(
        f"{count:>8,} proofs  single process      {rate:>8,.0f} proofs/s  "
        f"({cpu_ms:.3f} CPU ms/proof, all threads)"
    )
    for count_workers in workers:
        start = time.perf_counter()
        with DaskRunner(DaskSpec(workers=count_workers)) as runner:
            started = time.perf_counter() - start
            rate, _ = timed_audit(key, path, runner, chunk_size)
        print(
            f"{count:>8,} proofs  dask local:{count_workers}        {rate:>8,.0f} proofs/s  "
            f"(cluster start {started:.1f} s, not counted)"
        )


def bench_cli(key: ToyKey, workdir: Path, count: int, repeat: int = 1) -> None:
    """Time ``zkm audit`` of ``count`` proofs as a subprocess, ``repeat`` times.

    Each run is under ``/usr/bin/time`` (CPU = user + system of the process and its
    threads, peak RSS); prints every run and the best and median rates.
    """
    path = write_fixture(key, count, workdir / f"audit-{count}.jsonl")
    vk = workdir / "verification_key.json"
    vk.write_text(json.dumps(verifying_key_to_json(key.vk)))
    command = [sys.executable, "-m", "zkmargin", "audit", "--vk", str(vk), str(path), "-q"]
    rates = []
    for _ in range(repeat):
        report = workdir / "audit.time"
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M %U %S", "-o", str(report), *command],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - start
        assert done.returncode == 1, done.stderr  # the invalid proofs are found
        kilobytes, user, system = report.read_text().split()[-3:]
        rates.append(count / wall)
        print(
            f"{count:>8,} proofs  zkm audit CLI e2e    {count / wall:>8,.0f} proofs/s  "
            f"({wall:.2f} s including start-up, {float(user) + float(system):.2f} s CPU, "
            f"{int(kilobytes) / 1024:.0f} MB peak)"
        )
    if repeat > 1:
        print(
            f"{count:>8,} proofs  zkm audit CLI e2e    best {max(rates):,.0f}, "
            f"median {statistics.median(rates):,.0f} proofs/s over {repeat} runs"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--e2e", type=int, default=5000, help="proofs for the CLI run (0: skip)")
    parser.add_argument("--workers", default="1,2", help="local Dask worker counts ('' to skip)")
    parser.add_argument("--cli-repeat", type=int, default=1, help="CLI runs (best and median)")
    parser.add_argument("--chunk-size", type=int, default=256)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/zkm-bench-audit"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    key = margin_key()
    workers = [int(w) for w in args.workers.split(",") if w]
    print(
        f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, "
        f"chunk size {args.chunk_size}, {N_INVALID} invalid proofs per file"
    )
    for count in (int(s) for s in args.sizes.split(",") if s):
        path = write_fixture(key, count, args.workdir / f"audit-{count}.jsonl")
        bench_size(key, path, count, args.chunk_size, workers)
    if args.e2e:
        bench_cli(key, args.workdir, args.e2e, args.cli_repeat)
    print(
        f"targets: >= 3,000 proofs/s on 2 cores; >= 2,000 proofs/s end to end (5,000 proofs); "
        f"load average now {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
