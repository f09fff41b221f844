"""snarkjs JSON: byte-exact round trips with real snarkjs files, strict parsing with field names."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from algebra.constants import FIELD_MODULUS_Q as Q
from algebra.constants import G1_GENERATOR, G2_GENERATOR
from algebra.constants import SCALAR_FIELD_R as R
from algebra.errors import FormatError, MalformedInputError, ZkError
from tests.verifier.snarkjs_vectors import SnarkjsGroth16
from verifier.keys import VerifyingKey
from verifier.proof import Proof
from verifier.snarkjs_json import (
    g1_from_json,
    g2_from_json,
    proof_from_json,
    proof_to_json,
    public_inputs_from_json,
    public_inputs_to_json,
    verifying_key_from_json,
    verifying_key_to_json,
)

PROOF: dict[str, Any] = proof_to_json(Proof(a=G1_GENERATOR, b=G2_GENERATOR, c=(1, Q - 2)))


def _json(path: Any) -> Any:
    return json.loads(path.read_text())


# --- round trips against snarkjs output ---------------------------------------------------


def test_verifying_key_round_trip_is_identical_to_snarkjs(snarkjs_files: SnarkjsGroth16) -> None:
    original = _json(snarkjs_files.verification_key)
    vk = verifying_key_from_json(original)
    assert vk.n_public == original["nPublic"] == 3
    # includes vk_alphabeta_12 = e(α, β), recomputed in ffjavascript's Fq12 layout
    assert verifying_key_to_json(vk) == original


def test_proof_and_public_round_trip_is_identical_to_snarkjs(
    snarkjs_files: SnarkjsGroth16,
) -> None:
    proof_path, public_path = snarkjs_files.proofs[0]
    proof_json, public_json = _json(proof_path), _json(public_path)
    assert proof_to_json(proof_from_json(proof_json)) == proof_json
    assert public_inputs_to_json(public_inputs_from_json(public_json)) == public_json
    assert public_inputs_from_json(public_json) == [3 * 11 * 5 + 7, (3 + 11) * 7, 7]


def test_verifying_key_json_keeps_infinity_ic_points() -> None:
    vk = VerifyingKey(G1_GENERATOR, G2_GENERATOR, G2_GENERATOR, G2_GENERATOR, [G1_GENERATOR, None])
    encoded = verifying_key_to_json(vk)
    assert encoded["IC"][1] == ["0", "1", "0"]
    assert verifying_key_from_json(encoded) == vk


def test_point_infinity_forms_match_snarkjs() -> None:
    assert g1_from_json(["0", "1", "0"], "p") is None
    assert g2_from_json([["0", "0"], ["1", "0"], ["0", "0"]], "p") is None
    assert proof_from_json(PROOF) == Proof(a=G1_GENERATOR, b=G2_GENERATOR, c=(1, Q - 2))


def test_public_inputs_accept_json_integers_and_edges() -> None:
    assert public_inputs_from_json([0, "0", str(R - 1), 5]) == [0, 0, R - 1, 5]
    assert public_inputs_to_json([0, R - 1]) == ["0", str(R - 1)]


# --- strict parsing: each bad value names its field ----------------------------------------

BAD_SCALARS: list[tuple[object, type[ZkError]]] = [
    ("0x10", MalformedInputError),
    ("-1", MalformedInputError),
    ("+1", MalformedInputError),
    ("1.0", MalformedInputError),
    ("", MalformedInputError),
    (" 1", MalformedInputError),
    ("１", MalformedInputError),  # a full-width digit: str.isdigit() but not ASCII
    ("9" * 101, MalformedInputError),
    (-1, MalformedInputError),
    (True, FormatError),
    (1.0, FormatError),
    (None, FormatError),
    (["1"], FormatError),
]


@pytest.mark.parametrize(("value", "error"), BAD_SCALARS)
def test_public_inputs_reject_non_decimal(value: object, error: type[ZkError]) -> None:
    with pytest.raises(error, match=r"public\[1\]"):
        public_inputs_from_json(["1", value])


@pytest.mark.parametrize("value", [R, R + 1, str(R), str(Q)])
def test_public_inputs_reject_values_ge_r(value: object) -> None:
    with pytest.raises(MalformedInputError, match=r"public\[0\] is not in \[0, r\)"):
        public_inputs_from_json([value])


def test_public_inputs_to_json_rejects_non_canonical() -> None:
    for bad in (R, -1, True):
        with pytest.raises(MalformedInputError):
            public_inputs_to_json([1, bad])


def _proof_with(path: tuple[Any, ...], value: object) -> dict[str, Any]:
    mutated = copy.deepcopy(PROOF)
    target: Any = mutated
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return mutated


@pytest.mark.parametrize(
    ("path", "value", "error", "message"),
    [
        (("pi_a", 0), str(Q), MalformedInputError, r"pi_a\[0\] is not in \[0, q\)"),
        (("pi_a", 1), str(Q + 2), MalformedInputError, r"pi_a\[1\] is not in \[0, q\)"),
        (("pi_b", 1, 0), str(Q), MalformedInputError, r"pi_b\[1\]\[0\] is not in \[0, q\)"),
        (("pi_c", 0), "0x01", MalformedInputError, r"pi_c\[0\]"),
        (("pi_b", 0, 1), "-5", MalformedInputError, r"pi_b\[0\]\[1\]"),
        (("pi_a", 2), "2", FormatError, r"pi_a\[2\]: z must be"),
        (("pi_a",), ["0", "0", "0"], FormatError, r"pi_a\[2\]: z must be"),
        (("pi_a",), ["0", "0", "1"], MalformedInputError, r"pi_a: \(0, 0\) is not on the curve"),
        (("pi_c",), ["0", "0", "1"], MalformedInputError, r"pi_c: \(0, 0\) is not on the curve"),
        (
            ("pi_b",),
            [["0", "0"], ["0", "0"], ["1", "0"]],
            MalformedInputError,
            r"pi_b: \(0, 0\) is not on the twist",
        ),
        (("pi_b", 2), ["1", "1"], FormatError, r"pi_b\[2\]: z must be"),
        (("pi_b", 2), ["0", "0"], FormatError, r"pi_b\[2\]: z must be"),
        (("pi_a",), ["1", "2"], FormatError, r"pi_a: expected a list of 3"),
        (("pi_b",), [["1", "2"], ["1", "2"]], FormatError, r"pi_b: expected a list of 3"),
        (("pi_b", 1), ["1", "2", "3"], FormatError, r"pi_b\[1\]: expected a list of 2"),
        (("pi_c",), "1,2,1", FormatError, r"pi_c: expected a list of 3"),
        (("protocol",), "plonk", FormatError, r"protocol"),
        (("curve",), "bls12381", FormatError, r"curve"),
    ],
)
def test_proof_from_json_rejects_with_field_name(
    path: tuple[Any, ...], value: object, error: type[ZkError], message: str
) -> None:
    with pytest.raises(error, match=message):
        proof_from_json(_proof_with(path, value))


@pytest.mark.parametrize("key", ["pi_a", "pi_b", "pi_c"])
def test_proof_from_json_rejects_missing_key(key: str) -> None:
    mutated = copy.deepcopy(PROOF)
    del mutated[key]
    with pytest.raises(FormatError, match=f"missing key '{key}'"):
        proof_from_json(mutated)


def test_proof_from_json_rejects_non_object() -> None:
    with pytest.raises(FormatError, match="expected a JSON object"):
        proof_from_json([PROOF])


VK: dict[str, Any] = {
    "protocol": "groth16",
    "curve": "bn128",
    "nPublic": 1,
    "vk_alpha_1": ["1", "2", "1"],
    "vk_beta_2": PROOF["pi_b"],
    "vk_gamma_2": PROOF["pi_b"],
    "vk_delta_2": PROOF["pi_b"],
    "IC": [["1", "2", "1"], ["1", "2", "1"]],
}


def _vk_with(key: str, value: object) -> dict[str, Any]:
    mutated = copy.deepcopy(VK)
    if value is None:
        del mutated[key]
    else:
        mutated[key] = value
    return mutated


@pytest.mark.parametrize(
    ("key", "value", "error", "message"),
    [
        ("nPublic", 2, FormatError, "nPublic"),
        ("nPublic", "1", FormatError, "nPublic"),
        ("nPublic", None, FormatError, "missing key 'nPublic'"),
        ("IC", [], FormatError, "IC"),
        ("IC", [["1", "2", "1"], ["1", str(Q), "1"]], MalformedInputError, r"IC\[1\]\[1\]"),
        ("vk_delta_2", None, FormatError, "missing key 'vk_delta_2'"),
        ("vk_alpha_1", ["1", "2"], FormatError, "vk_alpha_1"),
        ("vk_alpha_1", ["0", "0", "1"], MalformedInputError, r"vk_alpha_1: \(0, 0\)"),
        ("vk_beta_2", [["0", "0"], ["0", "0"], ["1", "0"]], MalformedInputError, "vk_beta_2"),
        ("vk_gamma_2", [["0", "0"], ["0", "0"], ["1", "0"]], MalformedInputError, "vk_gamma_2"),
        ("vk_delta_2", [["0", "0"], ["0", "0"], ["1", "0"]], MalformedInputError, "vk_delta_2"),
        ("IC", [["1", "2", "1"], ["0", "0", "1"]], MalformedInputError, r"IC\[1\]: \(0, 0\)"),
        ("vk_gamma_2", [["1", "2"], ["3", "x"], ["1", "0"]], MalformedInputError, "vk_gamma_2"),
        ("vk_alphabeta_12", [[["1", "2"]] * 3], FormatError, "vk_alphabeta_12"),
        ("vk_alphabeta_12", [[["1", str(Q)]] * 3] * 2, MalformedInputError, "vk_alphabeta_12"),
        ("protocol", "fflonk", FormatError, "protocol"),
    ],
)
def test_verifying_key_from_json_rejects_with_field_name(
    key: str, value: object, error: type[ZkError], message: str
) -> None:
    with pytest.raises(error, match=message):
        verifying_key_from_json(_vk_with(key, value))


def test_verifying_key_from_json_accepts_minimal_key() -> None:
    vk = verifying_key_from_json(VK)
    assert vk.n_public == 1
    assert vk.gamma_abc_g1 == ((1, 2), (1, 2))


def test_verifying_key_json_carries_provenance_last_and_reads_it_back(
    snarkjs_files: SnarkjsGroth16,
) -> None:
    from verifier.provenance import KeyProvenance
    from verifier.snarkjs_json import provenance_from_json

    vk = verifying_key_from_json(_json(snarkjs_files.verification_key))
    assert provenance_from_json(verifying_key_to_json(vk)) is None
    for provenance in KeyProvenance:
        body = verifying_key_to_json(vk, provenance=provenance)
        assert list(body)[-1] == "zkm_provenance" and body["zkm_provenance"] == provenance.value
        assert provenance_from_json(body) is provenance
        assert verifying_key_from_json(body) == vk


@pytest.mark.parametrize("value", ["trusted", "DEV", "", 1, None, ["dev"]])
def test_verifying_key_json_refuses_unknown_provenance(
    snarkjs_files: SnarkjsGroth16, value: object
) -> None:
    body = _json(snarkjs_files.verification_key)
    body["zkm_provenance"] = value
    with pytest.raises(FormatError, match="zkm_provenance"):
        verifying_key_from_json(body)
