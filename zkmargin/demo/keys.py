"""Proving and verification keys for the demo: the UNSAFE dev setup by default.

The dev setup draws the toxic waste (τ, α, β, γ, δ) in this process: whoever ran it
could forge proofs, so the demo says so loudly. Production keys come from a
multi-party ceremony (``docs/ceremony.md``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from circuits.margin.sizes import MarginSize
from zkmargin.margin.workflow import VK_NAME, ZKEY_NAME, setup_keys

UNSAFE_BANNER = (
    "UNSAFE DEV SETUP: the toxic waste of these keys was drawn on this machine, so this "
    "machine could forge proofs. Demo only; production keys come from a multi-party "
    "ceremony (docs/ceremony.md)."
)

LOCAL_CEREMONY_BANNER = (
    "LOCAL CEREMONY: every contribution was made on this machine, so these keys are only as "
    "trustworthy as this machine. A real ceremony has independent participants "
    "(docs/ceremony.md)."
)


@dataclass(frozen=True)
class DemoKeys:
    """Where the keys are and how they were made.

    Attributes:
        directory: holds ``margin.zkey``, ``verification_key.json`` and ``margin.json``.
        unsafe: True for the single-party dev setup.
        n_constraints: constraints of the margin circuit.
        seconds: wall time of compiling and setting up.
        how: a one-line description for the summary.
    """

    directory: Path
    unsafe: bool
    n_constraints: int
    seconds: float
    how: str

    @property
    def zkey(self) -> Path:
        """Return the path of the snarkjs-format proving key."""
        return self.directory / ZKEY_NAME

    def verifying_key_json(self) -> dict[str, Any]:
        """Return snarkjs's ``verification_key.json`` content."""
        loaded: dict[str, Any] = json.loads((self.directory / VK_NAME).read_text())
        return loaded


def make_dev_keys(size: MarginSize, directory: Path) -> DemoKeys:
    """Compile the margin circuit of ``size`` and run the UNSAFE dev setup into ``directory``."""
    start = time.perf_counter()
    meta = setup_keys(size, directory)
    return DemoKeys(
        directory=directory,
        unsafe=True,
        n_constraints=int(meta["n_constraints"]),
        seconds=time.perf_counter() - start,
        how="UNSAFE dev setup (single party)",
    )
