"""Benchmark ``zkm groth16 prove`` side by side with snarkjs, rapidsnark and gnark, CLI to CLI.

Circuits are :mod:`bench.synthetic` squaring chains filling a 2^k QAP domain. Their
``.r1cs``, ``.wtns`` and ``.zkey`` are cached under ``~/.cache/zkmargin/bench``; the zkey
comes from our (UNSAFE, benchmark-only) dev setup — snarkjs and rapidsnark prove with any
valid zkey, and generating 2^18 powers of tau with snarkjs would take far longer than the
benchmark. zkm, snarkjs and rapidsnark read the same zkey and wtns; gnark cannot read a
zkey, so it runs our Go program ``bench/peers/gnark`` (built by ``bench/peers/build.sh``)
on an equivalent chain with exactly 2^k − 3 constraints, whose ``groth16.Setup`` output
it caches beside the other files (``gnarkchain -k K setup``, run once here if missing).

Every tool runs as its own process under ``/usr/bin/time`` (wall, user + system CPU, peak
RSS), interleaved in rounds (zkm, rapidsnark, gnark, snarkjs, zkm, …) so that drifting
background load hits each alike. Every zkm, rapidsnark and snarkjs proof is checked with
``snarkjs groth16 verify``; the gnark program verifies its own proof with gnark's
``groth16.Verify`` (a failure fails the run). Prints a markdown table (min and median
wall, median CPU, median peak, and each tool's CPU relative to zkm's) with the CPU model
and whether it has AVX-512 IFMA; ``--doc`` also writes it to ``docs/benchmarks.md``.

``--zkm-cpu VALUE`` (repeatable) adds a zkm column run with ``ZKM_NATIVE_CPU=VALUE``:
``avx2`` keeps the x86-64-v3 build but turns the AVX-512 kernels off (what a CPU without
AVX-512 runs), ``portable`` is the baseline build; ``default`` is the unmodified environment.
``--zkm-python PYTHON`` adds, beside each, a ``zkm[wheel…]`` column run by that interpreter
from ``/`` with no ``PYTHONPATH`` (the zkm installed there, e.g. a venv with the wheel).

Usage: ``python -m bench.bench_prove [k …] [--rounds 3] [--gnark PATH] [--rapidsnark PATH]
[--no-snarkjs | --snarkjs-rounds N] [--zkm-cpu default --zkm-cpu avx2] [--doc]``
(default sizes 16 18).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.synthetic import write_chain

REPO = Path(__file__).resolve().parent.parent
SNARKJS = REPO / "tests" / "interop" / "node_modules" / ".bin" / "snarkjs"
CACHE = Path.home() / ".cache" / "zkmargin" / "bench"
DOC = REPO / "docs" / "benchmarks.md"
SECTION = "## Groth16 prove"
CPU_ENV = "ZKM_NATIVE_CPU"


@dataclass(frozen=True)
class Run:
    """One timed CLI run."""

    seconds: float
    peak_mb: float
    cpu_seconds: float


@dataclass(frozen=True)
class Tool:
    """One column: how to prove at domain 2^k into (proof, public), and whether to verify."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    kind: str = "zkey"  # "zkey": argv + [zkey, wtns, proof, public]; "gnark": its own program
    max_rounds: int | None = None  # run only in the first rounds (snarkjs is slow)
    cwd: str | None = None  # outside the checkout for an installed zkm (`-m` imports from cwd)


