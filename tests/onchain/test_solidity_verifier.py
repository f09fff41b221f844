"""The exported Solidity verifier on a real EVM (py-evm) agrees with the Python verifier.

Valid proofs return true; every tampered or malformed row returns false on-chain, and the
Python verifier gives the same verdict (False, or MalformedInputError before any pairing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from algebra.constants import FIELD_MODULUS_Q, SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from tests.conftest import npm_tool
from tests.onchain.evm import Chain, compile_solidity
from tests.onchain.synthetic import SyntheticGroth16
from verifier.proof import Proof
from verifier.solidity import g2_to_evm, proof_to_evm, render_verifier, solidity_calldata
from verifier.verify import verify

N_PUBLIC = 4


@pytest.fixture(scope="module")
def synthetic() -> SyntheticGroth16:
    return SyntheticGroth16(N_PUBLIC, seed=7)


@pytest.fixture(scope="module")
def deployed(synthetic: SyntheticGroth16) -> tuple[Chain, Any]:
    source = render_verifier(synthetic.vk)
    compiled = compile_solidity(npm_tool("solcjs"), source, "Groth16Verifier")
    chain = Chain()
    return chain, chain.deploy(compiled)


def _onchain(contract: Any, proof: Proof, public: list[int]) -> bool:
    a, b, c = proof_to_evm(proof)
    return bool(contract.functions.verifyProof(a, b, c, public).call())


def _python(synthetic: SyntheticGroth16, proof: Proof, public: list[int]) -> bool:
    try:
        return verify(synthetic.vk, proof, public)
    except MalformedInputError:
        return False


def test_valid_proofs_verify_on_chain_and_in_python(
    synthetic: SyntheticGroth16, deployed: tuple[Chain, Any]
) -> None:
    _, contract = deployed
    for _ in range(2):
        public = synthetic.random_inputs()
        proof = synthetic.prove(public)
        assert _onchain(contract, proof, public) is True
        assert _python(synthetic, proof, public) is True


def test_zero_skipping_inputs_still_verify_when_zero_or_not(synthetic: SyntheticGroth16) -> None:
    source = render_verifier(synthetic.vk, skip_zero_inputs=(0, 2))
    compiled = compile_solidity(npm_tool("solcjs"), source, "Groth16Verifier")
    contract = Chain().deploy(compiled)
    for public in ([0, 5, 0, 1], [3, 5, 7, 1]):
        proof = synthetic.prove(public)
        assert _onchain(contract, proof, public) is True
        assert _onchain(contract, proof, [public[0], 5, 1 - min(public[2], 1), 1]) is False


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


def _a_infinity(proof: Proof, public: list[int]) -> tuple[Proof, list[int]]:
    return replace(proof, a=(0, 0)), public


TAMPERED: dict[str, Mutation] = {
    "A replaced by 2A": lambda p, x: (replace(p, a=_double_g1(p.a)), x),
    "B replaced by 2B": _other_b,
    "C replaced by 2C": lambda p, x: (replace(p, c=_double_g1(p.c)), x),
    **{f"public input {i} + 1": _bump_input(i) for i in range(N_PUBLIC)},
    "public input 0 + r (≥ r, same residue)": _input_plus_r,
    "A.x + q (≥ q)": _a_coordinate_ge_q,
    "B.x.c1 + q (≥ q)": _b_coordinate_ge_q,
    "A off the curve": _a_off_curve,
    "C off the curve": _c_off_curve,
    "B off the twist": _b_off_twist,
    "A at infinity (0, 0)": _a_infinity,
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_tampered_proofs_are_rejected_on_chain_and_in_python(
    case: str, synthetic: SyntheticGroth16, deployed: tuple[Chain, Any]
) -> None:
    _, contract = deployed
    public = synthetic.random_inputs()
    proof = synthetic.prove(public)
    assert _onchain(contract, proof, public) is True
    bad_proof, bad_public = TAMPERED[case](proof, public)
    assert _onchain(contract, bad_proof, bad_public) is False
    assert _python(synthetic, bad_proof, bad_public) is False


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
