"""Issue 19: a beacon's iteration exponent must be one the tools make (10–30) when verifying too.

Exponent 0 makes grinding a beacon free; 255 (the byte's maximum) would make a verifier
iterate SHA-256 2^255 times. Both verifiers refuse such records before iterating.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from algebra.backend import Backend
from prover.ceremony.keys import beacon_rng
from prover.ceremony.params import Beacon
from prover.ceremony.phase1 import contribute
from prover.ceremony.phase2 import contribute_zkey
from prover.ceremony.ptau_file import Phase1Contribution
from prover.ceremony.verify_phase1 import verify_ptau
from prover.ceremony.verify_phase2 import verify_zkey
from prover.ceremony.zkey_file import MpcParams
from tests.ceremony.conftest import Ceremony
from tests.ceremony.tamper import edit_ptau_records, edit_zkey_params
from tests.conftest import REPO_ROOT

GROUND = Beacon(bytes.fromhex("00ff00ff"), 0)  # what a grinder would like: one SHA-256


def _zkm(*args: Path | str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "zkmargin", *map(str, args)]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False, cwd=REPO_ROOT
    )


def test_ptau_verify_refuses_a_beacon_with_exponent_0(
    zkm_ceremony: Ceremony, native: Backend, tmp_path: Path
) -> None:
    target = tmp_path / "ground.ptau"
    rng = beacon_rng(GROUND)  # the maker's range check bypassed, as a hostile tool would
    contribute(zkm_ceremony.ptaus[3], target, name="b", rng=rng, backend=native, beacon=GROUND)
    verdict = verify_ptau(target, backend=native)
    assert verdict.failures == ["#4: the beacon iteration exponent is 0, not between 10 and 30"]


def test_zkey_verify_refuses_a_beacon_with_exponent_0(
    zkm_ceremony: Ceremony, native: Backend, tmp_path: Path
) -> None:
    target = tmp_path / "ground.zkey"
    rng = beacon_rng(GROUND)
    contribute_zkey(zkm_ceremony.zkeys[3], target, name="b", rng=rng, backend=native, beacon=GROUND)
    verdict = verify_zkey(zkm_ceremony.r1cs, zkm_ceremony.final_ptau, target, backend=native)
    assert verdict.failures == [
        "contribution #4: the beacon iteration exponent is 0, not between 10 and 30"
    ]


def test_verifiers_refuse_exponent_255_without_iterating(
    zkm_ceremony: Ceremony, native: Backend, tmp_path: Path
) -> None:
    def ptau_edit(records: list[Phase1Contribution]) -> list[Phase1Contribution]:
        assert records[-1].beacon is not None
        huge = dataclasses.replace(records[-1].beacon, iterations_exp=255)
        return [*records[:-1], dataclasses.replace(records[-1], beacon=huge)]

    def zkey_edit(params: MpcParams) -> MpcParams:
        last = params.contributions[-1]
        assert last.beacon is not None
        huge = dataclasses.replace(last.beacon, iterations_exp=255)
        records = [*params.contributions[:-1], dataclasses.replace(last, beacon=huge)]
        return MpcParams(params.circuit_hash, records)

    ptau, zkey = tmp_path / "huge.ptau", tmp_path / "huge.zkey"
    edit_ptau_records(zkm_ceremony.ptaus[4], ptau, native, ptau_edit)
    edit_zkey_params(zkm_ceremony.zkeys[4], zkey, native, zkey_edit)
    done = _zkm("powersoftau", "verify", ptau)  # a hang here raises TimeoutExpired
    assert done.returncode == 1 and "exponent is 255" in done.stderr
    done = _zkm("zkey", "verify", zkm_ceremony.r1cs, zkm_ceremony.final_ptau, zkey)
    assert done.returncode == 1 and "exponent is 255" in done.stderr
