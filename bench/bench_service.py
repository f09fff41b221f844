"""Load benchmark of the verifier service: ``zkm serve`` under concurrent async clients.

Starts ``zkm serve`` (uvicorn, ``--workers`` processes) on loopback with a fresh database,
registers a margin-layout circuit, a snapshot and one commitment per account, then submits one
valid, distinct proof per account from ``--concurrency`` concurrent aiohttp keep-alive
connections (bodies serialised before the clock starts). Every submission is a full
verification (statement checks, native pairing check, durable commit). ``--replays N`` then
resubmits N of the same statements, reported on their own row: the idempotent path (verified
again, answered 200 with the stored record, nothing written). Prints throughput, p50/p99
latency, the error count, the server's and the load generator's CPU per request, and Markdown
rows for docs/benchmarks.md.

    python bench/bench_service.py --requests 2000 --concurrency 32 --workers 2 [--db URL]

Proofs come from the UNSAFE trapdoor key of ``tests/api/fixtures.py`` (valid Groth16 proofs
for any statement, made in milliseconds); the service cannot tell them from honest ones.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from algebra.backend import get_backend
from api.auth import Role, create_key
from api.client import submission_body
from api.db import make_engine, make_session_factory, upgrade_database
from tests.api.fixtures import SimulatingKey, tiny_snapshot_json

EPOCH = 1


def _keys(url: str) -> dict[str, str]:
    engine = make_engine(url)
    upgrade_database(engine)
    keys: dict[str, str] = {}
    with make_session_factory(engine)() as session:
        for role in (Role.ADMIN, Role.AUDITOR):
            keys[role.value], _ = create_key(session=session, role=role, accounts=[])
        keys["oracle"], _ = create_key(
            session=session, role=Role.ORACLE, accounts=[], markets=["default"]
        )
        keys["venue"], _ = create_key(session=session, role=Role.VENUE, accounts=[], venue="v")
        session.commit()
    engine.dispose()
    return keys


def _trader_key(url: str, accounts: list[str]) -> str:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        key, _ = create_key(session=session, role=Role.TRADER, accounts=accounts)
        session.commit()
    engine.dispose()
    return key


def _serve(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ZKM_RATE_LIMIT_PER_SECOND": "1000000",
        "ZKM_RATE_LIMIT_BURST": "1000000",
        "ZKM_VERIFIER_BACKEND": "native",
        "ZKM_ALLOW_UNSAFE_KEYS": "true",  # the simulating key's trapdoor is known
        "ZKM_ALLOW_UNSIGNED_SNAPSHOTS": "true",  # the load test's snapshot is hand-made
    }
    command = [
        sys.executable,
        "-m",
        "zkmargin",
        "serve",
        "--port",
        str(port),
        "--db",
        url,
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("zkm serve did not start")


async def _run(
    base: str, key: str, bodies: list[bytes], path: str, concurrency: int, expect: int
) -> tuple[float, list[float], int]:
    """POST each pre-serialised body once from ``concurrency`` keep-alive connections.

    A request counts as an error unless it answers ``expect`` (and ``valid: true`` where the
    reply has it). aiohttp, not httpx: the load generator shares the server's 2 cores, and
    httpx costs ≈ 2 ms of CPU per request here against ≈ 0.1 ms for aiohttp.
    """
    latencies: list[float] = []
    failures: list[str] = []
    errors = 0
    pending = iter(bodies)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        for body in pending:
            start = time.perf_counter()
            try:
                async with session.post(path, data=body, headers=headers) as response:
                    reply = await response.read()
                    ok = response.status == expect and orjson.loads(reply).get("valid", True)
                    if not ok and len(failures) < 3:
                        failures.append(f"{response.status} {reply[:200]!r}")
            except (aiohttp.ClientError, orjson.JSONDecodeError) as error:
                ok = False
                if len(failures) < 3:
                    failures.append(repr(error))
            latencies.append(time.perf_counter() - start)
            errors += 0 if ok else 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    for failure in failures:
        print("error:", failure)
    return elapsed, latencies, errors


def _check_recorded(base: str, auditor_key: str, expected: int) -> None:
    """Exit unless the epoch report counts ``expected`` compliant accounts (nothing lost)."""
    headers = {"Authorization": f"Bearer {auditor_key}"}
    report = httpx.get(f"{base}/v1/epochs/{EPOCH}/report", headers=headers, timeout=60)
    report.raise_for_status()
    compliant = report.json()["compliant"]
    print(f"epoch report: {compliant} compliant accounts recorded (expected {expected})")
    if compliant != expected:
        raise SystemExit("the service lost or failed submissions")


def _cpu_seconds(root: int) -> float:
    """Return user+system CPU seconds of process ``root`` and its direct children (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _report(name: str, count: int, elapsed: float, latencies: list[float], errors: int) -> str:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000
    rate = count / elapsed
    print(
        f"{name}: {count} in {elapsed:.2f} s = {rate:.0f}/s,"
        f" p50 {p50:.1f} ms, p99 {p99:.1f} ms, errors {errors}"
    )
    return f"| {name} | {count} | {rate:.0f}/s | {p50:.1f} ms | {p99:.1f} ms | {errors} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="zkm serve --workers")
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--replays", type=int, default=0, help="resubmit this many accepted statements (200)"
    )
    args = parser.parse_args()
    print(f"load average before the run: {os.getloadavg()[0]:.2f}")
    workdir = Path(tempfile.mkdtemp(prefix="zkm-bench-"))
    url = args.db or f"sqlite:///{workdir}/bench.db"
    accounts = [f"acct-{i}" for i in range(args.requests)]
    keys = _keys(url)
    trader = _trader_key(url, accounts)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = _serve(url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        simulator = SimulatingKey.generate(seed=3)
        with httpx.Client(base_url=base, timeout=60) as client:
            admin = {"Authorization": f"Bearer {keys['admin']}"}
            oracle = {"Authorization": f"Bearer {keys['oracle']}"}
            client.post(
                "/v1/circuits",
                json={"circuit_id": "m", "verifying_key": simulator.vk_json},
                headers=admin,
            ).raise_for_status()
            setup = [
                ("/v1/policy/margin-circuits", {"circuit_id": "m", "from_epoch": EPOCH}),
                ("/v1/epochs", {"epoch": EPOCH}),
            ] + [
                ("/v1/venues/v/accounts", {"account_ids": accounts[i : i + 1000]})
                for i in range(0, len(accounts), 1000)
            ]
            for path, body in setup:
                client.post(path, json=body, headers=admin).raise_for_status()
            posted = client.post(
                "/v1/snapshots",
                json={"epoch": EPOCH, "snapshot": tiny_snapshot_json(EPOCH)},
                headers=oracle,
            )
            posted.raise_for_status()
            digest = int(posted.json()["snapshot_hash"])
        publics = [[10_000 + i, digest, 0, 1_000_000] for i in range(args.requests)]
        commitments = [
            orjson.dumps({"account_id": a, "epoch": EPOCH, "commitment": str(p[0])})
            for a, p in zip(accounts, publics, strict=True)
        ]
        rows = [
            "| phase | requests | throughput | p50 | p99 | errors |",
            "|---|---|---|---|---|---|",
        ]
        elapsed, lat, errors = asyncio.run(
            _run(base, keys["venue"], commitments, "/v1/commitments", args.concurrency, 201)
        )
        rows.append(_report("commitments (venue)", len(commitments), elapsed, lat, errors))
        proofs = simulator.prove_many(publics, get_backend("native"))
        bodies = [
            orjson.dumps(submission_body(a, EPOCH, "m", proof, public))
            for a, proof, public in zip(accounts, proofs, publics, strict=True)
        ]
        cpu_before, client_before = _cpu_seconds(server.pid), time.process_time()
        elapsed, lat, errors = asyncio.run(
            _run(base, trader, bodies, "/v1/proofs", args.concurrency, 201)
        )
        cpu_ms = (_cpu_seconds(server.pid) - cpu_before) * 1000 / len(bodies)
        client_ms = (time.process_time() - client_before) * 1000 / len(bodies)
        print(f"load-generator CPU per submission (same 2 cores): {client_ms:.2f} ms")
        rows.append(
            _report("verified proof submissions (trader)", len(bodies), elapsed, lat, errors)
        )
        capacity = (os.cpu_count() or 1) * 1000 / cpu_ms
        print(
            f"server CPU per verified submission: {cpu_ms:.2f} ms"
            f" -> {capacity:.0f}/s if the server had all {os.cpu_count()} cores to itself"
        )
        _check_recorded(base, keys["auditor"], len(bodies))
        if args.replays:
            again = bodies[: args.replays]
            elapsed, lat, errors = asyncio.run(
                _run(base, trader, again, "/v1/proofs", args.concurrency, 200)
            )
            rows.append(_report("idempotent resubmissions (200)", len(again), elapsed, lat, errors))
        print(
            f"\nconcurrency {args.concurrency}, workers {args.workers},"
            f" database {url.split(':')[0]},"
            f" cores {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}"
        )
        print("\n".join(rows))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
