"""Phase 2: zkm and snarkjs verify each other's δ contributions and catch tampering."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from algebra.backend import Backend
from algebra.errors import MalformedInputError
from prover.ceremony.keys import entropy_rng
from prover.ceremony.phase2 import contribute_zkey
from prover.ceremony.verify_phase2 import verify_zkey
from prover.ceremony.zkey_file import MpcParams
from prover.prove import prove
from prover.setup import setup_dev
from prover.zkey import read_zkey, write_zkey
from tests.ceremony.conftest import BEACON, Ceremony, run_snarkjs
from tests.ceremony.tamper import copy_point, edit_zkey_params
from tests.prover.conftest import tiny_r1cs, tiny_witness
from verifier.verify import verify


def _snarkjs_accepts(ceremony: Ceremony, zkey: Path) -> bool:
    done = run_snarkjs("zkey", "verify", ceremony.r1cs, ceremony.final_ptau, zkey)
    return done.returncode == 0 and "ZKey Ok!" in done.stdout


def _zkm_verdict(ceremony: Ceremony, zkey: Path, native: Backend) -> list[str]:
    return verify_zkey(ceremony.r1cs, ceremony.final_ptau, zkey, backend=native).failures


def test_zkm_contributions_verify_in_zkm_and_snarkjs(
    zkm_ceremony: Ceremony, native: Backend
) -> None:
    final = zkm_ceremony.zkeys[-1]
    assert _zkm_verdict(zkm_ceremony, final, native) == []
    assert _snarkjs_accepts(zkm_ceremony, final)


def test_initial_key_matches_snarkjs_setup(zkm_ceremony: Ceremony, tmp_path: Path) -> None:
    theirs = tmp_path / "init.zkey"
    done = run_snarkjs("groth16", "setup", zkm_ceremony.r1cs, zkm_ceremony.final_ptau, theirs)
    assert done.returncode == 0
    assert read_zkey(theirs).contributions == read_zkey(zkm_ceremony.zkeys[0]).contributions


def test_beacon_matches_snarkjs(zkm_ceremony: Ceremony, tmp_path: Path) -> None:
    theirs = tmp_path / "beacon.zkey"
    args = (zkm_ceremony.zkeys[3], theirs, BEACON.hash.hex(), str(BEACON.iterations_exp))
    assert run_snarkjs("zkey", "beacon", *args, "-n=beacon").returncode == 0
    assert theirs.read_bytes() == zkm_ceremony.zkeys[4].read_bytes()


def test_snarkjs_ceremony_verifies_in_zkm_and_accepts_our_contribution(
    snarkjs_ceremony: Ceremony, native: Backend, tmp_path: Path
) -> None:
    assert _zkm_verdict(snarkjs_ceremony, snarkjs_ceremony.zkeys[2], native) == []
    ours = tmp_path / "ours.zkey"
    contribute_zkey(
        snarkjs_ceremony.zkeys[2], ours, name="zkm", rng=entropy_rng(None), backend=native
    )
    assert _snarkjs_accepts(snarkjs_ceremony, ours)


def test_final_key_proves_and_verifies(zkm_ceremony: Ceremony, native: Backend) -> None:
    key = read_zkey(zkm_ceremony.zkeys[-1], backend=native)
    proof, public = prove(key, tiny_witness(), backend=native)
    assert verify(key.vk, proof, public, backend=native)
    assert not verify(key.vk, proof, [public[0] + 1, public[1]], backend=native)


def test_changed_l_point_is_caught(zkm_ceremony: Ceremony, native: Backend, tmp_path: Path) -> None:
    target = tmp_path / "bad_l.zkey"
    copy_point(zkm_ceremony.zkeys[-1], target, b"zkey", 9, 64)
    assert any("H section" in f for f in _zkm_verdict(zkm_ceremony, target, native))
    assert not _snarkjs_accepts(zkm_ceremony, target)


def test_forged_transcript_is_caught(
    zkm_ceremony: Ceremony, native: Backend, tmp_path: Path
) -> None:
    def forge(params: MpcParams) -> MpcParams:
        records = list(params.contributions)
        records[1] = dataclasses.replace(records[1], transcript=bytes(64))
        return MpcParams(params.circuit_hash, records)

    target = tmp_path / "forged.zkey"
    edit_zkey_params(zkm_ceremony.zkeys[-1], target, native, forge)
    assert any("#2" in f for f in _zkm_verdict(zkm_ceremony, target, native))
    assert not _snarkjs_accepts(zkm_ceremony, target)


def test_swapped_contributions_are_caught(
    zkm_ceremony: Ceremony, native: Backend, tmp_path: Path
) -> None:
    def swap(params: MpcParams) -> MpcParams:
        first, second, *rest = params.contributions
        return MpcParams(params.circuit_hash, [second, first, *rest])

    target = tmp_path / "swapped.zkey"
    edit_zkey_params(zkm_ceremony.zkeys[-1], target, native, swap)
    assert any("#1" in f for f in _zkm_verdict(zkm_ceremony, target, native))
    assert not _snarkjs_accepts(zkm_ceremony, target)


def test_contributing_to_a_dev_key_is_refused(native: Backend, tmp_path: Path) -> None:
    dev = tmp_path / "dev.zkey"
    write_zkey(setup_dev(tiny_r1cs(), backend=native), dev, backend=native)
    with pytest.raises(MalformedInputError, match="UNSAFE"):
        contribute_zkey(dev, tmp_path / "x.zkey", name=None, rng=entropy_rng(None), backend=native)
