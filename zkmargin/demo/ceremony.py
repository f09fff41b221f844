"""Keys from a short local ceremony for ``zkm demo --ceremony`` (the ceremony engineer's
:mod:`prover.ceremony`, in snarkjs's ``.ptau``/``.zkey`` formats).

Phase 1 (powers of tau, circuit independent): a blank accumulator of the smallest power the
circuit needs, one contribution, then the phase-2 Lagrange bases. It is cached in
``<out>/ceremony/`` and reused by later runs, as a real deployment reuses a public ceremony.
Phase 2 (the circuit's δ): the initial key from the prepared ``.ptau``, one contribution
per demo actor, a public beacon, and a full verification of the transcript. Every
contribution is made on this machine, so the keys are only as trustworthy as this machine:
the ceremony is shown, not its security (``docs/ceremony.md`` runs a real one).
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path
from typing import Final

from algebra.backend import get_backend
from algebra.errors import ZkError
from circuits.margin.sizes import MarginSize
from prover.ceremony.keys import entropy_rng
from prover.ceremony.params import Beacon
from prover.ceremony.phase1 import contribute, new_ptau
from prover.ceremony.phase2 import beacon_zkey, contribute_zkey
from prover.ceremony.prepare import prepare_phase2
from prover.ceremony.progress import Progress, silent
from prover.ceremony.verify_phase2 import verify_zkey
from prover.qap import domain_size_for
from prover.zkey import read_zkey
from verifier.provenance import KeyProvenance
from zkmargin.demo.keys import DemoKeys
from zkmargin.margin.workflow import (
    ZKEY_NAME,
    compiled_margin,
    setup_keys,
    write_keys_meta,
    write_verifying_key,
)

PHASE2_PARTICIPANTS: Final = ("venue", "oracle", "auditor")
BEACON: Final = Beacon(hashlib.sha256(b"zkm demo public beacon").digest(), 10)


class CeremonyFailedError(ZkError):
    """The demo's own ceremony transcript did not verify."""


def phase1(power: int, directory: Path, progress: Progress = silent) -> Path:
    """Return a phase-2-prepared ``.ptau`` of ``power`` in ``directory`` (made once, cached)."""
    prepared = directory / f"pot{power}_final.ptau"
    if prepared.exists():
        return prepared
    directory.mkdir(parents=True, exist_ok=True)
    backend = get_backend()
    blank, contributed = directory / f"pot{power}_0000.ptau", directory / f"pot{power}_0001.ptau"
    new_ptau(power, blank, backend=backend)
    contribute(blank, contributed, name="demo phase-1 participant", rng=entropy_rng(None),
               backend=backend, progress=progress)  # fmt: skip
    partial = prepared.with_suffix(".partial")
    prepare_phase2(contributed, partial, backend=backend, progress=progress)
    partial.rename(prepared)
    blank.unlink()
    contributed.unlink()
    return prepared


def phase2(size: MarginSize, ptau: Path, directory: Path, progress: Progress = silent) -> int:
    """Write the circuit's keys to ``directory`` after one contribution per demo actor and a
    beacon, verify the transcript, and return the number of constraints.

    Raises:
        CeremonyFailedError: the final key does not verify against the circuit and ptau.
    """
    backend = get_backend()
    meta = setup_keys(size, directory, ptau=ptau)
    work = directory / "phase2"
    work.mkdir(exist_ok=True)
    current = directory / ZKEY_NAME
    for number, name in enumerate(PHASE2_PARTICIPANTS, start=1):
        following = work / f"margin_{number:04d}.zkey"
        contribute_zkey(current, following, name=f"demo {name}", rng=entropy_rng(None),
                        backend=backend, progress=progress)  # fmt: skip
        current = following
    final = work / "margin_final.zkey"
    beacon_zkey(current, final, name="demo beacon", beacon=BEACON, backend=backend,
                progress=progress)  # fmt: skip
    r1cs = work / "margin.r1cs"
    compiled_margin(size).write_r1cs(r1cs)
    verdict = verify_zkey(r1cs, ptau, final, backend=backend, progress=progress)
    if not verdict.ok:
        raise CeremonyFailedError(f"the demo ceremony does not verify: {verdict.failures[0]}")
    shutil.copyfile(final, directory / ZKEY_NAME)
    vk = read_zkey(final, backend=backend).vk
    verified = KeyProvenance.CEREMONY_VERIFIED  # the transcript just passed verify_zkey
    write_verifying_key(vk, verified, directory)
    meta["ceremony"] = {"phase2_contributions": len(PHASE2_PARTICIPANTS), "beacon": True}
    write_keys_meta(meta, verified, directory)
    return int(meta["n_constraints"])


def make_ceremony_keys(size: MarginSize, directory: Path, progress: Progress = silent) -> DemoKeys:
    """Run (or reuse) phase 1 in ``directory``'s sibling ``ceremony/``, then phase 2 here."""
    start = time.perf_counter()
    circuit = compiled_margin(size)
    domain = domain_size_for(circuit.n_constraints, circuit.r1cs.n_public)
    ptau = phase1(domain.bit_length() - 1, directory.parent / "ceremony", progress)
    n_constraints = phase2(size, ptau, directory, progress)
    participants = len(PHASE2_PARTICIPANTS)
    return DemoKeys(
        directory=directory,
        unsafe=False,
        n_constraints=n_constraints,
        seconds=time.perf_counter() - start,
        how=f"local ceremony ({participants} phase-2 contributions + beacon, verified)",
    )
