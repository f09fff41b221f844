"""What the trader runs, timed from the shell: ``zkm margin prove`` end to end per size.

Budget (ARCHITECTURE §6): standard size ≤ 1 s wall and ≤ 150 MB peak on 2 cores without
AVX-512; large ≤ 4 s and ≤ 500 MB. Usage::

    python bench/bench_margin.py [--sizes tiny standard large] [--repeat 3] [--workdir DIR]

For each size it runs, as separate processes of this checkout (``python3 -m zkmargin``)
under ``/usr/bin/time``: ``margin sample`` and ``margin commit`` (once), ``margin setup
--dev`` (once, or reused with ``--reuse-keys``), then ``margin prove`` *first ever* (an
empty cache: the first proof with these keys on a machine, which also hashes the 83 MB
zkey once), *cold* (empty per-snapshot cache, the key's digest cached: the first proof of
a new epoch's snapshot), *second* (the snapshot's second proof, which also computes the
shared wires' four MSM terms) and *warm* (hashes, shared wires and their MSM terms cached:
every further proof of the epoch), and *cold with* ``--terms`` (empty per-snapshot cache,
the publisher's ``zkm margin terms`` file given), ``--repeat`` times each. It prints min
wall, median CPU (user + sys) and max peak RSS per step, the constraint count and the
size of the stored solve program, and the CPU model.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIME = "/usr/bin/time"


@dataclass(frozen=True)
class Run:
    """One process: wall seconds, CPU seconds (user + sys), peak RSS in MB."""

    wall: float
    cpu: float
    peak_mb: float


def run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[Run, str]:
    """Run ``python3 -m zkmargin *args`` under /usr/bin/time; return its figures and stdout."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        command = [TIME, "-o", report.name, "-f", "%e %U %S %M",
                   sys.executable, "-m", "zkmargin", *args]  # fmt: skip
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"zkm {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
        wall, user, system, peak_kb = report.read().split()[-4:]
    return Run(float(wall), float(user) + float(system), int(peak_kb) / 1024), done.stdout


def summary(runs: list[Run]) -> str:
    """Return ``min wall / median CPU / max peak`` of ``runs``."""
    wall = min(r.wall for r in runs)
    cpu = statistics.median(r.cpu for r in runs)
    peak = max(r.peak_mb for r in runs)
    return f"{wall:6.2f} s wall  {cpu:6.2f} s CPU  {peak:6.0f} MB peak  (n={len(runs)})"


def compliant_account(directory: Path, env: dict[str, str]) -> Path:
    """Return the first sampled account that meets the maintenance requirement."""
    for account in sorted((directory / "market" / "accounts").glob("*.json")):
        _, out = run(["margin", "report", str(account), str(directory / "market" / "snapshot.json"),
                      "--json"], env, directory)  # fmt: skip
        if json.loads(out)["compliant_maintenance"]:
            return account
    raise SystemExit(f"no compliant sample account in {directory}")


