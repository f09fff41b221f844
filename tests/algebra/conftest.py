"""Fixtures shared by the algebra tests."""

from __future__ import annotations

import pytest

from algebra.backend import get_backend
from algebra.errors import BackendUnavailableError
from algebra.native_backend import NativeBackend
from tests.conftest import require


@pytest.fixture(scope="module")
def native() -> NativeBackend:
    """The native backend; skipped locally and required in CI."""
    try:
        backend = get_backend("native")
    except BackendUnavailableError as error:
        require(False, f"native backend ({error})")
        raise
    assert isinstance(backend, NativeBackend)
    return backend
