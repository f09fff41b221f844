"""Export a Groth16 verifying key as a gas-lean Solidity verifier, and proofs as EVM calldata.

The contract is zkmargin's own (Apache-2.0), ABI-compatible with snarkjs's exported verifier:
``verifyProof(uint[2] calldata, uint[2][2] calldata, uint[2] calldata, uint[N] calldata)
view returns (bool)``. It uses the EIP-196/197 precompiles (0x06 ecAdd, 0x07 ecMul,
0x08 ecPairing) and, unlike snarkjs's template, rejects malformed input before any
precompile call, cheaply and without consuming the caller's gas:

- every public input must be ``< r`` and every proof coordinate ``< q``;
- A and C must lie on ``y² = x³ + 3`` and B on the twist ``y² = x³ + b'`` — checked with
  ``mulmod``/``addmod`` in assembly (~300 gas in all), so no precompile ever sees a point off
  its curve; the affine (0, 0), which EIP-196 reads as infinity, fails this check too;
- B's G2 subgroup membership is the one property only the pairing precompile checks.

Repricing: each precompile call is given ``K × its EIP-1108 price`` (``K =``
:data:`PRICE_HEADROOM` ``= 4``; the EVM caps it at the gas left), never exactly the price
(a deployed verifier would refuse every valid proof after a repricing) and never all the gas
(snarkjs's template forwards ``gas()``, so a bad point burns the caller's whole budget). A B
on the twist but outside G2 therefore costs its sender at most ``K ×`` the pairing price.

Flag-like inputs named at export (the margin statement's requirement kind) skip their
ecMul/ecAdd when 0, since 0·IC_i is the identity.

G2 coordinates are ``(c0, c1)`` in snarkjs JSON but ``(c1, c0)`` on the EVM; the
conversion lives in exactly one function, :func:`g2_to_evm`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from algebra.backend import get_backend
from algebra.constants import FIELD_MODULUS_Q, SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from algebra.types import G1, G2
from verifier.keys import VerifyingKey, prepare_verifying_key
from verifier.proof import Proof

TWIST_B: tuple[int, int] = (
    19485874751759354771024239261021720505790618469301721065564631296452457478373,
    266929791119991161246907387137283842545076965332900288569378510910307636690,
)
"""b' = 3 / (9 + u), the constant of the G2 twist, as (c0, c1)."""

PAIRING_GAS = 45_000 + 4 * 34_000
"""EIP-1108 price of the verifier's 4-pair ecPairing call."""
EC_MUL_GAS = 6_000
"""EIP-1108 price of ecMul."""
EC_ADD_GAS = 150
"""EIP-1108 price of ecAdd."""

PRICE_HEADROOM = 4
"""K: each precompile call is given K × its EIP-1108 price, so a repricing up to K× keeps
valid proofs valid in deployed (immutable) contracts. The EVM caps a call's gas at what the
caller has left (all but 1/64, EIP-150), so the call gets min(gasleft, K × price) without a
comparison in the contract."""
EC_ADD_GAS_CAP = PRICE_HEADROOM * EC_ADD_GAS
EC_MUL_GAS_CAP = PRICE_HEADROOM * EC_MUL_GAS
PAIRING_GAS_CAP = PRICE_HEADROOM * PAIRING_GAS
"""The most a proof can make its sender burn in the verifier: the one malformed input that
reaches a precompile — a B on the twist but outside G2, which only the pairing precompile can
refuse (it then consumes all the gas it was given) — costs at most this plus the ecMuls."""

EvmG1 = tuple[int, int]
EvmG2 = tuple[tuple[int, int], tuple[int, int]]


def g1_to_evm(point: G1) -> EvmG1:
    """Return a G1 point as the EVM's (x, y) words; infinity is (0, 0)."""
    return (0, 0) if point is None else point


