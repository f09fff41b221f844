"""Shared audit fixtures: one margin-shaped trapdoor key and a pool of valid entries per session."""

from __future__ import annotations

import pytest

from algebra.backend import get_backend
from algebra.errors import BackendUnavailableError
from tests.audit.fixtures import Entry, margin_entries, margin_key
from tests.conftest import require
from tests.verifier.vectors import ToyKey


@pytest.fixture(scope="session")
def key() -> ToyKey:
    """A 4-input (margin layout) key whose trapdoor mints valid proofs; needs the native backend."""
    try:
        get_backend("native")
    except BackendUnavailableError as error:
        require(False, f"the native backend ({error})")
    return margin_key()


@pytest.fixture(scope="session")
def pool(key: ToyKey) -> list[Entry]:
    """300 valid entries over 3 epochs (100, 101, 102)."""
    return margin_entries(key, 300)
