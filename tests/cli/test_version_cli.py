"""``zkm version`` names the native build, the kernels in use and the CPU features detected."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from algebra.native_build import choose_build, cpu_flags
from tests.conftest import REPO_ROOT
from zkmargin.cli import main


def _version_json(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "zkmargin", "version", "--json"],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout)
    assert isinstance(report, dict)
    return report


def test_version_reports_the_build_this_cpu_gets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZKM_NATIVE_CPU", "auto")  # what choose_build() sees here, too
    native = _version_json({"ZKM_NATIVE_CPU": "auto"})["native"]
    assert isinstance(native, dict)
    assert native["build"] == choose_build()[0]
    fast = native["build"] == "x86-64-v3"
    assert native["field_arithmetic"] == ("arkworks-asm-mulx-adx" if fast else "arkworks-portable")
    ifma = {"avx512f", "avx512ifma"} <= cpu_flags()
    assert native["batch_scalar_mul"] == ("avx512-ifma" if ifma else "portable")
    assert set(native["cpu_features"]) <= {"bmi2", "adx", "avx2", "fma", "avx512f", "avx512ifma"}


def test_version_with_portable_forced_reports_the_portable_path() -> None:
    native = _version_json({"ZKM_NATIVE_CPU": "portable"})["native"]
    assert isinstance(native, dict)
    assert native["build"] == "baseline"
    assert native["forced_portable"] is True
    assert native["field_arithmetic"] == "arkworks-portable"
    assert native["batch_scalar_mul"] == "portable"


def test_version_prints_readable_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    out = capsys.readouterr().out
    for label in ("zkmargin:", "native build:", "field arithmetic:", "CPU features detected:"):
        assert label in out
