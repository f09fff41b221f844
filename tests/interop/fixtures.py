"""Compile circom circuits with the pinned circom2 and run snarkjs, caching the results.

Reusable by every interop test (formats, Groth16 prove/verify, zkey, Solidity):

- :func:`compile_circom` compiles ``tests/interop/circuits/<name>.circom`` (or any path)
  to ``.r1cs``, ``.wasm`` and ``.sym`` once, caching under ``tests/interop/.cache/``
  keyed by a hash of the sources, the flags and the pinned tool versions;
- :func:`calculate_witness` runs ``snarkjs wtns calculate`` on an input dict;
- :func:`run_snarkjs` runs any snarkjs command and returns the completed process.

Circuits may ``include "circomlib/circuits/…"``: ``node_modules`` is on the include path.
Missing tools skip the test locally and fail it in CI (``ZKM_REQUIRE_ALL=1``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import INTEROP_DIR, npm_tool, require_executable

CIRCUITS_DIR = INTEROP_DIR / "circuits"
CACHE_DIR = INTEROP_DIR / ".cache"
TOOL_TIMEOUT_S = 600


@dataclass(frozen=True)
class CompiledCircuit:
    """Paths of one cached circom compilation (treat them as read-only)."""

    name: str
    directory: Path
    r1cs: Path
    wasm: Path
    sym: Path


def _source_path(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix != ".circom":
        path = CIRCUITS_DIR / f"{name_or_path}.circom"
    if not path.is_file():
        raise FileNotFoundError(f"circom source not found: {path}")
    return path.resolve()


def _cache_key(source: Path, flags: Sequence[str]) -> str:
    """Hash the source, every sibling .circom (local includes), the flags and the tool lock."""
    digest = hashlib.sha256()
    for path in sorted(source.parent.glob("*.circom")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(source.name.encode() + b"\0" + "\0".join(flags).encode())
    lock = INTEROP_DIR / "package-lock.json"
    if lock.exists():
        digest.update(lock.read_bytes())
    return digest.hexdigest()[:20]


def _compiled(directory: Path, stem: str) -> CompiledCircuit:
    return CompiledCircuit(
        name=stem,
        directory=directory,
        r1cs=directory / f"{stem}.r1cs",
        wasm=directory / f"{stem}_js" / f"{stem}.wasm",
        sym=directory / f"{stem}.sym",
    )


def compile_circom(
    name_or_path: str | Path, *, flags: Sequence[str] = ("--O1",)
) -> CompiledCircuit:
    """Return the compiled circuit, compiling with circom2 only when the cache misses.

    Args:
        name_or_path: a name under ``tests/interop/circuits`` or a path to a ``.circom`` file.
        flags: extra circom flags (e.g. ``("--O2",)``); part of the cache key.
    """
    source = _source_path(name_or_path)
    stem = source.stem
    target = CACHE_DIR / f"{stem}-{_cache_key(source, flags)}"
    if (target / "done").exists():
        return _compiled(target, stem)
    require_executable("node")
    circom = npm_tool("circom2")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{stem}-", dir=CACHE_DIR))
    try:
        command = [str(circom), str(source), "--r1cs", "--wasm", "--sym", *flags]
        command += ["-l", str(INTEROP_DIR / "node_modules"), "-o", str(staging)]
        _run(command)
        (staging / "done").write_text(" ".join(command[2:]))
        try:
            os.rename(staging, target)  # atomic publish; a concurrent winner is fine
        except OSError:
            if not (target / "done").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _compiled(target, stem)


def run_snarkjs(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``snarkjs <args>`` and return the process (stdout/stderr captured as text).

    Raises:
        AssertionError: ``check`` is set and snarkjs exited non-zero (its output is included).
    """
    require_executable("node")
    command = [str(npm_tool("snarkjs")), *(str(a) for a in args)]
    return _run(command, check=check)


def calculate_witness(circuit: CompiledCircuit, inputs: Mapping[str, object], out: Path) -> Path:
    """Compute the witness of ``inputs`` with ``snarkjs wtns calculate`` into ``out``.

    Integers in ``inputs`` (also nested in lists) are passed as decimal strings.
    """
    input_path = out.with_suffix(".input.json")
    input_path.write_text(json.dumps(_stringify(inputs)))
    run_snarkjs("wtns", "calculate", circuit.wasm, input_path, out)
    return out


def _stringify(value: object) -> object:
    if isinstance(value, int):  # bool included: True → "1"
        return str(int(value))
    if isinstance(value, Mapping):
        return {str(k): _stringify(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stringify(v) for v in value]
    return value


def _run(command: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done