@dataclass
class Column:
    """The runs of one tool at one size."""

    tool: Tool
    runs: list[Run] = field(default_factory=list)

    @property
    def min_wall(self) -> float:
        return min(r.seconds for r in self.runs)

    @property
    def median_wall(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def median_cpu(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def median_peak(self) -> float:
        return statistics.median(r.peak_mb for r in self.runs)


def _timed(
    command: list[str], env: dict[str, str] | None = None, cwd: str | None = None
) -> tuple[Run, str]:
    """Run ``command`` under /usr/bin/time; return its run and its stdout."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M %U %S", "-o", report.name, *command],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **(env or {})},
            cwd=cwd,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
        seconds, kilobytes, user, system = report.read().split()[-4:]
    run = Run(float(seconds), int(kilobytes) / 1024, float(user) + float(system))
    return run, done.stdout


def _zkm_argv() -> list[str]:
    """This checkout's CLI: the interpreter running the benchmark with ``-m zkmargin``.

    Not the installed ``zkm`` script (that imports whichever checkout was installed) and
    not a version-manager shim (pyenv's bash shim costs ~0.1 s per call).
    """
    return [sys.executable, "-m", "zkmargin", "groth16", "prove"]


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


def _gnark_setup(gnark: Path, log_domain: int) -> None:
    """Compile the gnark chain and run its Setup once (cached under CACHE)."""
    if not (CACHE / f"gnark_chain{log_domain}.pk").exists():
        subprocess.run(
            [str(gnark), "-k", str(log_domain), "-dir", str(CACHE), "setup"],
            check=True,
            capture_output=True,
        )


def _prove_once(tool: Tool, log_domain: int, zkey: Path, wtns: Path, vk: Path, work: Path) -> Run:
    """One timed proof by ``tool``, checked."""
    if tool.kind == "gnark":
        run, out = _timed(
            [*tool.argv, "-k", str(log_domain), "-dir", str(CACHE), "-runs", "1", "prove"]
        )
        if "verified=ok" not in out:
            raise RuntimeError(f"gnark did not report a verified proof:\n{out}")
        return run
    tag = tool.name.replace(" ", "_").replace("[", "_").replace("]", "")
    proof, public = work / f"{tag}{log_domain}.json", work / f"{tag}{log_domain}.pub.json"
    proof.unlink(missing_ok=True)
    command = [*tool.argv, str(zkey), str(wtns), str(proof), str(public)]
    run, _ = _timed(command, tool.env, tool.cwd)
    _verify(vk, public, proof)
    return run


def bench_size(log_domain: int, tools: list[Tool], rounds: int, work: Path) -> list[Column]:
    """Time every tool ``rounds`` times at domain 2^log_domain, interleaved round by round."""
    r1cs, wtns = write_chain(log_domain, CACHE)
    zkey = _zkey(log_domain, r1cs)
    for tool in tools:
        if tool.kind == "gnark":
            _gnark_setup(Path(tool.argv[0]), log_domain)
    vk = work / f"vk{log_domain}.json"
    subprocess.run(
        [str(SNARKJS), "zkey", "export", "verificationkey", str(zkey), str(vk)],
        check=True,
        capture_output=True,
    )
    columns = [Column(tool) for tool in tools]
    for round_index in range(rounds):
        for column in columns:
            if column.tool.max_rounds is not None and round_index >= column.tool.max_rounds:
                continue
            run = _prove_once(column.tool, log_domain, zkey, wtns, vk, work)
            column.runs.append(run)
            print(
                f"2^{log_domain} round {round_index + 1} {column.tool.name}: "
                f"{run.seconds:.2f} s wall, {run.cpu_seconds:.2f} s CPU, {run.peak_mb:.0f} MB",
                file=sys.stderr,
            )
    return columns


def cpu_model() -> str:
    """The CPU model name and whether it has AVX-512 IFMA (from /proc/cpuinfo)."""
    model, flags = "unknown CPU", set[str]()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    ifma = "with AVX-512 IFMA" if "avx512ifma" in flags else "without AVX-512 IFMA"
    extras = "/".join(f.upper() for f in ("avx2", "bmi2", "adx") if f in flags)
    return f"{model} ({ifma}; {extras or 'no AVX2/BMI2/ADX'})"


def _machine() -> str:
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(meminfo.read_text().split()[1])
        memory = f", {kilobytes / 2**20:.1f} GiB RAM"
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu_model()}, {os.cpu_count()} cores{memory}, {system}"


def _zkm_kernels(tool: Tool) -> str:
    """Which native build and batch kernel ``tool`` (a zkm column) loads."""
    code = (
        "from algebra.native_build import load_native, build_name;"
        "n = load_native(); i = n.build_info();"
        "print(build_name(), i['field_arithmetic'], i['batch_scalar_mul'])"
    )
    done = subprocess.run(
        [tool.argv[0], "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=tool.cwd or REPO,
        env={**os.environ, **tool.env},
    )
    return done.stdout.strip() or "unknown"


def table(results: dict[int, list[Column]], rounds: int) -> str:
    """Return the markdown section for ``results``."""
    lines = [
        SECTION,
        "",
        f"Machine: {_machine()}.",
        f"Load average at the end of the run: {os.getloadavg()[0]:.1f} (the cores are shared;",
        f"CPU seconds are the steadier measure). {rounds} interleaved rounds per size, CLI to",
        "CLI (start-up, key loading and the tool's own proof check included); squaring-chain",
        "circuits with 2^k − 3 constraints (gnark: an equivalent circuit of its own). Wall =",
        "min / median seconds, CPU = median user + system seconds, peak = median max RSS",
        "(snarkjs may run in fewer rounds: `runs` says how many);",
        "CPU ratio = the tool's median CPU over the first zkm column's.",
        "",
        "| k | tool | runs | wall min / med | CPU | peak | CPU ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for k, columns in sorted(results.items()):
        base = columns[0].median_cpu
        for column in columns:
            lines.append(
                f"| {k} | {column.tool.name} | {len(column.runs)}"
                f" | {column.min_wall:.2f} / {column.median_wall:.2f} s"
                f" | {column.median_cpu:.2f} s | {column.median_peak:.0f} MB"
                f" | {column.median_cpu / base:.2f} |"
            )
    summary = [
        f"2^{k}: {zkm.tool.name} CPU / {peer.tool.name} CPU = "
        f"{zkm.median_cpu / peer.median_cpu:.2f}, peak {zkm.median_peak / peer.median_peak:.2f}×"
        for k, columns in sorted(results.items())
        for zkm in columns
        if zkm.tool.name.startswith("zkm")
        for peer in columns
        if not peer.tool.name.startswith("zkm")
    ]
    if summary:
        lines += ["", "Ratios (median CPU, median peak):", ""]
        lines += [f"- {line}" for line in summary]
    return "\n".join(lines) + "\n"


def _write_doc(section: str) -> None:
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    start = text.find(SECTION + "\n")
    if start >= 0:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + ("\n" + text[end + 1 :] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text)


def _tools(args: argparse.Namespace) -> list[Tool]:
    tools = []
    for value in args.zkm_cpu or ["default"]:
        env = {} if value == "default" else {CPU_ENV: value}
        name = "zkm" if value == "default" else f"zkm[{value}]"
        tools.append(Tool(name, _zkm_argv(), env={**env, "PYTHONPATH": str(REPO)}))
        if args.zkm_python is not None:  # the same, from an installed zkm (e.g. the wheel)
            wheel = f"zkm[wheel{'' if value == 'default' else ',' + value}]"
            argv = [str(args.zkm_python), *_zkm_argv()[1:]]
            tools.append(Tool(wheel, argv, env={**env, "PYTHONPATH": ""}, cwd="/"))
    if args.rapidsnark is not None:
        tools.append(Tool("rapidsnark", [str(args.rapidsnark)]))
    for gnark in args.gnark or []:
        noavx = gnark.name.endswith("-noavx")  # built with gnark-crypto's `noavx` tag
        tools.append(Tool(f"gnark v0.14{'[noavx]' if noavx else ''}", [str(gnark)], kind="gnark"))
    if not args.no_snarkjs:
        tools.append(
            Tool(
                "snarkjs 0.7.6",
                [str(SNARKJS), "groth16", "prove"],
                max_rounds=args.snarkjs_rounds,
            )
        )
    for tool in tools:
        if not Path(tool.argv[0]).exists():
            raise SystemExit(f"bench_prove: {tool.name}: {tool.argv[0]} does not exist")
    return tools


def main(argv: list[str]) -> int:
    """Run the benchmark for the given log sizes and print (and optionally publish) the table."""
    parser = argparse.ArgumentParser(prog="bench_prove", description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[16, 18])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--gnark",
        type=Path,
        action="append",
        help="gnarkchain binary (bench/peers/build.sh; repeatable: gnarkchain-noavx is "
        "gnark with its AVX-512 kernels off, the peer of zkm[avx2])",
    )
    parser.add_argument("--rapidsnark", type=Path, help="rapidsnark's prover binary")
    parser.add_argument("--no-snarkjs", action="store_true", help="leave the snarkjs column out")
    parser.add_argument(
        "--snarkjs-rounds", type=int, help="run snarkjs only in the first N rounds (it is slow)"
    )
    parser.add_argument(
        "--zkm-cpu", action="append", help=f"a zkm column with {CPU_ENV}=VALUE (repeatable)"
    )
    parser.add_argument(
        "--zkm-python",
        type=Path,
        help="also run each zkm column with this interpreter's installed zkm (a venv with the "
        "wheel: what a user's `pip install` runs, without this checkout's site packages)",
    )
    parser.add_argument("--doc", action="store_true", help=f"write the table to {DOC}")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    tools = _tools(args)
    print(f"CPU: {cpu_model()}", file=sys.stderr)
    for tool in tools:
        if tool.name.startswith("zkm"):
            print(f"{tool.name}: native build {_zkm_kernels(tool)}", file=sys.stderr)
    results: dict[int, list[Column]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for k in args.sizes:
            results[k] = bench_size(k, tools, args.rounds, Path(scratch))
    section = table(results, args.rounds)
    print(section)
    if args.doc:
        _write_doc(section)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
