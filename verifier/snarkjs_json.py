"""snarkjs JSON ↔ zkmargin types: ``verification_key.json``, ``proof.json``, ``public.json``.

The one place where snarkjs's JSON conventions live (snarkjs 0.7, curve "bn128"):

- numbers are decimal strings; we read only ``[0-9]+`` strings (or non-negative JSON
  integers), up to 100 characters, and reject hex, signs, floats and booleans;
- G1 points are ``[x, y, z]`` and G2 points ``[[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]``;
  **decision:** we accept only ``z = "1"`` (``["1", "0"]``) — affine, as snarkjs writes — or the
  exact form snarkjs writes for the point at infinity, ``["0", "1", "0"]`` (G2:
  ``[["0","0"],["1","0"],["0","0"]]``). Other projective ``z`` values are rejected, although
  snarkjs itself would accept them; the affine (0, 0) (``["0","0","1"]``) is on neither curve
  and is refused as such, so infinity has this one form only;
- coordinates must be ``< q`` and public inputs ``< r`` (snarkjs silently reduces coordinates;
  we refuse, so one point has one encoding);
- ``vk_alphabeta_12`` is ``e(α, β)`` as ffjavascript writes it: an Fq12 element
  ``c0 + c1·w`` over Fq6 = Fq2[v]/(v³ − (9 + u)) and w² = v, laid out
  ``[[c0.a0, c0.a1, c0.a2], [c1.a0, c1.a1, c1.a2]]`` with each entry ``[re, im]``. Its
  final exponentiation raises the Miller loop to ``m·(q¹² − 1)/r`` with
  ``m = 2u(6u² + 3u + 1)`` (u the BN parameter), so the value is py_ecc's pairing raised to
  ``m``. We write it (computed with py_ecc here, since the backend protocol has no GT
  values); on reading we check its shape and ranges but not its value — no verifier uses it.
- ``zkm_provenance`` (:data:`verifier.provenance.PROVENANCE_JSON_FIELD`) is zkmargin's own
  field: ``dev``, ``uncontributed`` or ``ceremony-verified``. snarkjs ignores fields it does
  not know; we write it last and, when present, read it strictly.

Shape errors (missing keys, wrong types or lengths) raise :class:`FormatError`; values out
of range raise :class:`MalformedInputError`. Both name the field, e.g. ``pi_b[1][0]``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from algebra.constants import FIELD_MODULUS_Q, SCALAR_FIELD_R
from algebra.errors import FormatError, MalformedInputError
from algebra.types import G1, G2, Fq2
from verifier.keys import VerifyingKey
from verifier.proof import Proof
from verifier.provenance import PROVENANCE_JSON_FIELD, KeyProvenance, parse_provenance

PROTOCOL = "groth16"
CURVE = "bn128"
_CURVE_ALIASES = frozenset({"bn128", "bn254", "altbn128"})
_DECIMAL = re.compile(r"[0-9]{1,100}")
_BN_U = 4965661367192848881
ALPHABETA_EXPONENT = 2 * _BN_U * (6 * _BN_U * _BN_U + 3 * _BN_U + 1)
"""ffjavascript's GT values are py_ecc's pairing raised to this power (see module docstring)."""

JsonObject = dict[str, Any]


# --- scalars ---------------------------------------------------------------------------


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _decimal(value: object, path: str, bound: int, bound_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FormatError(f"{path}: expected a decimal string, got {_short(value)}")
    if isinstance(value, str):
        if not _DECIMAL.fullmatch(value):
            raise MalformedInputError(f"{path}: {_short(value)} is not a decimal string")
        number = int(value)
    else:
        number = value
    if number < 0:
        raise MalformedInputError(f"{path}: negative value {_short(value)}")
    if number >= bound:
        raise MalformedInputError(f"{path} is not in [0, {bound_name})")
    return number


def _fq(value: object, path: str) -> int:
    return _decimal(value, path, FIELD_MODULUS_Q, "q")


def _list(value: object, path: str, length: int) -> Sequence[Any]:
    if not isinstance(value, list):
        raise FormatError(f"{path}: expected a list of {length}, got {type(value).__name__}")
    if len(value) != length:
        raise FormatError(f"{path}: expected a list of {length}, got {len(value)} items")
    return value


def _key(obj: Mapping[str, Any], key: str, what: str) -> Any:
    if key not in obj:
        raise FormatError(f"{what}: missing key {key!r}")
    return obj[key]


def _object(obj: object, what: str) -> Mapping[str, Any]:
    if not isinstance(obj, dict):
        raise FormatError(f"{what}: expected a JSON object, got {type(obj).__name__}")
    return obj


def _check_tags(obj: Mapping[str, Any], what: str) -> None:
    protocol = obj.get("protocol", PROTOCOL)
    if protocol != PROTOCOL:
        raise FormatError(f"{what}: protocol is {_short(protocol)}, expected 'groth16'")
    curve = obj.get("curve", CURVE)
    if not isinstance(curve, str) or curve.lower() not in _CURVE_ALIASES:
        raise FormatError(f"{what}: curve is {_short(curve)}, expected 'bn128'")


# --- points ----------------------------------------------------------------------------


def _fq2(value: object, path: str) -> Fq2:
    c0, c1 = _list(value, path, 2)
    return (_fq(c0, f"{path}[0]"), _fq(c1, f"{path}[1]"))


def g1_from_json(value: object, path: str) -> G1:
    """Parse ``[x, y, "1"]`` (or ``["0", "1", "0"]`` for infinity) into a G1 point.

    Raises:
        FormatError: wrong shape or a ``z`` other than 1 (or 0 in the infinity form).
        MalformedInputError: a coordinate that is not a decimal in ``[0, q)``, or (0, 0).
    """
    x_raw, y_raw, z_raw = _list(value, path, 3)
    x, y, z = _fq(x_raw, f"{path}[0]"), _fq(y_raw, f"{path}[1]"), _fq(z_raw, f"{path}[2]")
    if z == 1:
        if (x, y) == (0, 0):
            raise MalformedInputError(
                f'{path}: (0, 0) is not on the curve (infinity is ["0","1","0"])'
            )
        return (x, y)
    if z == 0 and (x, y) == (0, 1):
        return None
    raise FormatError(f'{path}[2]: z must be "1" (or the infinity form ["0","1","0"])')


def g2_from_json(value: object, path: str) -> G2:
    """Parse ``[[x.c0,x.c1],[y.c0,y.c1],["1","0"]]`` (or snarkjs's infinity form) into G2.

    Raises:
        FormatError: wrong shape or a ``z`` other than 1 (or 0 in the infinity form).
        MalformedInputError: a coordinate that is not a decimal in ``[0, q)``, or (0, 0).
    """
    x_raw, y_raw, z_raw = _list(value, path, 3)
    x, y, z = _fq2(x_raw, f"{path}[0]"), _fq2(y_raw, f"{path}[1]"), _fq2(z_raw, f"{path}[2]")
    if z == (1, 0):
        if x == (0, 0) and y == (0, 0):
            raise MalformedInputError(f"{path}: (0, 0) is not on the twist (infinity has z = 0)")
        return (x, y)
    if z == (0, 0) and x == (0, 0) and y == (1, 0):
        return None
    raise FormatError(f'{path}[2]: z must be ["1","0"] (or the infinity form)')


def g1_to_json(point: G1) -> list[str]:
    """Return snarkjs's ``[x, y, "1"]`` for a G1 point (``["0", "1", "0"]`` for infinity)."""
    if point is None:
        return ["0", "1", "0"]
    return [str(point[0]), str(point[1]), "1"]


def g2_to_json(point: G2) -> list[list[str]]:
    """Return snarkjs's ``[[x.c0,x.c1],[y.c0,y.c1],["1","0"]]`` for a G2 point."""
    if point is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    (x0, x1), (y0, y1) = point
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


# --- public inputs ---------------------------------------------------------------------


def public_inputs_from_json(obj: object) -> list[int]:
    """Parse ``public.json`` (a list of decimal strings) into canonical Fr elements.

    Raises:
        FormatError: not a list, or an entry that is not a string or integer.
        MalformedInputError: an entry that is not a decimal in ``[0, r)``.
    """
    if not isinstance(obj, list):
        raise FormatError(f"public inputs: expected a JSON list, got {type(obj).__name__}")
    return [_decimal(v, f"public[{i}]", SCALAR_FIELD_R, "r") for i, v in enumerate(obj)]


def public_inputs_to_json(values: Sequence[int]) -> list[str]:
    """Return ``public.json`` content: the inputs as decimal strings (each must be in ``[0, r)``).

    Raises:
        MalformedInputError: a value outside ``[0, r)``.
    """
    for i, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < SCALAR_FIELD_R:
            raise MalformedInputError(f"public[{i}] is not an integer in [0, r)")
    return [str(v) for v in values]


# --- proofs ----------------------------------------------------------------------------


def proof_from_json(obj: object) -> Proof:
    """Parse snarkjs ``proof.json`` (``pi_a``, ``pi_b``, ``pi_c``) into a :class:`Proof`.

    ``protocol`` and ``curve`` are optional but must be ``groth16``/``bn128`` when present.

    Raises:
        FormatError: a missing key, a wrong shape or tag.
        MalformedInputError: a coordinate that is not a decimal in ``[0, q)``.
    """
    proof = _object(obj, "proof")
    _check_tags(proof, "proof")
    return Proof(
        a=g1_from_json(_key(proof, "pi_a", "proof"), "pi_a"),
        b=g2_from_json(_key(proof, "pi_b", "proof"), "pi_b"),
        c=g1_from_json(_key(proof, "pi_c", "proof"), "pi_c"),
    )


def proof_to_json(proof: Proof) -> JsonObject:
    """Return snarkjs's ``proof.json`` object for ``proof`` (same keys and order)."""
    return {
        "pi_a": g1_to_json(proof.a),
        "pi_b": g2_to_json(proof.b),
        "pi_c": g1_to_json(proof.c),
        "protocol": PROTOCOL,
        "curve": CURVE,
    }


# --- verifying keys --------------------------------------------------------------------


def verifying_key_from_json(obj: object) -> VerifyingKey:
    """Parse snarkjs ``verification_key.json`` into a :class:`VerifyingKey` (points not validated).

    ``nPublic`` must equal ``len(IC) − 1``; ``vk_alphabeta_12`` is optional and checked
    for shape and range only.

    Raises:
        FormatError: a missing key, a wrong shape, tag or count.
        MalformedInputError: a coordinate that is not a decimal in ``[0, q)``.
    """
    vk = _object(obj, "verification key")
    _check_tags(vk, "verification key")
    ic_raw = _key(vk, "IC", "verification key")
    if not isinstance(ic_raw, list) or not ic_raw:
        raise FormatError("IC: expected a non-empty list of G1 points")
    n_public = _key(vk, "nPublic", "verification key")
    if isinstance(n_public, bool) or not isinstance(n_public, int) or n_public != len(ic_raw) - 1:
        raise FormatError(
            f"nPublic: {_short(n_public)} does not match len(IC) - 1 = {len(ic_raw) - 1}"
        )
    if "vk_alphabeta_12" in vk:
        _check_alphabeta_shape(vk["vk_alphabeta_12"])
    provenance_from_json(vk)
    return VerifyingKey(
        alpha_g1=g1_from_json(_key(vk, "vk_alpha_1", "verification key"), "vk_alpha_1"),
        beta_g2=g2_from_json(_key(vk, "vk_beta_2", "verification key"), "vk_beta_2"),
        gamma_g2=g2_from_json(_key(vk, "vk_gamma_2", "verification key"), "vk_gamma_2"),
        delta_g2=g2_from_json(_key(vk, "vk_delta_2", "verification key"), "vk_delta_2"),
        gamma_abc_g1=tuple(g1_from_json(p, f"IC[{i}]") for i, p in enumerate(ic_raw)),
    )


def provenance_from_json(obj: object) -> KeyProvenance | None:
    """Return the ``zkm_provenance`` of a ``verification_key.json`` object (None when absent).

    The value is only the file author's claim (see :mod:`verifier.provenance`).

    Raises:
        FormatError: not a JSON object, or a value other than the three provenances.
    """
    vk = _object(obj, "verification key")
    if PROVENANCE_JSON_FIELD not in vk:
        return None
    return parse_provenance(vk[PROVENANCE_JSON_FIELD], what=PROVENANCE_JSON_FIELD)


def verifying_key_to_json(
    vk: VerifyingKey, *, provenance: KeyProvenance | None = None
) -> JsonObject:
    """Return snarkjs's ``verification_key.json`` object for ``vk``, ``vk_alphabeta_12`` included.

    With ``provenance`` the object also carries ``zkm_provenance`` (last; snarkjs ignores it).

    Raises:
        MalformedInputError: α or β is not on its curve (so ``e(α, β)`` is undefined).
    """
    out: JsonObject = {
        "protocol": PROTOCOL,
        "curve": CURVE,
        "nPublic": vk.n_public,
        "vk_alpha_1": g1_to_json(vk.alpha_g1),
        "vk_beta_2": g2_to_json(vk.beta_g2),
        "vk_gamma_2": g2_to_json(vk.gamma_g2),
        "vk_delta_2": g2_to_json(vk.delta_g2),
        "vk_alphabeta_12": [
            [[str(c) for c in fq2] for fq2 in half]
            for half in alphabeta_12(vk.alpha_g1, vk.beta_g2)
        ],
        "IC": [g1_to_json(p) for p in vk.gamma_abc_g1],
    }
    if provenance is not None:
        out[PROVENANCE_JSON_FIELD] = provenance.value
    return out


def _check_alphabeta_shape(value: object) -> None:
    for i, half in enumerate(_list(value, "vk_alphabeta_12", 2)):
        for j, fq2 in enumerate(_list(half, f"vk_alphabeta_12[{i}]", 3)):
            _fq2(fq2, f"vk_alphabeta_12[{i}][{j}]")


def alphabeta_12(alpha: G1, beta: G2) -> list[list[Fq2]]:
    """Return ``e(α, β)`` in ffjavascript's Fq12 layout ``[[c0.a0..a2], [c1.a0..a2]]``.

    py_ecc represents Fq12 as Fq[w]/(w¹² − 18w⁶ + 82) with w⁶ = 9 + u, so the tower
    coefficient of ``w^k`` (k < 6) is ``(c_k + 9·c_{k+6}) + c_{k+6}·u``; even k belong to
    c0 (``a_{k/2}``), odd k to c1.

    Raises:
        MalformedInputError: α or β is not on its curve.
    """
    from py_ecc.fields import optimized_bn128_FQ as FQ
    from py_ecc.fields import optimized_bn128_FQ2 as FQ2
    from py_ecc.fields import optimized_bn128_FQ12 as FQ12
    from py_ecc.optimized_bn128.optimized_curve import b, b2, is_on_curve
    from py_ecc.optimized_bn128.optimized_pairing import pairing

    if alpha is None or beta is None:
        value = FQ12.one()
    else:
        p = (FQ(alpha[0]), FQ(alpha[1]), FQ.one())
        q = (FQ2(list(beta[0])), FQ2(list(beta[1])), FQ2.one())
        if not is_on_curve(p, b) or not is_on_curve(q, b2):
            raise MalformedInputError("vk_alpha_1 or vk_beta_2 is not on its curve")
        value = pairing(q, p) ** ALPHABETA_EXPONENT
    c = [int(x) for x in value.coeffs]

    def tower(k: int) -> Fq2:
        return ((c[k] + 9 * c[k + 6]) % FIELD_MODULUS_Q, c[k + 6])

    return [[tower(0), tower(2), tower(4)], [tower(1), tower(3), tower(5)]]
