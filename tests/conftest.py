"""Shared test fixtures: backend parametrisation and the ZKM_REQUIRE_ALL policy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from algebra.backend import Backend, get_backend
from algebra.errors import BackendUnavailableError

REPO_ROOT = Path(__file__).resolve().parent.parent
INTEROP_DIR = REPO_ROOT / "tests" / "interop"
REQUIRE_ALL = os.environ.get("ZKM_REQUIRE_ALL") == "1"


def require(available: bool, what: str) -> None:
    """Skip the test when ``what`` is missing, or fail it when ZKM_REQUIRE_ALL=1 (as in CI)."""
    if available:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{what} is required but missing (ZKM_REQUIRE_ALL=1)")
    pytest.skip(f"{what} is not available")


def require_hardware(available: bool, what: str) -> None:
    """Skip the test when this machine lacks ``what`` (a CPU feature), even under ZKM_REQUIRE_ALL.

    Unlike :func:`require`, no installable tool could supply a missing CPU feature, so
    CI on such a machine skips (with the reason) instead of failing.
    """
    if not available:
        pytest.skip(f"{what} is not available on this CPU")


def npm_tool(name: str) -> Path:
    """Return the path of a pinned npm tool in tests/interop/node_modules/.bin, or skip/fail."""
    path = INTEROP_DIR / "node_modules" / ".bin" / name
    require(path.exists(), f"npm tool {name} (run `npm ci` in tests/interop)")
    return path


def require_executable(name: str) -> str:
    """Return the path of an executable on PATH, or skip/fail."""
    found = shutil.which(name)
    require(found is not None, f"executable {name}")
    assert found is not None
    return found


@pytest.fixture(params=["native", "reference"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn; the native one is required in CI."""
    try:
        return get_backend(request.param)
    except BackendUnavailableError as error:
        require(False, f"backend {request.param} ({error})")
        raise


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Point the per-snapshot caches (zkmargin.margin.cache) at a fresh directory, so tests
    neither read a developer's ~/.cache/zkmargin nor write to it (subprocesses inherit it)."""
    os.environ["ZKM_CACHE_DIR"] = str(tmp_path_factory.mktemp("zkm-cache"))
