"""verify(): valid proofs pass, tampered ones fail, malformed input errors before any pairing."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest

from algebra.backend import Backend
from algebra.constants import FIELD_MODULUS_Q as Q
from algebra.constants import G1_GENERATOR, G2_GENERATOR, SCALAR_FIELD_R
from algebra.encoding import g1_from_bytes, g1_to_bytes, g2_from_bytes, g2_to_bytes
from algebra.errors import MalformedInputError
from algebra.types import G1, G2
from tests.algebra.curve_helpers import twist_point_outside_g2
from tests.verifier.conftest import Toy
from tests.verifier.snarkjs_vectors import SnarkjsGroth16
from verifier.keys import prepare_verifying_key
from verifier.proof import Proof
from verifier.snarkjs_json import proof_from_json, public_inputs_from_json, verifying_key_from_json
from verifier.verify import verify


def _g1_plus_generator(backend: Backend, point: G1) -> G1:
    return g1_from_bytes(backend.g1_add(g1_to_bytes(point), g1_to_bytes(G1_GENERATOR)))


def _g2_plus_generator(backend: Backend, point: G2) -> G2:
    return g2_from_bytes(backend.g2_add(g2_to_bytes(point), g2_to_bytes(G2_GENERATOR)))


def test_verify_accepts_valid_proofs_with_edge_inputs(backend: Backend, toy: Toy) -> None:
    # the first proof has a 0 input, the last an r − 1 input
    for proof, inputs in zip(toy.proofs[::2], toy.inputs[::2], strict=True):
        assert verify(toy.key.vk, proof, inputs, backend=backend) is True


def test_verify_accepts_prepared_key(backend: Backend, toy: Toy) -> None:
    pvk = prepare_verifying_key(toy.key.vk, backend)
    assert verify(pvk, toy.proofs[0], toy.inputs[0], backend=backend) is True


@pytest.mark.parametrize("element", ["a", "b", "c"])
def test_verify_rejects_tampered_proof_element(backend: Backend, toy: Toy, element: str) -> None:
    proof = toy.proofs[0]
    if element == "a":
        tampered = replace(proof, a=_g1_plus_generator(backend, proof.a))
    elif element == "b":
        tampered = replace(proof, b=_g2_plus_generator(backend, proof.b))
    else:
        tampered = replace(proof, c=_g1_plus_generator(backend, proof.c))
    assert verify(toy.key.vk, tampered, toy.inputs[0], backend=backend) is False


@pytest.mark.parametrize("index", [0, 1])
def test_verify_rejects_changed_public_input(backend: Backend, toy: Toy, index: int) -> None:
    inputs = list(toy.inputs[1])
    inputs[index] = (inputs[index] + 1) % SCALAR_FIELD_R
    assert verify(toy.key.vk, toy.proofs[1], inputs, backend=backend) is False


def test_verify_rejects_proof_for_other_inputs(backend: Backend, toy: Toy) -> None:
    assert verify(toy.key.vk, toy.proofs[0], toy.inputs[1], backend=backend) is False


# --- malformed input: MalformedInputError, and no pairing is ever reached ----------------

Tamper = Callable[[Proof, list[int]], tuple[Proof, Sequence[object]]]


def _x_plus_q(point: G1) -> G1:
    assert point is not None
    return (point[0] + Q, point[1])


def _off_curve(point: G1) -> G1:
    assert point is not None
    return (point[0], (point[1] + 1) % Q)


def _b_coordinate_ge_q(point: G2) -> G2:
    assert point is not None
    x, (y0, y1) = point
    return (x, (y0, y1 + Q))


def _b_off_twist(point: G2) -> G2:
    assert point is not None
    x, (y0, y1) = point
    return (x, ((y0 + 1) % Q, y1))


MALFORMED: dict[str, tuple[Tamper, str]] = {
    "input_eq_r": (lambda p, x: (p, [SCALAR_FIELD_R, x[1]]), "public input #0"),
    "input_gt_r": (lambda p, x: (p, [x[0], SCALAR_FIELD_R + x[1]]), "public input #1"),
    "input_negative": (lambda p, x: (p, [-1, x[1]]), "public input #0"),
    "input_not_int": (lambda p, x: (p, [str(x[0]), x[1]]), "public input #0"),
    "input_bool": (lambda p, x: (p, [True, x[1]]), "public input #0"),
    "too_few_inputs": (lambda p, x: (p, x[:1]), "expected 2 public inputs"),
    "too_many_inputs": (lambda p, x: (p, [*x, 0]), "expected 2 public inputs"),
    "a_x_ge_q": (lambda p, x: (replace(p, a=_x_plus_q(p.a)), x), "proof.a"),
    "c_x_ge_q": (lambda p, x: (replace(p, c=_x_plus_q(p.c)), x), "proof.c"),
    "b_coord_ge_q": (lambda p, x: (replace(p, b=_b_coordinate_ge_q(p.b)), x), "proof.b"),
    "a_off_curve": (lambda p, x: (replace(p, a=_off_curve(p.a)), x), "proof.a"),
    "c_off_curve": (lambda p, x: (replace(p, c=_off_curve(p.c)), x), "proof.c"),
    "b_off_twist": (lambda p, x: (replace(p, b=_b_off_twist(p.b)), x), "proof.b"),
    "b_outside_subgroup": (
        lambda p, x: (replace(p, b=g2_from_bytes(twist_point_outside_g2())), x),
        "subgroup",
    ),
    "a_infinity": (lambda p, x: (replace(p, a=None), x), "proof.a is the point at infinity"),
    "b_infinity": (lambda p, x: (replace(p, b=None), x), "proof.b is the point at infinity"),
    "c_infinity": (lambda p, x: (replace(p, c=None), x), "proof.c is the point at infinity"),
    # (0, 0) is off both curves; its bytes are infinity's, so it must not pass as infinity
    # (or as anything else): refused as an off-curve point.
    "a_zero_point": (lambda p, x: (replace(p, a=(0, 0)), x), r"proof.a: G1 point \(0, 0\)"),
    "c_zero_point": (lambda p, x: (replace(p, c=(0, 0)), x), r"proof.c: G1 point \(0, 0\)"),
    "b_zero_point": (
        lambda p, x: (replace(p, b=((0, 0), (0, 0))), x),
        r"proof.b: G2 point \(0, 0\)",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_verify_rejects_malformed_input_before_pairing(
    backend: Backend, no_pairing: Backend, toy: Toy, case: str
) -> None:
    tamper, message = MALFORMED[case]
    proof, inputs = tamper(toy.proofs[0], list(toy.inputs[0]))
    with pytest.raises(MalformedInputError, match=message):
        verify(toy.key.vk, proof, inputs, backend=no_pairing)  # type: ignore[arg-type]


def test_verify_rejects_key_with_beta_outside_subgroup(backend: Backend, toy: Toy) -> None:
    vk = replace(toy.key.vk, beta_g2=g2_from_bytes(twist_point_outside_g2()))
    with pytest.raises(MalformedInputError, match="beta_g2"):
        verify(vk, toy.proofs[0], toy.inputs[0], backend=backend)


_ZERO_POINTS: dict[str, object] = {"alpha_g1": (0, 0), "beta_g2": ((0, 0), (0, 0))}
_ZERO_POINTS["gamma_g2"] = _ZERO_POINTS["delta_g2"] = _ZERO_POINTS["beta_g2"]


@pytest.mark.parametrize("form", ["None", "(0, 0)"])
@pytest.mark.parametrize("field", ["alpha_g1", "beta_g2", "gamma_g2", "delta_g2"])
def test_verify_rejects_key_with_fixed_point_at_infinity(
    backend: Backend, no_pairing: Backend, toy: Toy, field: str, form: str
) -> None:
    # α, β, γ, δ at infinity make the equation trivial in that factor (δ = O lets C be
    # anything); (0, 0) must not slip through as a second spelling of infinity.
    point = None if form == "None" else _ZERO_POINTS[field]
    vk = replace(toy.key.vk, **{field: point})
    with pytest.raises(MalformedInputError, match=f"verifying key {field}"):
        verify(vk, toy.proofs[0], toy.inputs[0], backend=no_pairing)
    with pytest.raises(MalformedInputError, match=f"verifying key {field}"):
        prepare_verifying_key(vk, backend)


def test_verify_rejects_key_with_ic_point_at_zero_zero(backend: Backend, toy: Toy) -> None:
    ic = list(toy.key.vk.gamma_abc_g1)
    ic[1] = (0, 0)
    vk = replace(toy.key.vk, gamma_abc_g1=tuple(ic))
    with pytest.raises(MalformedInputError, match=r"gamma_abc_g1: G1 point \(0, 0\)"):
        verify(vk, toy.proofs[0], toy.inputs[0], backend=backend)


def test_verify_rejects_key_with_ic_point_off_curve(backend: Backend, toy: Toy) -> None:
    ic = list(toy.key.vk.gamma_abc_g1)
    ic[1] = _off_curve(ic[1])
    vk = replace(toy.key.vk, gamma_abc_g1=tuple(ic))
    with pytest.raises(MalformedInputError, match="gamma_abc_g1"):
        verify(vk, toy.proofs[0], toy.inputs[0], backend=backend)


# --- proofs made by the real snarkjs ------------------------------------------------------


def _load(files: SnarkjsGroth16, index: int) -> tuple[object, Proof, list[int]]:
    vk = verifying_key_from_json(json.loads(files.verification_key.read_text()))
    proof_path, public_path = files.proofs[index]
    proof = proof_from_json(json.loads(proof_path.read_text()))
    return vk, proof, public_inputs_from_json(json.loads(public_path.read_text()))


def test_verify_accepts_snarkjs_proof(backend: Backend, snarkjs_files: SnarkjsGroth16) -> None:
    vk, proof, inputs = _load(snarkjs_files, 0)
    assert verify(vk, proof, inputs, backend=backend) is True  # type: ignore[arg-type]


def test_verify_rejects_snarkjs_proof_with_other_public_inputs(
    backend: Backend, snarkjs_files: SnarkjsGroth16
) -> None:
    vk, proof, _ = _load(snarkjs_files, 0)
    _, _, other_inputs = _load(snarkjs_files, 1)
    assert verify(vk, proof, other_inputs, backend=backend) is False  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "proof",
    [
        Proof(a=(1.0, 2.0), b=G2_GENERATOR, c=G1_GENERATOR),  # type: ignore[arg-type]
        Proof(a=G1_GENERATOR, b=((1, 2), (3,)), c=G1_GENERATOR),  # type: ignore[arg-type]
        Proof(a=G1_GENERATOR, b=G2_GENERATOR, c=(1,)),  # type: ignore[arg-type]
        "not a proof",
    ],
)
def test_verify_rejects_structurally_broken_proof(
    no_pairing: Backend, toy: Toy, proof: object
) -> None:
    with pytest.raises(MalformedInputError):
        verify(toy.key.vk, proof, toy.inputs[0], backend=no_pairing)  # type: ignore[arg-type]
