"""A verb whose optional extra is missing exits 2 with one line naming the extra.

Each case runs ``zkm`` in a fresh interpreter in which the extra's modules cannot be
imported (``sys.modules[name] = None`` makes ``import name`` raise ModuleNotFoundError,
exactly as on a slim install), so nothing imported earlier by the test session hides it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

SERVICE_MODULES = ["fastapi", "uvicorn", "sqlalchemy", "alembic", "httpx", "pydantic_settings"]
AUDIT_MODULES = ["dask", "distributed"]


def _zkm_without(modules: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\n"
        f"for name in {modules!r}: sys.modules[name] = None\n"
        "from zkmargin.cli import main\n"
        f"sys.exit(main({list(args)!r}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--port", "1"],
        ["status", "--account", "a", "--epoch", "1", "--url", "http://127.0.0.1:1", "--key", "k"],
    ],
)
def test_service_verb_without_the_service_extra_names_it(args: list[str]) -> None:
    done = _zkm_without(SERVICE_MODULES, *args)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "zkmargin[service]" in lines[0]
    assert "Traceback" not in done.stderr


def test_dask_audit_without_the_audit_extra_names_it() -> None:
    manifest_free = _zkm_without(AUDIT_MODULES, "audit", "--help")
    assert manifest_free.returncode == 0, manifest_free.stderr  # help needs no extra
    code = (
        "import sys\nsys.modules['distributed'] = None\n"
        "from verifier.audit.runners import ClusterError, DaskRunner, parse_dask_spec\n"
        "try:\n    DaskRunner(parse_dask_spec('local:1'))\n"
        "except ClusterError as error:\n    print(error)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert "pip install 'zkmargin[audit]'" in out.stdout, out.stderr


def test_trader_verbs_need_no_extra() -> None:
    """`zkm margin prove --help` and `zkm version` work with every extra missing."""
    for args in (["margin", "prove", "--help"], ["version"]):
        done = _zkm_without(SERVICE_MODULES + AUDIT_MODULES, *args)
        assert done.returncode == 0, done.stderr