def g2_to_evm(point: G2) -> EvmG2:
    """Return a G2 point in EVM word order ``((x.c1, x.c0), (y.c1, y.c0))``; infinity is zeros.

    This is the one place where the snarkjs-JSON order ``(c0, c1)`` becomes the EIP-197 order.
    """
    if point is None:
        return ((0, 0), (0, 0))
    (x0, x1), (y0, y1) = point
    return ((x1, x0), (y1, y0))


def proof_to_evm(proof: Proof) -> tuple[EvmG1, EvmG2, EvmG1]:
    """Return ``(pA, pB, pC)`` as the uint arrays ``verifyProof`` takes."""
    return g1_to_evm(proof.a), g2_to_evm(proof.b), g1_to_evm(proof.c)


def solidity_calldata(proof: Proof, public_inputs: Sequence[int]) -> str:
    """Return the arguments of ``verifyProof`` as snarkjs's ``soliditycalldata`` prints them.

    Raises:
        MalformedInputError: a public input is not in [0, r).
    """
    for index, value in enumerate(public_inputs):
        if not 0 <= value < SCALAR_FIELD_R:
            raise MalformedInputError(f"public input #{index} is not in [0, r)")
    a, b, c = proof_to_evm(proof)

    def words(values: Sequence[int]) -> list[str]:
        return [f"0x{v:064x}" for v in values]

    parts = [
        json.dumps(words(a)),
        json.dumps([words(b[0]), words(b[1])]),
        json.dumps(words(c)),
        json.dumps(words(public_inputs)),
    ]
    return ",".join(part.replace(" ", "") for part in parts)


def _g2_neg(point: G2) -> G2:
    """Return −P for a G2 point: (x, −y) over Fq2."""
    if point is None:
        return None
    x, (y0, y1) = point
    return (x, ((-y0) % FIELD_MODULUS_Q, (-y1) % FIELD_MODULUS_Q))


def _constants(vk: VerifyingKey) -> list[str]:
    alpha = g1_to_evm(vk.alpha_g1)
    lines = [
        f"    uint256 internal constant R = {SCALAR_FIELD_R};",
        f"    uint256 internal constant Q = {FIELD_MODULUS_Q};",
        f"    uint256 internal constant Q3 = {3 * FIELD_MODULUS_Q};",
        f"    uint256 internal constant TWIST_B0 = {TWIST_B[0]};",
        f"    uint256 internal constant TWIST_B1 = {TWIST_B[1]};",
        f"    uint256 internal constant ALPHA_X = {alpha[0]};",
        f"    uint256 internal constant ALPHA_Y = {alpha[1]};",
    ]
    # The check is e(A, B)·e(α, −β)·e(vk_x, −γ)·e(C, −δ) = 1, so the G2 constants are stored
    # negated and A is used as it comes.
    for name, point in (("BETA", vk.beta_g2), ("GAMMA", vk.gamma_g2), ("DELTA", vk.delta_g2)):
        (x1, x0), (y1, y0) = g2_to_evm(_g2_neg(point))
        lines += [
            f"    uint256 internal constant NEG_{name}_X1 = {x1};",
            f"    uint256 internal constant NEG_{name}_X0 = {x0};",
            f"    uint256 internal constant NEG_{name}_Y1 = {y1};",
            f"    uint256 internal constant NEG_{name}_Y0 = {y0};",
        ]
    for index, ic in enumerate(vk.gamma_abc_g1):
        x, y = g1_to_evm(ic)
        lines += [
            f"    uint256 internal constant IC{index}_X = {x};",
            f"    uint256 internal constant IC{index}_Y = {y};",
        ]
    return lines


_DIRECT_CALLDATA = {"pA": 4, "pB": 4 + 64, "pC": 4 + 64 + 128, "pub": 4 + 64 + 128 + 64}
"""Where ``verifyProof``'s arguments start in its calldata: all four are static arrays, so
the ABI puts them back to back after the 4-byte selector."""


