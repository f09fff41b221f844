"""Benchmark ``zkm groth16 prove`` against ``snarkjs groth16 prove`` CLI to CLI on one zkey/wtns.

Circuits are :mod:`bench.synthetic` squaring chains filling a 2^k QAP domain. Their
``.r1cs``, ``.wtns`` and ``.zkey`` are cached under ``~/.cache/zkmargin/bench``; the zkey
comes from our (UNSAFE, benchmark-only) dev setup — snarkjs proves with any valid zkey,
and generating 2^18 powers of tau with snarkjs would take far longer than the benchmark.
Both tools run under ``/usr/bin/time`` for wall time and peak RSS; each proof is checked
with ``snarkjs groth16 verify``. Prints a markdown table and writes it to
``docs/benchmarks.md`` (section "Groth16 prove").

Usage: ``python -m bench.bench_prove [k …]`` (default 12 14 16 18).
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.synthetic import write_chain

REPO = Path(__file__).resolve().parent.parent
SNARKJS = REPO / "tests" / "interop" / "node_modules" / ".bin" / "snarkjs"
CACHE = Path.home() / ".cache" / "zkmargin" / "bench"
DOC = REPO / "docs" / "benchmarks.md"
SECTION = "## Groth16 prove"


@dataclass(frozen=True)
class Run:
    """One timed CLI run."""

    seconds: float
    peak_mb: float
    cpu_seconds: float


def _timed(command: list[str]) -> Run:
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M %U %S", "-o", report.name, *command],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
        seconds, kilobytes, user, system = report.read().split()[-4:]
    return Run(float(seconds), int(kilobytes) / 1024, float(user) + float(system))


def _zkm_command() -> str:
    """The installed ``zkm`` script beside this interpreter (not a version-manager shim).

    pyenv puts a bash shim first on PATH that re-resolves the interpreter on every call
    (~0.1 s); snarkjs is likewise run from ``node_modules/.bin``, not through npx.
    """
    beside = Path(sys.executable).with_name("zkm")
    return str(beside) if beside.exists() else (shutil.which("zkm") or "zkm")


def _zkey(log_domain: int, r1cs: Path) -> Path:
    path = CACHE / f"chain{log_domain}.zkey"
    if not path.exists():
        from algebra.backend import get_backend
        from circuits.formats.r1cs_file import read_r1cs
        from prover.setup import setup_dev
        from prover.zkey import write_zkey

        backend = get_backend("native")
        write_zkey(setup_dev(read_r1cs(r1cs), backend=backend), path, backend=backend)
    return path


def _verify(vk: Path, public: Path, proof: Path) -> None:
    done = subprocess.run(
        [str(SNARKJS), "groth16", "verify", str(vk), str(public), str(proof)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or "OK" not in done.stdout:
        raise RuntimeError(f"snarkjs rejected the proof in {proof}")


def bench_size(log_domain: int, work: Path) -> tuple[Run, Run]:
    """Return (snarkjs, zkm) prove runs at domain 2^log_domain; both proofs are verified."""
    r1cs, wtns = write_chain(log_domain, CACHE)
    zkey = _zkey(log_domain, r1cs)
    vk = work / f"vk{log_domain}.json"
    subprocess.run(
        [str(SNARKJS), "zkey", "export", "verificationkey", str(zkey), str(vk)],
        check=True,
        capture_output=True,
    )
    zkm = _zkm_command()
    runs = []
    for name, tool in (
        ("snarkjs", [str(SNARKJS), "groth16", "prove"]),
        ("zkm", [zkm, "groth16", "prove"]),
    ):
        proof, public = work / f"{name}{log_domain}.json", work / f"{name}{log_domain}.pub.json"
        runs.append(_timed([*tool, str(zkey), str(wtns), str(proof), str(public)]))
        _verify(vk, public, proof)
    return runs[0], runs[1]


def _machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split()[1])
        memory = f", {kilobytes / 2**20:.1f} GiB RAM"
    return f"{model}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}"


def table(results: dict[int, tuple[Run, Run]]) -> str:
    """Return the markdown section for ``results``."""
    lines = [
        SECTION,
        "",
        f"Machine: {_machine()}. snarkjs 0.7.6 vs `zkm` (native backend), CLI to CLI, same",
        "zkey and wtns, start-up included; squaring-chain circuits filling a 2^k QAP domain",
        "(2^k − 3 constraints + 3 public-input rows). Peak = max RSS of the process; CPU =",
        "user + system seconds (the 2 cores are shared, so CPU is the steadier measure).",
        f"Load average at the end of the run: {os.getloadavg()[0]:.1f} (other jobs inflate times).",
        "",
        "| domain | snarkjs prove | zkm prove | speed-up | snarkjs CPU | zkm CPU "
        "| snarkjs peak | zkm peak | memory ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for k, (snark, ours) in sorted(results.items()):
        lines.append(
            f"| 2^{k} | {snark.seconds:.2f} s | {ours.seconds:.2f} s | "
            f"{snark.seconds / ours.seconds:.1f}× | {snark.cpu_seconds:.2f} s | "
            f"{ours.cpu_seconds:.2f} s | {snark.peak_mb:.0f} MB | "
            f"{ours.peak_mb:.0f} MB | {ours.peak_mb / snark.peak_mb:.2f} |"
        )
    return "\n".join(lines) + "\n"


def _write_doc(section: str) -> None:
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + ("\n" + text[end + 1 :] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def main(argv: list[str]) -> int:
    """Run the benchmark for the given log sizes and publish the table."""
    sizes = [int(a) for a in argv] or [12, 14, 16, 18]
    results: dict[int, tuple[Run, Run]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for k in sizes:
            results[k] = bench_size(k, Path(scratch))
            snark, ours = results[k]
            print(
                f"2^{k}: snarkjs {snark.seconds:.2f} s, zkm {ours.seconds:.2f} s", file=sys.stderr
            )
    section = table(results)
    print(section)
    _write_doc(section)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
