"""Ceremony fixtures: a zkm-run and a snarkjs-run ceremony at power 4, made once per session."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from algebra.backend import Backend, get_backend
from circuits.formats.r1cs_file import read_r1cs, write_r1cs
from prover.ceremony.keys import entropy_rng
from prover.ceremony.params import Beacon
from prover.ceremony.phase1 import apply_beacon, contribute, new_ptau
from prover.ceremony.phase2 import beacon_zkey, contribute_zkey
from prover.ceremony.prepare import prepare_phase2
from prover.setup import setup_from_ptau
from prover.zkey import write_zkey
from tests.conftest import npm_tool
from tests.prover.conftest import tiny_r1cs

POWER = 4
BEACON = Beacon(bytes.fromhex("0123456789abcdef0123456789abcdef"), 10)


@dataclass(frozen=True)
class Ceremony:
    """Paths of one whole ceremony: phase-1 files, the prepared ptau, the circuit, the zkeys."""

    directory: Path
    ptaus: list[Path]
    final_ptau: Path
    r1cs: Path
    zkeys: list[Path]


def run_snarkjs(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the pinned snarkjs and return the completed process (no check; may time out)."""
    command = [str(npm_tool("snarkjs")), *(str(a) for a in args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def native() -> Backend:
    """The native backend (required in CI)."""
    return get_backend("native")


@pytest.fixture(scope="session")
def zkm_ceremony(tmp_path_factory: pytest.TempPathFactory, native: Backend) -> Ceremony:
    """Three phase-1 contributions and a beacon, prepare, setup, three phase-2 ones and a beacon."""
    return build_zkm_ceremony(tmp_path_factory.mktemp("zkm_ceremony"), native)


@pytest.fixture(scope="session")
def snarkjs_ceremony(tmp_path_factory: pytest.TempPathFactory) -> Ceremony:
    """A ceremony run entirely by snarkjs (two contributions per phase)."""
    return build_snarkjs_ceremony(tmp_path_factory.mktemp("snarkjs_ceremony"))


@pytest.fixture(scope="session")
def poisoned(tmp_path_factory: pytest.TempPathFactory, native: Backend) -> Poisoned:
    """A power-2 ceremony, its poisoned copy and a contributed key made from the poison."""
    return build_poisoned(tmp_path_factory.mktemp("poisoned"), native)


def build_zkm_ceremony(root: Path, native: Backend) -> Ceremony:
    """Run :func:`zkm_ceremony`'s ceremony in ``root``."""
    ptaus = [root / f"pot_{i}.ptau" for i in range(5)]
    new_ptau(POWER, ptaus[0], backend=native)
    for index, name in enumerate(("alice", "bob", "carol")):
        rng = entropy_rng(f"{name}'s dice")
        contribute(ptaus[index], ptaus[index + 1], name=name, rng=rng, backend=native)
    apply_beacon(ptaus[3], ptaus[4], name="beacon", beacon=BEACON, backend=native)
    final = root / "pot_final.ptau"
    prepare_phase2(ptaus[4], final, backend=native)
    r1cs = root / "tiny.r1cs"
    write_r1cs(tiny_r1cs(), r1cs)
    zkeys = [root / f"tiny_{i}.zkey" for i in range(5)]
    # From the file, as `zkm groth16 setup` does: snarkjs compares coefficient order byte-wise.
    write_zkey(setup_from_ptau(read_r1cs(r1cs), final, backend=native), zkeys[0], backend=native)
    for index, name in enumerate(("dave", "erin", "frank")):
        rng = entropy_rng(None)
        contribute_zkey(zkeys[index], zkeys[index + 1], name=name, rng=rng, backend=native)
    beacon_zkey(zkeys[3], zkeys[4], name="beacon", beacon=BEACON, backend=native)
    return Ceremony(root, ptaus, final, r1cs, zkeys)


def build_snarkjs_ceremony(root: Path) -> Ceremony:
    """Run :func:`snarkjs_ceremony`'s ceremony in ``root``."""
    ptaus = [root / f"pot_{i}.ptau" for i in range(3)]
    final, r1cs = root / "pot_final.ptau", root / "tiny.r1cs"
    zkeys = [root / f"tiny_{i}.zkey" for i in range(3)]
    write_r1cs(tiny_r1cs(), r1cs)
    steps: list[tuple[str | Path, ...]] = [
        ("powersoftau", "new", "bn128", str(POWER), ptaus[0]),
        ("powersoftau", "contribute", ptaus[0], ptaus[1], "--name=a", "-e=one"),
        ("powersoftau", "contribute", ptaus[1], ptaus[2], "--name=b", "-e=two"),
        ("powersoftau", "prepare", "phase2", ptaus[2], final),
        ("groth16", "setup", r1cs, final, zkeys[0]),
        ("zkey", "contribute", zkeys[0], zkeys[1], "--name=c", "-e=three"),
        ("zkey", "contribute", zkeys[1], zkeys[2], "--name=d", "-e=four"),
    ]
    for step in steps:
        done = run_snarkjs(*step)
        assert done.returncode == 0, done.stderr + done.stdout
    return Ceremony(root, ptaus, final, r1cs, zkeys)


@dataclass(frozen=True)
class Poisoned:
    """The honest and poisoned files of one small ceremony, and a key made from the poison."""

    honest_ptau: Path
    poisoned_ptau: Path
    r1cs: Path
    zkey: Path


POISONED_ROW = 0
"""The constraint the poisoned ptau lets a prover break (``x·x = y``, the only one)."""


def build_poisoned(root: Path, native: Backend) -> Poisoned:
    """Power 2 (the square circuit's domain exactly), poisoned at row 0; the key is what the
    unchecked ``groth16 setup`` made from it (H-query check patched out), plus one contribution.
    """
    import prover.setup
    from tests.ceremony.poison import poison_ptau, square_r1cs

    blank, mine, honest, bad = (root / f"{name}.ptau" for name in ("0", "1", "honest", "bad"))
    new_ptau(2, blank, backend=native)
    contribute(blank, mine, name="alice", rng=entropy_rng("dice"), backend=native)
    prepare_phase2(mine, honest, backend=native)
    poison_ptau(honest, bad, native, POISONED_ROW)
    r1cs = root / "square.r1cs"
    write_r1cs(square_r1cs(), r1cs)
    initial, zkey = root / "square_0.zkey", root / "square_1.zkey"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prover.setup, "h_query_matches_powers", lambda *a, **k: True)
        write_zkey(setup_from_ptau(square_r1cs(), bad, backend=native), initial, backend=native)
    contribute_zkey(initial, zkey, name="bob", rng=entropy_rng(None), backend=native)
    return Poisoned(honest, bad, r1cs, zkey)