def bench_size(name: str, workdir: Path, repeat: int, reuse_keys: bool) -> None:
    """Print the CLI figures of one size."""
    directory = workdir / name
    directory.mkdir(parents=True, exist_ok=True)
    cache = directory / "cache"
    env = {**os.environ, "PYTHONPATH": str(REPO), "ZKM_CACHE_DIR": str(cache),
           "PYTHONPYCACHEPREFIX": str(workdir / "pycache")}  # fmt: skip
    # An installed zkm runs from bytecode; PYTHONDONTWRITEBYTECODE would time the compiler.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    keys = directory / "keys"
    if not (reuse_keys and (keys / "margin.json").exists()):
        shutil.rmtree(keys, ignore_errors=True)
        setup, _ = run(["margin", "setup", "--size", name, "--dev", "--out", str(keys)],
                       env, directory)  # fmt: skip
        print(f"{name:>8} setup --dev     {summary([setup])}")
    if not (directory / "opening.json").exists():
        run(["margin", "sample", "--size", name, "--accounts", "4", "--out",
             str(directory / "market")], env, directory)  # fmt: skip
        run(["margin", "commit", str(compliant_account(directory, env)), "--out",
             str(directory / "opening.json")], env, directory)  # fmt: skip
    meta = json.loads((keys / "margin.json").read_text())
    solve_bytes = (keys / "margin.solve").stat().st_size if (keys / "margin.solve").exists() else 0
    zkey_bytes = (keys / "margin.zkey").stat().st_size
    print(f"{name:>8} {meta['n_constraints']} constraints; margin.zkey {zkey_bytes / 1e6:.1f} MB,"
          f" margin.solve {solve_bytes / 1e6:.1f} MB")  # fmt: skip
    prove = ["margin", "prove", str(directory / "opening.json"),
             str(directory / "market" / "snapshot.json"), "--keys", str(keys),
             "--buffer", "1.0", "--out", str(directory / "proof")]  # fmt: skip
    terms = directory / "terms.json"
    made, _ = run(["margin", "terms", str(directory / "market" / "snapshot.json"), "--keys",
                   str(keys), "--out", str(terms)], env, directory)  # fmt: skip
    print(f"{name:>8} terms (publisher) {summary([made])}")
    first_ever: list[Run] = []
    cold: list[Run] = []
    second: list[Run] = []
    warm: list[Run] = []
    first_with_terms: list[Run] = []
    for _ in range(repeat):
        shutil.rmtree(cache, ignore_errors=True)
        first_ever.append(run(prove, env, directory)[0])
        _forget_snapshot(cache)
        cold.append(run(prove, env, directory)[0])
        second.append(run(prove, env, directory)[0])  # fills the shared wires' MSM terms
        warm.append(run(prove, env, directory)[0])
        _forget_snapshot(cache)
        first_with_terms.append(run([*prove, "--terms", str(terms)], env, directory)[0])
    print(f"{name:>8} prove (first ever) {summary(first_ever)}")
    print(f"{name:>8} prove (cold)    {summary(cold)}")
    print(f"{name:>8} prove (second)  {summary(second)}")
    print(f"{name:>8} prove (warm)    {summary(warm)}")
    print(f"{name:>8} prove (cold, --terms) {summary(first_with_terms)}")


def _forget_snapshot(cache: Path) -> None:
    """Empty the per-snapshot cache entries (a new epoch), keeping the key's digest."""
    for kind in ("snapshot-hashes", "shared-wires", "shared-sums"):
        shutil.rmtree(cache / kind, ignore_errors=True)


def cpu_model() -> str:
    """Return the CPU model and whether it has AVX-512 IFMA."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown CPU"
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                  if line.startswith("model name")), "unknown CPU")  # fmt: skip
    ifma = " avx512ifma " in f" {info.replace(chr(10), ' ')} "
    forced = os.environ.get("ZKM_NATIVE_CPU", "").strip()
    off = forced in ("avx2", "portable")
    kernels = f" (ZKM_NATIVE_CPU={forced}: AVX-512 kernels off)" if off else ""
    return f"{model}, {os.cpu_count()} CPUs, AVX-512 IFMA {'yes' if ifma else 'no'}{kernels}"


def main() -> int:
    """Run the benchmark for the requested sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["tiny", "standard"],
                        choices=["tiny", "standard", "large"])  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3)
    default_dir = Path.home() / ".cache" / "zkmargin" / "bench" / "margin"
    parser.add_argument("--workdir", type=Path, default=default_dir)
    parser.add_argument("--reuse-keys", action="store_true", help="keep keys from a former run")
    args = parser.parse_args()
    if not Path(TIME).exists():
        raise SystemExit(f"{TIME} is required (Debian package: time)")
    print(f"zkm margin prove, CLI end to end — {cpu_model()}")
    for name in args.sizes:
        bench_size(name, args.workdir, args.repeat, args.reuse_keys)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
