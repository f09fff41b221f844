"""One proven tiny solvency bundle per test session, for the service tests (tests/api) and the
``zkm solvency post`` / ``verify --service`` CLI tests: dev keys for chunks of 2, openings,
the epoch-1 bundle over the first four, and the same accounts proven at epoch 2's snapshot."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from circuits.margin.loading import dump_json
from circuits.margin.model import Opening
from circuits.margin.sizes import TINY
from tests.solvency.fixtures import random_openings, tiny_snapshot
from zkmargin.solvency.keys import SolvencyShape, setup_keys
from zkmargin.solvency.prove import prove_epoch

EPOCH = 1
CHUNK = 2
N_COVERED = 4


@dataclass(frozen=True)
class ProvenBundle:
    """Paths of the session's solvency material; ``openings[N_COVERED]`` is not covered."""

    root: Path
    keys: Path
    snapshot: Path
    bundle: Path
    foreign_bundle: Path
    """The covered accounts proven against epoch 2's snapshot (as epoch 2)."""
    openings: tuple[Opening, ...]


@lru_cache(maxsize=1)
def proven_bundle() -> ProvenBundle:
    """Return the session's bundle, proving it on first use (a few seconds at tiny size)."""
    root = Path(tempfile.mkdtemp(prefix="zkm-solvency-service-"))
    atexit.register(shutil.rmtree, root, True)
    keys = root / "keys"
    setup_keys(SolvencyShape(TINY, CHUNK), keys)
    snapshot = tiny_snapshot(EPOCH)
    (root / "snapshot.json").write_text(dump_json(snapshot))
    openings = tuple(random_openings(snapshot, N_COVERED + 1, seed=33))
    covered = list(openings[:N_COVERED])
    prove_epoch(covered, snapshot, keys, root / "bundle", epoch=EPOCH)
    prove_epoch(covered, tiny_snapshot(2), keys, root / "foreign", epoch=2)
    return ProvenBundle(root, keys, root / "snapshot.json", root / "bundle", root / "foreign",
                        openings)  # fmt: skip
