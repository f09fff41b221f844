"""Issue 19: a ptau with a poisoned top Lagrange slot, the forgery it allows, every refusal.

The ceremony is at power 2 and the circuit (``x·x = y``) has QAP domain 4 = 2^2, the
setting the attack needs. The key "made from it" is what the unchecked ``groth16 setup``
produced (the H-query check patched out), with one honest phase-2 contribution on top.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from algebra.backend import Backend
from algebra.constants import SCALAR_FIELD_R
from prover.ceremony.keys import entropy_rng
from prover.ceremony.phase1 import contribute, new_ptau
from prover.ceremony.prepare import prepare_phase2
from prover.ceremony.verify_phase1 import verify_ptau
from prover.ceremony.verify_phase2 import verify_zkey
from prover.ptau_check import PoisonedPtauError
from prover.setup import setup_from_ptau
from prover.zkey import read_zkey
from tests.ceremony.conftest import POISONED_ROW, Poisoned, run_snarkjs
from tests.ceremony.poison import forge_proof, poison_ptau, square_r1cs
from verifier.snarkjs_json import proof_to_json, verifying_key_to_json
from verifier.verify import verify
from zkmargin.cli import main

ROW = POISONED_ROW
FALSE_WITNESS = [1, 5, 2]  # y = 5, x = 2: 2·2 ≠ 5, and no x works


def test_five_is_not_a_square_mod_r() -> None:
    assert pow(5, (SCALAR_FIELD_R - 1) // 2, SCALAR_FIELD_R) == SCALAR_FIELD_R - 1


def test_poisoned_key_accepts_a_proof_that_five_is_a_square(
    poisoned: Poisoned, native: Backend, tmp_path: Path
) -> None:
    key = read_zkey(poisoned.zkey, backend=native)
    proof = forge_proof(key, square_r1cs(), FALSE_WITNESS, ROW, native)
    assert verify(key.vk, proof, [5], backend=native)
    vk, proof_json, public = tmp_path / "vk.json", tmp_path / "proof.json", tmp_path / "pub.json"
    vk.write_text(json.dumps(verifying_key_to_json(key.vk)))
    proof_json.write_text(json.dumps(proof_to_json(proof)))
    public.write_text(json.dumps(["5"]))
    done = run_snarkjs("groth16", "verify", vk, public, proof_json)
    assert done.returncode == 0 and "OK" in done.stdout, done.stdout + done.stderr


def test_snarkjs_076_accepts_the_poisoned_files(poisoned: Poisoned) -> None:
    done = run_snarkjs("powersoftau", "verify", poisoned.poisoned_ptau)
    assert done.returncode == 0 and "Powers of Tau Ok!" in done.stdout
    done = run_snarkjs("zkey", "verify", poisoned.r1cs, poisoned.poisoned_ptau, poisoned.zkey)
    assert done.returncode == 0 and "ZKey Ok!" in done.stdout


def test_powersoftau_verify_refuses_a_poisoned_top_lagrange_slot(
    poisoned: Poisoned, native: Backend
) -> None:
    assert verify_ptau(poisoned.honest_ptau, backend=native).ok
    verdict = verify_ptau(poisoned.poisoned_ptau, backend=native)
    assert not verdict.ok
    assert any("poisoned H query" in failure for failure in verdict.failures)
    assert main(["powersoftau", "verify", str(poisoned.poisoned_ptau)]) == 1


def test_setup_refuses_a_poisoned_h_query(
    poisoned: Poisoned, native: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_from_ptau(square_r1cs(), poisoned.honest_ptau, backend=native)
    with pytest.raises(PoisonedPtauError, match="poisoned"):
        setup_from_ptau(square_r1cs(), poisoned.poisoned_ptau, backend=native)
    out = tmp_path / "refused.zkey"
    args = ["groth16", "setup", str(poisoned.r1cs), str(poisoned.poisoned_ptau), str(out)]
    assert main(args) == 2
    assert "poisoned" in capsys.readouterr().err and not out.exists()


def test_zkey_verify_refuses_a_key_made_from_a_poisoned_ptau(
    poisoned: Poisoned, native: Backend
) -> None:
    for ptau in (poisoned.poisoned_ptau, poisoned.honest_ptau):
        verdict = verify_zkey(poisoned.r1cs, ptau, poisoned.zkey, backend=native)
        assert not verdict.ok, ptau
    verdict = verify_zkey(poisoned.r1cs, poisoned.poisoned_ptau, poisoned.zkey, backend=native)
    assert any("poisoned" in failure for failure in verdict.failures)
    args = [str(poisoned.r1cs), str(poisoned.poisoned_ptau), str(poisoned.zkey)]
    assert main(["zkey", "verify", *args]) == 1


def test_truncated_ptau_carries_the_true_top_power_and_only_that(
    native: Backend, tmp_path: Path
) -> None:
    blank, mine, ready = (tmp_path / f"{name}.ptau" for name in ("0", "1", "ready"))
    new_ptau(3, blank, backend=native)
    contribute(blank, mine, name="alice", rng=entropy_rng("dice"), backend=native)
    prepare_phase2(mine, ready, backend=native)
    assert run_snarkjs("powersoftau", "truncate", ready).returncode == 0
    reduced = tmp_path / "ready_02.ptau"  # power 2 cut from the power-3 ceremony
    assert verify_ptau(reduced, backend=native).ok
    assert setup_from_ptau(square_r1cs(), reduced, backend=native).domain_size == 4
    bad = tmp_path / "bad_02.ptau"
    poison_ptau(reduced, bad, native, ROW)
    assert not verify_ptau(bad, backend=native).ok
    with pytest.raises(PoisonedPtauError):
        setup_from_ptau(square_r1cs(), bad, backend=native)
