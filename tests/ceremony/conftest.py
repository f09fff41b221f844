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


def run_snarkjs(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the pinned snarkjs and return the completed process (no check)."""
    command = [str(npm_tool("snarkjs")), *(str(a) for a in args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="session")
def native() -> Backend:
    """The native backend (required in CI)."""
    return get_backend("native")


@pytest.fixture(scope="session")
def zkm_ceremony(tmp_path_factory: pytest.TempPathFactory, native: Backend) -> Ceremony:
    """Three phase-1 contributions and a beacon, prepare, setup, three phase-2 ones and a beacon."""
    root = tmp_path_factory.mktemp("zkm_ceremony")
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


@pytest.fixture(scope="session")
def snarkjs_ceremony(tmp_path_factory: pytest.TempPathFactory) -> Ceremony:
    """A ceremony run entirely by snarkjs (two contributions per phase)."""
    root = tmp_path_factory.mktemp("snarkjs_ceremony")
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
