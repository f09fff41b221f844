"""The exported Solidity verifier on a real EVM (py-evm) agrees with the Python verifier.

Valid proofs return true; every tampered or malformed row returns false on-chain, and the
Python verifier gives the same verdict (False, or MalformedInputError before any pairing).
Everything runs twice: with today's EIP-1108 prices for the BN254 precompiles and with every
one of them 4× dearer (a patched gas schedule in the test EVM), since a deployed verifier is
immutable and must survive a repricing up to its stated headroom K = 4.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from algebra.constants import FIELD_MODULUS_Q, SCALAR_FIELD_R
from algebra.encoding import g2_from_bytes
from algebra.errors import MalformedInputError
from tests.algebra.curve_helpers import twist_point_outside_g2
from tests.conftest import npm_tool
from tests.interop.fixtures import run_snarkjs
from tests.onchain.evm import GAS_LIMIT, Chain, Compiled, compile_solidity
from tests.onchain.synthetic import SyntheticGroth16
from tests.verifier.conftest import snarkjs_files  # noqa: F401  (fixture)
from tests.verifier.snarkjs_vectors import SnarkjsGroth16
from verifier.proof import Proof
from verifier.snarkjs_json import proof_from_json, public_inputs_from_json, verifying_key_from_json
from verifier.solidity import (
    EC_MUL_GAS,
    PAIRING_GAS,
    PAIRING_GAS_CAP,
    PRICE_HEADROOM,
    g2_to_evm,
    proof_to_evm,
    render_verifier,
    solidity_calldata,
)
from verifier.verify import verify

N_PUBLIC = 4
PRICE_FACTORS = (1, PRICE_HEADROOM)
MALFORMED_GAS_BOUND = 50_000
"""A malformed proof, transaction included, is refused for less than this (no precompile)."""


@pytest.fixture(scope="module")
def synthetic() -> SyntheticGroth16:
    return SyntheticGroth16(N_PUBLIC, seed=7)


@pytest.fixture(scope="module")
def compiled(synthetic: SyntheticGroth16) -> Compiled:
    return compile_solidity(npm_tool("solcjs"), render_verifier(synthetic.vk), "Groth16Verifier")


@pytest.fixture(scope="module", params=PRICE_FACTORS, ids=lambda f: f"prices-x{f}")
def deployed(request: pytest.FixtureRequest, compiled: Compiled) -> tuple[Chain, Any]:
    chain = Chain(precompile_price_factor=request.param)
    return chain, chain.deploy(compiled)


@dataclass(frozen=True)
class Valid:
    """One valid proof with its inputs, made once per module."""

    proof: Proof
    public: list[int]


@pytest.fixture(scope="module")
def valid(synthetic: SyntheticGroth16) -> Valid:
    public = synthetic.random_inputs()
    return Valid(synthetic.prove(public), public)


@dataclass(frozen=True)
class Sent:
    """What one verifyProof transaction returned, cost, and which precompiles it called."""

    result: bool
    gas_used: int
    precompiles: list[str]


def _onchain(contract: Any, proof: Proof, public: list[int]) -> bool:
    a, b, c = proof_to_evm(proof)
    return bool(contract.functions.verifyProof(a, b, c, public).call({"gas": GAS_LIMIT}))


def _send(chain: Chain, contract: Any, proof: Proof, public: list[int]) -> Sent:
    """Simulate the call for its result, then send it as a transaction for its gas."""
    a, b, c = proof_to_evm(proof)
    call = contract.functions.verifyProof(a, b, c, public)
    result = bool(call.call({"gas": GAS_LIMIT}))
    chain.precompile_calls.clear()
    tx = call.transact({"from": chain.accounts[0], "gas": GAS_LIMIT})
    receipt = chain.w3.eth.wait_for_transaction_receipt(tx)
    return Sent(result, int(receipt["gasUsed"]), list(chain.precompile_calls))


def _python(synthetic: SyntheticGroth16, proof: Proof, public: list[int]) -> bool:
    try:
        return verify(synthetic.vk, proof, public)
    except MalformedInputError:
        return False


def test_valid_proofs_verify_on_chain_and_in_python(
    synthetic: SyntheticGroth16, deployed: tuple[Chain, Any], valid: Valid
) -> None:
    chain, contract = deployed
    sent = _send(chain, contract, valid.proof, valid.public)
    assert sent.result is True
    assert sent.precompiles == ["ecMul", "ecAdd"] * N_PUBLIC + ["ecPairing"]
    assert _python(synthetic, valid.proof, valid.public) is True
    other = synthetic.random_inputs()
    assert _onchain(contract, synthetic.prove(other), other) is True


def test_repricing_beyond_the_headroom_refuses_rather_than_burns(
    compiled: Compiled, valid: Valid
) -> None:
    # K is a real bound: at (K + 1)× prices the pairing does not get enough gas, so a valid
    # proof is refused — for a bounded cost, not the sender's whole gas limit.
    chain = Chain(precompile_price_factor=PRICE_HEADROOM + 1)
    sent = _send(chain, chain.deploy(compiled), valid.proof, valid.public)
    assert sent.result is False
    assert sent.precompiles[-1] == "ecPairing"
    assert sent.gas_used < 21_000 + 10_000 + PAIRING_GAS_CAP + N_PUBLIC * 5 * (EC_MUL_GAS + 150)


def test_zero_skipping_inputs_still_verify_when_zero_or_not(synthetic: SyntheticGroth16) -> None:
    source = render_verifier(synthetic.vk, skip_zero_inputs=(0, 2))
    compiled = compile_solidity(npm_tool("solcjs"), source, "Groth16Verifier")
    contract = Chain().deploy(compiled)
    for public in ([0, 5, 0, 1], [3, 5, 7, 1]):
        proof = synthetic.prove(public)
        assert _onchain(contract, proof, public) is True
        assert _onchain(contract, proof, [public[0], 5, 1 - min(public[2], 1), 1]) is False


def test_valid_proof_costs_no_more_gas_than_snarkjs_verifier(
    snarkjs_files: SnarkjsGroth16,  # noqa: F811
    tmp_path: Path,
) -> None:
    # The point checks in assembly must stay paid for: same key, same proof, same solc and
    # EVM, and snarkjs's own exported verifier (bench/bench_gas.py covers 1 to 8 inputs).
    exported = tmp_path / "SnarkjsVerifier.sol"
    run_snarkjs("zkey", "export", "solidityverifier", snarkjs_files.zkey, exported)
    vk = verifying_key_from_json(json.loads(snarkjs_files.verification_key.read_text()))
    proof_path, public_path = snarkjs_files.proofs[0]
    proof = proof_from_json(json.loads(proof_path.read_text()))
    public = public_inputs_from_json(json.loads(public_path.read_text()))
    solcjs = npm_tool("solcjs")
    chain = Chain()
    ours = chain.deploy(compile_solidity(solcjs, render_verifier(vk), "Groth16Verifier"))
    theirs = chain.deploy(compile_solidity(solcjs, exported.read_text(), "Groth16Verifier"))
    ours_sent = _send(chain, ours, proof, public)
    theirs_sent = _send(chain, theirs, proof, public)
    assert ours_sent.result is True and theirs_sent.result is True
    assert ours_sent.gas_used <= theirs_sent.gas_used


@pytest.mark.parametrize("field", ["alpha_g1", "beta_g2", "gamma_g2", "delta_g2"])
def test_export_refuses_key_with_fixed_point_at_infinity(
    synthetic: SyntheticGroth16, field: str
) -> None:
    # δ = O would make e(C, δ) = 1 for any C: a deployed verifier could never be fixed.
    with pytest.raises(MalformedInputError, match=f"verifying key {field}"):
        render_verifier(replace(synthetic.vk, **{field: None}))


def test_skip_zero_inputs_must_be_input_indices(synthetic: SyntheticGroth16) -> None:
    with pytest.raises(MalformedInputError, match="indices below 4"):
        render_verifier(synthetic.vk, skip_zero_inputs=(4,))


Mutation = Callable[[Proof, list[int]], tuple[Proof, list[int]]]


def _double_g1(point: tuple[int, int] | None) -> tuple[int, int]:
    from py_ecc.optimized_bn128 import FQ, add, normalize

    assert point is not None
    p = (FQ(point[0]), FQ(point[1]), FQ(1))
    x, y = normalize(add(p, p))
    return (int(x), int(y))


def _bump_input(index: int) -> Mutation:
    def mutate(proof: Proof, public: list[int]) -> tuple[Proof, list[int]]:
        changed = list(public)
        changed[index] = (changed[index] + 1) % SCALAR_FIELD_R
        return proof, changed

    return mutate


def _input_plus_r(proof: Proof, public: list[int]) -> tuple[Proof, list[int]]:
    # x + r ≡ x in the field: a verifier that reduced inputs would wrongly accept this.
    return proof, [public[0] + SCALAR_FIELD_R, *public[1:]]


def _other_b(proof: Proof, public: list[int]) -> tuple[Proof, list[int]]:
    from py_ecc.optimized_bn128 import FQ2, add, normalize

    assert proof.b is not None
    (x0, x1), (y0, y1) = proof.b
    p = (FQ2([x0, x1]), FQ2([y0, y1]), FQ2([1, 0]))
    x, y = normalize(add(p, p))
    doubled = ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))
    return replace(proof, b=doubled), public


def _a_off_curve(proof: Proof, public: list[int]) -> tuple[Proof, list[int]]:
    assert proof.a is not None
    return replace(proof, a=(proof.a[0], (proof.a[1] + 1) % FIELD_MODULUS_Q)), public


def _c_off_curve(proof: Proof, public: list[int]) -> tuple[Proof, list[int]]:
    assert proof.c is not None
    return replace(proof, c=((proof.c[0] + 1) % FIELD_MODULUS_Q, proof.c[1])), public


def _b_off_twist(proof: Proof, public: list[int]) -> tuple[Proof, list[int]]:
    assert proof.b is not None
    (x0, x1), (y0, y1) = proof.b
    return replace(proof, b=((x0, x1), ((y0 + 1) % FIELD_MODULUS_Q, y1))), public


def _a_coordinate_ge_q(proof: Proof, public: list[int]) -> tuple[Proof, list[int]]:
    assert proof.a is not None
    return replace(proof, a=(proof.a[0] + FIELD_MODULUS_Q, proof.a[1])), public


def _b_coordinate_ge_q(proof: Proof, public: list[int]) -> tuple[Proof, list[int]]:
    assert proof.b is not None
    (x0, x1), y = proof.b
    return replace(proof, b=((x0, x1 + FIELD_MODULUS_Q), y)), public


def _c_coordinate_ge_q(proof: Proof, public: list[int]) -> tuple[Proof, list[int]]:
    assert proof.c is not None
    return replace(proof, c=(proof.c[0], proof.c[1] + FIELD_MODULUS_Q)), public


def _b_y_coordinate_ge_q(proof: Proof, public: list[int]) -> tuple[Proof, list[int]]:
    assert proof.b is not None
    x, (y0, y1) = proof.b
    return replace(proof, b=(x, (y0 + FIELD_MODULUS_Q, y1))), public


def _input_ge_r(index: int, value: int) -> Mutation:
    def mutate(proof: Proof, public: list[int]) -> tuple[Proof, list[int]]:
        changed = list(public)
        changed[index] = value
        return proof, changed

    return mutate


WRONG: dict[str, Mutation] = {
    "A replaced by 2A": lambda p, x: (replace(p, a=_double_g1(p.a)), x),
    "B replaced by 2B": _other_b,
    "C replaced by 2C": lambda p, x: (replace(p, c=_double_g1(p.c)), x),
    **{f"public input {i} + 1": _bump_input(i) for i in range(N_PUBLIC)},
}
"""Well-formed proofs that do not verify: only the pairing can refuse them."""

MALFORMED: dict[str, Mutation] = {
    "public input 0 + r (≥ r, same residue)": _input_plus_r,
    "public input 3 = r": _input_ge_r(3, SCALAR_FIELD_R),
    "public input 1 = 2^256 - 1": _input_ge_r(1, 2**256 - 1),
    "A.x + q (≥ q)": _a_coordinate_ge_q,
    "C.y + q (≥ q)": _c_coordinate_ge_q,
    "B.x.c1 + q (≥ q)": _b_coordinate_ge_q,
    "B.y.c0 + q (≥ q)": _b_y_coordinate_ge_q,
    "A off the curve": _a_off_curve,
    "C off the curve": _c_off_curve,
    "B off the twist": _b_off_twist,
    "A = (0, 0), the EVM's infinity": lambda p, x: (replace(p, a=(0, 0)), x),
    "C = (0, 0), the EVM's infinity": lambda p, x: (replace(p, c=(0, 0)), x),
    "B = (0, 0), the EVM's infinity": lambda p, x: (replace(p, b=((0, 0), (0, 0))), x),
}
"""Malformed proofs: refused before any precompile call, whatever the precompiles cost."""


@pytest.mark.parametrize("case", sorted(WRONG))
def test_wrong_proofs_are_refused_by_the_pairing_on_chain_and_in_python(
    case: str, synthetic: SyntheticGroth16, deployed: tuple[Chain, Any], valid: Valid
) -> None:
    _, contract = deployed
    bad_proof, bad_public = WRONG[case](valid.proof, valid.public)
    assert _onchain(contract, bad_proof, bad_public) is False
    assert _python(synthetic, bad_proof, bad_public) is False


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_proofs_are_refused_before_any_precompile_under_50k_gas(
    case: str, synthetic: SyntheticGroth16, deployed: tuple[Chain, Any], valid: Valid
) -> None:
    chain, contract = deployed
    bad_proof, bad_public = MALFORMED[case](valid.proof, valid.public)
    sent = _send(chain, contract, bad_proof, bad_public)
    assert sent.result is False
    assert sent.precompiles == []
    assert sent.gas_used < MALFORMED_GAS_BOUND
    with pytest.raises(MalformedInputError):
        verify(synthetic.vk, bad_proof, bad_public)


def test_b_outside_g2_costs_its_sender_at_most_k_pairing_prices(
    synthetic: SyntheticGroth16, deployed: tuple[Chain, Any], valid: Valid
) -> None:
    # The one malformed input only the pairing precompile can refuse: B on the twist but not
    # in G2. The precompile then consumes all the gas it was given, K × its EIP-1108 price.
    chain, contract = deployed
    honest = _send(chain, contract, valid.proof, valid.public)
    outside = g2_from_bytes(twist_point_outside_g2())
    bad = replace(valid.proof, b=outside)
    sent = _send(chain, contract, bad, valid.public)
    assert sent.result is False
    assert sent.precompiles == ["ecMul", "ecAdd"] * N_PUBLIC + ["ecPairing"]
    # Everything but the pairing costs what it costs for the honest proof (up to the
    # calldata of another B), so what the bad B made its sender pay for the pairing is:
    honest_pairing = chain.precompile_price_factor * PAIRING_GAS
    paid_for_pairing = sent.gas_used - (honest.gas_used - honest_pairing)
    assert paid_for_pairing <= PAIRING_GAS_CAP + 1_000
    with pytest.raises(MalformedInputError, match="subgroup"):
        verify(synthetic.vk, bad, valid.public)


def test_calldata_matches_the_abi_order(synthetic: SyntheticGroth16) -> None:
    public = synthetic.random_inputs()
    proof = synthetic.prove(public)
    calldata = solidity_calldata(proof, public)
    assert proof.b is not None
    (bx1, bx0), _ = g2_to_evm(proof.b)
    assert (bx1, bx0) == (proof.b[0][1], proof.b[0][0])
    assert f'[["0x{bx1:064x}","0x{bx0:064x}"]' in calldata
    assert calldata.endswith('"0x' + f"{public[-1]:064x}" + '"]')


def test_calldata_rejects_public_input_ge_r(synthetic: SyntheticGroth16) -> None:
    public = synthetic.random_inputs()
    proof = synthetic.prove(public)
    with pytest.raises(MalformedInputError, match="public input #1"):
        solidity_calldata(proof, [public[0], SCALAR_FIELD_R, *public[2:]])
