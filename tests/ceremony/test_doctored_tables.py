"""Issue 19: the doctored-file tables. zkm refuses every file an honest run would not produce.

The fast tests run zkm on every case; the snarkjs column (which the docs quote) is
re-checked in the slow test, since two of its cases time out by design.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from algebra.backend import Backend
from tests.ceremony.conftest import Ceremony, Poisoned
from tests.ceremony.doctored import (
    PTAU_CASES,
    ZKEY_CASES,
    Case,
    Sources,
    snarkjs_verdict,
    zkm_verdict,
)

CASES = [pytest.param(c, id=f"ptau: {c.label}") for c in PTAU_CASES] + [
    pytest.param(c, id=f"zkey: {c.label}") for c in ZKEY_CASES
]


@pytest.fixture(scope="module")
def sources(zkm_ceremony: Ceremony, snarkjs_ceremony: Ceremony, poisoned: Poisoned) -> Sources:
    return Sources(zkm_ceremony, snarkjs_ceremony, poisoned)


@pytest.mark.parametrize("case", CASES)
def test_zkm_accepts_only_honest_files(
    case: Case, sources: Sources, native: Backend, tmp_path: Path
) -> None:
    verdict, notes = zkm_verdict(case.build(sources, tmp_path, native), native)
    if case.honest:
        assert verdict == "accepts"
    elif case.unchecked_note:  # the one zkm cannot see alone: it must say so
        assert verdict == "accepts"
        assert any("#1" in note and "checked only in form" in note for note in notes)
    else:
        assert verdict in ("rejects", "malformed")


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_snarkjs_076_verdicts_are_the_documented_ones(
    case: Case, sources: Sources, native: Backend, tmp_path: Path
) -> None:
    assert snarkjs_verdict(case.build(sources, tmp_path, native)) == case.snarkjs