class _Layout:
    """Addresses of the verifier's scratch memory and calldata arguments, as Yul expressions.

    The external ``verifyProof`` ends the call itself, so all memory is free scratch from 0,
    and its arguments sit at fixed calldata offsets: every address is a literal (the
    optimizer does not fold ``add(p, k)`` with a constant ``p``; a literal saves a DUP and an
    ADD, 6 gas, per access). The internal variant works above the free-memory pointer ``p``
    and with whatever calldata pointers its caller passes.
    """

    def __init__(self, *, direct: bool) -> None:
        self.direct = direct

    def __call__(self, offset: int) -> str:
        """Return the memory address ``offset`` bytes into the scratch space."""
        if self.direct:
            return str(offset)
        return "p" if offset == 0 else f"add(p, {offset})"

    def arg(self, name: str, offset: int = 0) -> str:
        """Return the calldata address ``offset`` bytes into argument ``name`` (pA, pB, …)."""
        if self.direct:
            return str(_DIRECT_CALLDATA[name] + offset)
        return name if offset == 0 else f"add({name}, {offset})"


def _input_checks(n_public: int, at: _Layout | None = None) -> list[str]:
    """Return ``let ok`` and the checks that every public input is ``< r``."""
    at = at if at is not None else _Layout(direct=False)
    lines = ["            let ok := 1"]
    for i in range(n_public):
        lines.append(f"            ok := and(ok, lt(calldataload({at.arg('pub', 32 * i)}), R))")
    return lines


def _g1_on_curve() -> list[str]:
    return [
        "                ok := and(ok, and(and(lt(x, q), lt(y, q)),",
        "                    eq(mulmod(y, y, q), addmod(mulmod(mulmod(x, x, q), x, q), 3, q))))",
    ]


def _point_checks(at: _Layout) -> list[str]:
    """Return the checks of A and C on the curve and B on the twist, all coordinates < q.

    A and C: ``y² = x³ + 3``; G1 has cofactor 1, so on the curve is in the group. B:
    ``y² = x³ + b'`` over Fq2 = Fq[u]/(u² + 1), with ``x³ = x0(a − 3b) + x1(3a − b)·u`` for
    ``a = x0², b = x1²`` and ``y² = (y0 + y1)(y0 − y1) + 2·y0·y1·u`` (6 mulmods); only B's G2
    membership is left to the pairing precompile (:data:`PAIRING_GAS_CAP` bounds what a bad
    B can cost). The affine (0, 0), which EIP-196 reads as infinity, fails like any other
    off-curve point. ``q`` is a variable because a DUP costs 3 gas while the optimizer turns
    a repeated 32-byte constant into a CODECOPY. No intermediate overflows 2^256: ``a, b < q``
    (mulmod results), so ``a + 3q − 3b < 4q``, and every coordinate is checked ``< q`` (if
    one is not, ``ok`` is 0 whatever the rest computes).
    """
    return [
        "            {",
        "                // A and C on y^2 = x^3 + 3 with coordinates < q.",
        "                let q := Q",
        f"                let x := calldataload({at.arg('pA')})",
        f"                let y := calldataload({at.arg('pA', 32)})",
        *_g1_on_curve(),
        f"                x := calldataload({at.arg('pC')})",
        f"                y := calldataload({at.arg('pC', 32)})",
        *_g1_on_curve(),
        f"                calldatacopy({at(0)}, {at.arg('pA')}, 64)",
        "                // B on the twist y^2 = x^3 + b' with coordinates < q; pB is",
        "                // [[x1, x0], [y1, y0]]. G2 membership is left to the pairing.",
        f"                calldatacopy({at(64)}, {at.arg('pB')}, 128)",
        f"                let x1 := mload({at(64)})",
        f"                let x0 := mload({at(96)})",
        f"                let y1 := mload({at(128)})",
        f"                let y0 := mload({at(160)})",
        "                let a := mulmod(x0, x0, q)",
        "                let b := mulmod(x1, x1, q)",
        "                ok := and(ok, and(",
        "                    and(and(lt(x0, q), lt(x1, q)), and(lt(y0, q), lt(y1, q))),",
        "                    and(",
        "                      eq(addmod(mulmod(x0, add(a, sub(Q3, mul(3, b))), q), TWIST_B0, q),",
        "                         mulmod(add(y0, y1), add(y0, sub(q, y1)), q)),",
        "                      eq(addmod(mulmod(x1, add(mul(3, a), sub(q, b)), q), TWIST_B1, q),",
        "                         mulmod(add(y0, y0), y1, q)))))",
        "            }",
    ]


