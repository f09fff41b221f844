"""Issue 19: a key with no phase-2 contribution (γ = δ = G2) is forgeable; zkey verify fails it."""

from __future__ import annotations

from pathlib import Path

import pytest

from algebra.backend import Backend
from algebra.encoding import fr_vector_to_bytes, g1_from_bytes, g1_to_bytes
from prover.ceremony.verify_phase2 import verify_zkey
from prover.zkey import read_zkey
from tests.ceremony.conftest import Ceremony
from verifier.proof import Proof
from verifier.verify import verify
from zkmargin.cli import main

FALSE_PUBLIC = [7, 9]  # tiny_r1cs proves k = out − 1; 9 ≠ 7 − 1


def test_anyone_forges_under_an_uncontributed_key(zkm_ceremony: Ceremony, native: Backend) -> None:
    vk = read_zkey(zkm_ceremony.zkeys[0], backend=native).vk
    ic = b"".join(g1_to_bytes(point) for point in vk.gamma_abc_g1)
    vk_x = native.g1_msm(native.g1_load_bases(ic), fr_vector_to_bytes([1, *FALSE_PUBLIC]))
    forged = Proof(a=vk.alpha_g1, b=vk.beta_g2, c=g1_from_bytes(native.g1_neg(vk_x)))
    assert verify(vk, forged, FALSE_PUBLIC, backend=native)
    final = read_zkey(zkm_ceremony.zkeys[-1], backend=native).vk
    assert not verify(final, forged, FALSE_PUBLIC, backend=native)


def test_zkey_verify_fails_a_key_with_no_phase2_contribution(
    zkm_ceremony: Ceremony, native: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    args = (zkm_ceremony.r1cs, zkm_ceremony.final_ptau)
    verdict = verify_zkey(*args, zkm_ceremony.zkeys[0], backend=native)
    assert not verdict.ok
    assert any("anyone can forge" in failure for failure in verdict.failures)
    assert verify_zkey(*args, zkm_ceremony.zkeys[1], backend=native).ok
    assert main(["zkey", "verify", *map(str, args), str(zkm_ceremony.zkeys[0])]) == 1
    err = capsys.readouterr().err
    assert "uncontributed" in err and "anyone can forge" in err


def test_snarkjs_076_accepts_an_uncontributed_key(zkm_ceremony: Ceremony, tmp_path: Path) -> None:
    from tests.ceremony.conftest import run_snarkjs

    args = (zkm_ceremony.r1cs, zkm_ceremony.final_ptau, zkm_ceremony.zkeys[0])
    done = run_snarkjs("zkey", "verify", *args)
    assert done.returncode == 0 and "ZKey Ok!" in done.stdout
