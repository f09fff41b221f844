"""One set of UNSAFE tiny dev keys for the venue tests (made once per session, ~7 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zkmargin.cli import main


@pytest.fixture(scope="session")
def tiny_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny dev keys made by ``zkm margin setup --size tiny --dev``."""
    keys = tmp_path_factory.mktemp("venue-keys") / "keys"
    assert main(["margin", "setup", "--size", "tiny", "--out", str(keys), "--dev"]) == 0
    return keys