def _linear_combination(
    n_public: int, skip_zero: frozenset[int], at: _Layout | None = None
) -> list[str]:
    """Return the computation of vk_x = IC0 + Σ s_i·IC_i into its slot of the pairing input."""
    at = at if at is not None else _Layout(direct=False)
    # The accumulator vk_x lives in its slot of the pairing input ([p+384, p+448)); each
    # ecMul reads (IC_i, s_i) from [p+448, p+544) and writes right behind the accumulator,
    # where ecAdd reads its second operand. γ overwrites that scratch afterwards.
    lines = [
        f"            mstore({at(384)}, IC0_X)",
        f"            mstore({at(416)}, IC0_Y)",
    ]
    for i in range(1, n_public + 1):
        # 0·IC_i is the identity: a flag-like input (listed in skip_zero) saves ~6,300 gas
        # when it is 0, for ~20 gas when it is not.
        guard = "if s" if i - 1 in skip_zero else ""
        lines += [
            f"            {{ let s := calldataload({at.arg('pub', 32 * (i - 1))})",
            f"              {guard} {{",
            f"                mstore({at(448)}, IC{i}_X)",
            f"                mstore({at(480)}, IC{i}_Y)",
            f"                mstore({at(512)}, s)",
            f"                ok := and(ok, staticcall({EC_MUL_GAS_CAP}, 7,"
            f" {at(448)}, 96, {at(448)}, 64))",
            f"                ok := and(ok, staticcall({EC_ADD_GAS_CAP}, 6,"
            f" {at(384)}, 128, {at(384)}, 64))",
            "              } }",
        ]
    return lines


_PAIRING_CONSTANTS = (
    (192, "ALPHA_X"),
    (224, "ALPHA_Y"),
    (256, "NEG_BETA_X1"),
    (288, "NEG_BETA_X0"),
    (320, "NEG_BETA_Y1"),
    (352, "NEG_BETA_Y0"),
    (448, "NEG_GAMMA_X1"),
    (480, "NEG_GAMMA_X0"),
    (512, "NEG_GAMMA_Y1"),
    (544, "NEG_GAMMA_Y0"),
    (640, "NEG_DELTA_X1"),
    (672, "NEG_DELTA_X0"),
    (704, "NEG_DELTA_Y1"),
    (736, "NEG_DELTA_Y0"),
)


def _pairing(at: _Layout) -> list[str]:
    """Return the 4-pair pairing check, given K × its EIP-1108 price, into ``ok``."""
    return [
        "            // Pairing input: e(A, B) · e(α, −β) · e(vk_x, −γ) · e(C, −δ) = 1 (A, B and",
        "            // vk_x are in place already).",
        *(f"            mstore({at(offset)}, {name})" for offset, name in _PAIRING_CONSTANTS),
        f"            calldatacopy({at(576)}, {at.arg('pC')}, 64)",
        f"            ok := and(ok, staticcall({PAIRING_GAS_CAP}, 8, {at(0)}, 768, {at(0)}, 32))",
        f"            ok := and(ok, mload({at(0)}))",
    ]


