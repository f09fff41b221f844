"""Powers of tau: zkm and snarkjs verify each other's transcripts and catch tampering."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from algebra.backend import Backend
from prover.ceremony.prepare import prepare_phase2
from prover.ceremony.ptau_file import Phase1Contribution
from prover.ceremony.verify_phase1 import verify_ptau
from prover.container import SectionFile
from prover.setup import setup_from_ptau
from tests.ceremony.conftest import BEACON, Ceremony, run_snarkjs
from tests.ceremony.tamper import copy_point, edit_ptau_records
from tests.prover.conftest import tiny_r1cs
from verifier.provenance import KeyProvenance


def _snarkjs_accepts(path: Path) -> bool:
    done = run_snarkjs("powersoftau", "verify", path)
    return done.returncode == 0 and "Powers of Tau Ok!" in done.stdout


def test_zkm_ceremony_verifies_in_zkm_and_snarkjs(zkm_ceremony: Ceremony, native: Backend) -> None:
    for path in (zkm_ceremony.ptaus[1], zkm_ceremony.final_ptau):
        verdict = verify_ptau(path, backend=native)
        assert verdict.ok, verdict.failures
        assert _snarkjs_accepts(path)


def test_blank_accumulator_is_rejected(zkm_ceremony: Ceremony, native: Backend) -> None:
    verdict = verify_ptau(zkm_ceremony.ptaus[0], backend=native)
    assert verdict.failures == ["the file has no contribution"]


def test_new_and_prepare_are_byte_identical_to_snarkjs(
    zkm_ceremony: Ceremony, tmp_path: Path
) -> None:
    blank, prepared = tmp_path / "blank.ptau", tmp_path / "prepared.ptau"
    assert run_snarkjs("powersoftau", "new", "bn128", "4", blank).returncode == 0
    assert blank.read_bytes() == zkm_ceremony.ptaus[0].read_bytes()
    done = run_snarkjs("powersoftau", "prepare", "phase2", zkm_ceremony.ptaus[4], prepared)
    assert done.returncode == 0
    assert prepared.read_bytes() == zkm_ceremony.final_ptau.read_bytes()


def test_beacon_matches_snarkjs_beacon(
    zkm_ceremony: Ceremony, native: Backend, tmp_path: Path
) -> None:
    theirs = tmp_path / "beacon.ptau"
    args = (zkm_ceremony.ptaus[3], theirs, BEACON.hash.hex(), str(BEACON.iterations_exp))
    assert run_snarkjs("powersoftau", "beacon", *args, "-n=beacon").returncode == 0
    with SectionFile(theirs, b"ptau", 1) as a, SectionFile(zkm_ceremony.ptaus[4], b"ptau", 1) as b:
        for kind in range(1, 7):
            assert a.read(kind) == b.read(kind)
    from prover.ceremony.ptau_file import read_contributions

    with SectionFile(theirs, b"ptau", 1) as a, SectionFile(zkm_ceremony.ptaus[4], b"ptau", 1) as b:
        mine, other = read_contributions(b, native)[-1], read_contributions(a, native)[-1]
    assert mine.response_hash() == other.response_hash()
    assert mine.next_challenge == other.next_challenge


def test_snarkjs_ceremony_verifies_in_zkm(snarkjs_ceremony: Ceremony, native: Backend) -> None:
    for path in (snarkjs_ceremony.ptaus[2], snarkjs_ceremony.final_ptau):
        verdict = verify_ptau(path, backend=native)
        assert verdict.ok, verdict.failures


def test_final_ptau_feeds_setup_from_ptau(zkm_ceremony: Ceremony, native: Backend) -> None:
    key = setup_from_ptau(tiny_r1cs(), zkm_ceremony.final_ptau, backend=native)
    assert key.domain_size == 8 and key.provenance is KeyProvenance.UNCONTRIBUTED


def _both_reject(path: Path, native: Backend) -> list[str]:
    verdict = verify_ptau(path, backend=native)
    assert not verdict.ok
    assert not _snarkjs_accepts(path)
    return verdict.failures


def test_changed_power_is_caught(zkm_ceremony: Ceremony, native: Backend, tmp_path: Path) -> None:
    target = tmp_path / "bad_power.ptau"
    copy_point(zkm_ceremony.ptaus[4], target, b"ptau", 4, 64)
    assert any("alphaTauG1" in f for f in _both_reject(target, native))


def test_changed_lagrange_point_is_caught(
    zkm_ceremony: Ceremony, native: Backend, tmp_path: Path
) -> None:
    target = tmp_path / "bad_lagrange.ptau"
    copy_point(zkm_ceremony.final_ptau, target, b"ptau", 12, 64)
    assert any("Lagrange" in f for f in _both_reject(target, native))


def test_forged_challenge_hash_is_caught(
    zkm_ceremony: Ceremony, native: Backend, tmp_path: Path
) -> None:
    def forge(records: list[Phase1Contribution]) -> list[Phase1Contribution]:
        forged = bytes(b ^ 1 for b in records[1].next_challenge)
        records[1] = dataclasses.replace(records[1], next_challenge=forged)
        return records

    target = tmp_path / "forged.ptau"
    edit_ptau_records(zkm_ceremony.ptaus[4], target, native, forge)
    assert any("#3" in f for f in _both_reject(target, native))


def test_swapped_contributions_are_caught(
    zkm_ceremony: Ceremony, native: Backend, tmp_path: Path
) -> None:
    target = tmp_path / "swapped.ptau"
    edit_ptau_records(zkm_ceremony.ptaus[4], target, native, lambda r: [r[1], r[0], *r[2:]])
    assert any("#1" in f for f in _both_reject(target, native))


def test_prepare_refuses_a_blank_accumulator(
    zkm_ceremony: Ceremony, native: Backend, tmp_path: Path
) -> None:
    import pytest

    from algebra.errors import MalformedInputError

    with pytest.raises(MalformedInputError, match="no contribution"):
        prepare_phase2(zkm_ceremony.ptaus[0], tmp_path / "x.ptau", backend=native)
