"""The native crate builds off x86-64 and the loader picks a build the CPU can run.

No other Rust target can be installed on the CI machines, so the first test reads the
sources instead: every use of ``std::arch`` / ``core::arch``, ``is_x86_feature_detected!``
or ``#[target_feature]`` must sit in a module declared under ``#[cfg(target_arch = …)]``
or directly under such an attribute itself.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest

from algebra import native_build
from tests.conftest import REPO_ROOT

SRC = REPO_ROOT / "native" / "src"
ARCH_USE = re.compile(r"\b(std|core)::arch\b|is_x86_feature_detected!|#\[target_feature")
MOD_DECL = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?mod\s+(\w+)\s*;")


def _gated_files() -> set[Path]:
    """Source files reachable only through a ``#[cfg(target_arch …)]`` module declaration."""
    gated: set[Path] = set()
    for path in sorted(SRC.rglob("*.rs")):
        lines = path.read_text(encoding="utf-8").splitlines()
        directory = path.parent if path.name in {"lib.rs", "mod.rs"} else path.with_suffix("")
        for i, line in enumerate(lines):
            match = MOD_DECL.match(line)
            if match is None:
                continue
            attributes = _attributes_above(lines, i)
            child = directory / f"{match.group(3)}.rs"
            if not child.exists():
                child = directory / match.group(3) / "mod.rs"
            if any("cfg(target_arch" in a for a in attributes) or path in gated:
                gated.add(child)
    return gated


def _attributes_above(lines: list[str], i: int) -> list[str]:
    """The attribute and comment lines directly above line ``i``."""
    above: list[str] = []
    j = i - 1
    while j >= 0 and lines[j].strip().startswith(("#[", "//")):
        above.append(lines[j].strip())
        j -= 1
    return above


def arch_uses_outside_cfg() -> list[str]:
    """Every architecture-specific line not under a ``cfg(target_arch …)`` gate."""
    gated = _gated_files()
    offenders: list[str] = []
    for path in sorted(SRC.rglob("*.rs")):
        if path in gated:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            code = line.split("//", 1)[0]
            if not ARCH_USE.search(code):
                continue
            context = [*_attributes_above(lines, i), _enclosing_item_attributes(lines, i)]
            if not any("cfg(target_arch" in a for a in context):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{i + 1}: {line.strip()}")
    return offenders


def _enclosing_item_attributes(lines: list[str], i: int) -> str:
    """Attributes of the closest item (``fn``) that starts at column 0 above line ``i``."""
    for j in range(i, -1, -1):
        if re.match(r"^(pub(\([^)]*\))?\s+)?(unsafe\s+)?fn\s", lines[j]):
            return " ".join(_attributes_above(lines, j))
    return ""


def test_every_arch_specific_use_sits_under_cfg_target_arch() -> None:
    assert arch_uses_outside_cfg() == []


def test_the_check_catches_an_ungated_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lib.rs").write_text("mod fast;\n", encoding="utf-8")
    (tmp_path / "fast.rs").write_text("use std::arch::x86_64::*;\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "SRC", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "REPO_ROOT", tmp_path)
    assert arch_uses_outside_cfg() == ["fast.rs:1: use std::arch::x86_64::*;"]
    (tmp_path / "lib.rs").write_text('#[cfg(target_arch = "x86_64")]\nmod fast;\n', "utf-8")
    assert arch_uses_outside_cfg() == []


def test_portable_env_chooses_the_baseline_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native_build, "_fast_build_path", lambda: Path("/fast.so"))
    monkeypatch.setattr(native_build, "cpu_flags", lambda: native_build.V3_CPU_FLAGS)
    monkeypatch.setattr(native_build.platform, "machine", lambda: "x86_64")
    monkeypatch.delenv(native_build.CPU_ENV, raising=False)
    assert native_build.choose_build() == ("x86-64-v3", Path("/fast.so"))
    monkeypatch.setenv(native_build.CPU_ENV, "portable")
    assert native_build.choose_build() == ("baseline", None)
    monkeypatch.setenv(native_build.CPU_ENV, "avx2")
    assert native_build.choose_build() == ("x86-64-v3", Path("/fast.so"))


def test_cpu_without_adx_gets_the_baseline_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native_build, "_fast_build_path", lambda: Path("/fast.so"))
    monkeypatch.setattr(native_build.platform, "machine", lambda: "x86_64")
    monkeypatch.delenv(native_build.CPU_ENV, raising=False)
    monkeypatch.setattr(native_build, "cpu_flags", lambda: native_build.V3_CPU_FLAGS - {"adx"})
    assert native_build.choose_build() == ("baseline", None)
    monkeypatch.setattr(native_build.platform, "machine", lambda: "aarch64")
    monkeypatch.setattr(native_build, "cpu_flags", lambda: native_build.V3_CPU_FLAGS)
    assert native_build.choose_build() == ("baseline", None)


def test_portable_env_turns_every_run_time_kernel_off() -> None:
    """In a fresh process with ZKM_NATIVE_CPU=portable: baseline build, no IFMA."""
    code = (
        "import json; from algebra.native_build import load_native, build_name; "
        "m = load_native(); print(json.dumps([build_name(), m.build_info()]))"
    )
    env = {**os.environ, "ZKM_NATIVE_CPU": "portable", "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    import json

    build, info = json.loads(out.stdout)
    assert build == "baseline"
    assert info["forced_portable"] is True
    assert info["batch_scalar_mul"] == "portable"


def test_avx2_env_keeps_the_fast_build_and_turns_avx512_off() -> None:
    """In a fresh process with ZKM_NATIVE_CPU=avx2: what an AVX2 CPU without AVX-512 runs."""
    code = (
        "import json; from algebra.native_build import load_native, build_name; "
        "m = load_native(); print(json.dumps([build_name(), m.build_info(), m.ifma_supported()]))"
    )
    env = {**os.environ, "ZKM_NATIVE_CPU": "avx2", "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    import json

    build, info, ifma = json.loads(out.stdout)
    fast_possible = (
        native_build._fast_build_path() is not None
        and platform.machine().lower() in {"x86_64", "amd64"}
        and native_build.cpu_flags() >= native_build.V3_CPU_FLAGS
    )
    assert build == ("x86-64-v3" if fast_possible else "baseline")
    assert info["forced_portable"] is False
    assert ifma is False
    assert info["batch_scalar_mul"] == "portable"