def _assembly(n_public: int, *, returns_directly: bool, skip_zero: frozenset[int]) -> list[str]:
    """Return the verifier's assembly block.

    With ``returns_directly`` (the external ``verifyProof``) the block ends the call with the
    ABI-encoded bool itself, skipping Solidity's return path; otherwise it assigns ``valid``
    (for contracts that verify and then go on, like MarginAttestation).
    """
    at = _Layout(direct=returns_directly)
    lines = [
        "        assembly {",
        *(
            []
            if returns_directly
            else [
                "            let p := mload(0x40)",
                "            let pA := _pA",
                "            let pB := _pB",
                "            let pC := _pC",
                "            let pub := _pubSignals",
            ]
        ),
        *_input_checks(n_public, at),
        *_point_checks(at),
        "            // Malformed input stops here, before any ecMul or pairing.",
    ]
    if returns_directly:
        lines += [
            "            if iszero(ok) {",
            "                mstore(0, 0)",
            "                return(0, 32)",
            "            }",
            *_linear_combination(n_public, skip_zero, at),
            *_pairing(at),
            "            mstore(0, ok)",
            "            return(0, 32)",
        ]
    else:
        lines += [
            "            if ok {",
            *_linear_combination(n_public, skip_zero, at),
            *_pairing(at),
            "            valid := ok",
            "            }",
        ]
    lines.append("        }")
    return lines


def _signature(name: str, n_public: int, tail: str) -> list[str]:
    return [
        f"    function {name}(",
        "        uint256[2] calldata _pA,",
        "        uint256[2][2] calldata _pB,",
        "        uint256[2] calldata _pC,",
        f"        uint256[{n_public}] calldata _pubSignals",
        f"    ) {tail} {{",
    ]


def render_verifier(
    vk: VerifyingKey,
    contract_name: str = "Groth16Verifier",
    *,
    skip_zero_inputs: Sequence[int] = (),
) -> str:
    """Return the Solidity source of a verifier for ``vk`` (pragma ≥ 0.8.20, Apache-2.0).

    ``verifyProof`` returns true iff the proof verifies for the public inputs; malformed input
    (input ≥ r, coordinate ≥ q, G1 point off its curve) returns false before any precompile.
    The contract also has ``_verifyProof``, the same check as an ``internal view`` function
    that returns instead of ending the call, for contracts that inherit the verifier and go
    on (``zkmargin.margin.attestation``'s ``MarginAttestation``).
    The key itself is validated first (:func:`verifier.keys.prepare_verifying_key`).

    Args:
        vk: the verifying key.
        contract_name: the Solidity contract's name.
        skip_zero_inputs: indices of flag-like public inputs, often 0, whose scalar
            multiplication is skipped when they are 0.

    Raises:
        MalformedInputError: the key is malformed or ``skip_zero_inputs`` are not input indices.
    """
    n_public = len(vk.gamma_abc_g1) - 1
    if n_public < 1:
        raise MalformedInputError("the verifying key must have at least one public input")
    # A deployed verifier is immutable: a key with α, β, γ or δ at infinity, a point off its
    # curve or a G2 point outside the subgroup must fail here, not on-chain.
    prepare_verifying_key(vk, get_backend())
    skip_zero = frozenset(skip_zero_inputs)
    if not skip_zero <= set(range(n_public)):
        raise MalformedInputError(f"skip_zero_inputs must be indices below {n_public}")
    body = [
        "// SPDX-License-Identifier: Apache-2.0",
        "// Generated by zkmargin (`zkm zkey export solidityverifier`). Do not edit by hand.",
        "pragma solidity ^0.8.20;",
        "",
        f"/// @title {contract_name}: Groth16 (BN254) verifier for one verifying key",
        "/// @notice verifyProof(pA, pB, pC, pubSignals) is true iff the proof verifies for the",
        f"/// {n_public} public inputs; malformed proofs and inputs return false before any",
        "/// pairing.",
        f"contract {contract_name} {{",
        *_constants(vk),
        "",
        "    /// @notice Checks a proof; pB is in EVM order [[x.c1, x.c0], [y.c1, y.c0]].",
        *_signature("verifyProof", n_public, "public view returns (bool)"),
        *_assembly(n_public, returns_directly=True, skip_zero=skip_zero),
        "    }",
        "",
        "    /// @dev The same check for contracts that verify and then go on; never reverts.",
        *_signature("_verifyProof", n_public, "internal view returns (bool valid)"),
        *_assembly(n_public, returns_directly=False, skip_zero=skip_zero),
        "    }",
        "}",
        "",
    ]
    return "\n".join(body)
