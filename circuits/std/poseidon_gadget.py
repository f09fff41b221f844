"""In-circuit Poseidon: circomlib's fixed-length hash and our sponge, as R1CS gadgets.

Same functions as :mod:`circuits.std.poseidon_reference` (specified in
:mod:`circuits.std.poseidon`), stated with ``api`` verbs. Only S-box outputs cost
constraints: ``x^5`` takes three (``x·x = x2``, ``x2·x2 = x4``, ``x4·x = x5``) and an
S-box whose input is a constant folds at compile time. Round constants and MDS layers
are linear, hence free. The ``R_P`` partial rounds are compiled as linear combinations:
each partial S-box input, and the state after the last partial round, is an affine form
in the state entering the partial rounds and the earlier partial S-box outputs; those
forms depend only on the width and are precomputed once (:func:`partial_round_forms`).

Cost of one width-t permutation: ``3·(R_F·t + R_P − k)`` constraints, where k counts
S-boxes with constant input (the capacity's first S-box for the fixed-length hash):
``3·(8t + R_P − 1)``, e.g. 213 for one input, 240 for two (circomlib with ``--O2``: the same;
with circom's default ``--O1``: 415 and 517).

Constraint labels name the gadget path, e.g. ``poseidon/round[30]/sbox[0]/x^4``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from circuits.frontend import API, Operand, Variable
from circuits.frontend.variable import as_variable, linear
from circuits.std.fp_linalg import mat_pow, mat_vec
from circuits.std.poseidon_constants import PoseidonParameters, poseidon_parameters
from circuits.std.poseidon_reference import (
    MAX_INPUTS,
    SPONGE_RATE,
    SPONGE_WIDTH,
    sponge_blocks,
    sponge_initial_capacity,
)

R = SCALAR_FIELD_R
ONE = as_variable(1)


@dataclass(frozen=True)
class PartialRoundForms:
    """Affine forms of the partial rounds of one width.

    A form is a coefficient tuple over ``(1, s_0 … s_{t−1}, y_0, y_1, …)`` where ``s`` is
    the state entering the first partial round and ``y_k`` the k-th partial S-box output.

    Attributes:
        sbox_inputs: for partial round k, the form of its S-box input (uses ``y_0 … y_{k−1}``).
        outputs: the form of each state element after the last partial round.
    """

    sbox_inputs: tuple[tuple[int, ...], ...]
    outputs: tuple[tuple[int, ...], ...]


@cache
def partial_round_forms(width: int) -> PartialRoundForms:
    """Return the precomputed affine forms of the partial rounds of the width-``width`` instance.

    With ``Z`` zeroing ``state[0]`` (replaced by the S-box output), the state before partial
    round k is ``S_k·s + Σ_{j<k} v_{k−1−j}·y_j + g_k`` where ``S_0 = I``, ``S_{k+1} = M·Z·S_k``,
    ``g_0 = 0``, ``g_{k+1} = M·Z·(g_k + C_k)``, ``v_0 = M·e_0`` and ``v_{d+1} = M·Z·v_d``.
    """
    params = poseidon_parameters(width)
    first = params.full_rounds // 2
    mds = [list(row) for row in params.mds]
    mds_after_sbox = [[0, *row[1:]] for row in mds]
    s_row = [int(j == 0) for j in range(width)]
    offset = [0] * width
    echoes = [[row[0] for row in mds]]
    for _ in range(params.partial_rounds - 1):
        echoes.append(mat_vec(mds_after_sbox, echoes[-1]))
    sbox_inputs: list[tuple[int, ...]] = []
    for k in range(params.partial_rounds):
        offset = [
            (g + c) % R for g, c in zip(offset, params.round_constants[first + k], strict=True)
        ]
        sbox_inputs.append((offset[0], *s_row, *(echoes[k - 1 - j][0] for j in range(k))))
        offset = mat_vec(mds_after_sbox, offset)
        s_row = mat_vec(_transpose(mds_after_sbox), s_row)
    last = params.partial_rounds
    s_part = mat_pow(mds_after_sbox, last)
    outputs = tuple(
        (offset[i], *s_part[i], *(echoes[last - 1 - j][i] for j in range(last)))
        for i in range(width)
    )
    return PartialRoundForms(tuple(sbox_inputs), outputs)


def _transpose(matrix: list[list[int]]) -> list[list[int]]:
    return [list(column) for column in zip(*matrix, strict=True)]


def sbox(api: API, x: Variable) -> Variable:
    """Return ``x^5``: three constraints (``x^2``, ``x^4``, ``x^5``), none for a constant."""
    value = x.constant_value()
    if value is not None:
        return as_variable(pow(value, 5, R))
    x2 = api.product_wire(x, x, "x^2")
    x4 = api.product_wire(x2, x2, "x^4")
    return api.product_wire(x4, x, "x^5")


def _mds(params: PoseidonParameters, values: Sequence[Variable]) -> list[Variable]:
    return [linear(*zip(row, values, strict=True)) for row in params.mds]


def _full_round(
    api: API, params: PoseidonParameters, round_index: int, state: Sequence[Variable]
) -> list[Variable]:
    outputs = []
    with api.scope(f"round[{round_index}]"):
        for i, (value, constant) in enumerate(
            zip(state, params.round_constants[round_index], strict=True)
        ):
            with api.scope(f"sbox[{i}]"):
                outputs.append(sbox(api, linear((1, value), (constant, ONE))))
    return _mds(params, outputs)


def _partial_rounds(api: API, params: PoseidonParameters, state: list[Variable]) -> list[Variable]:
    forms = partial_round_forms(params.width)
    basis = [ONE, *state]
    first = params.full_rounds // 2
    for k, form in enumerate(forms.sbox_inputs):
        with api.scope(f"round[{first + k}]"), api.scope("sbox[0]"):
            basis.append(sbox(api, linear(*zip(form, basis, strict=True))))
    return [linear(*zip(form, basis, strict=True)) for form in forms.outputs]


def poseidon_permutation_gadget(api: API, state: Sequence[Operand]) -> list[Variable]:
    """Return Poseidon's permutation of ``state`` (width 2 … 17): ``3·(8t + R_P − k)`` rows.

    k is the number of S-boxes whose input is a constant (they fold).
    """
    params = poseidon_parameters(len(state))
    first = params.full_rounds // 2
    current = [as_variable(x) for x in state]
    for round_index in range(first):
        current = _full_round(api, params, round_index, current)
    current = _partial_rounds(api, params, current)
    for round_index in range(first + params.partial_rounds, params.n_rounds):
        current = _full_round(api, params, round_index, current)
    return current


def poseidon_hash(api: API, inputs: Sequence[Operand]) -> Variable:
    """Return circomlib's ``Poseidon(n)`` of 1 … 16 inputs: ``3·(8(n+1) + R_P − 1)`` constraints.

    Raises:
        MalformedInputError: fewer than 1 or more than 16 inputs.
    """
    if not 1 <= len(inputs) <= MAX_INPUTS:
        raise MalformedInputError(f"Poseidon takes 1..{MAX_INPUTS} inputs, got {len(inputs)}")
    with api.scope("poseidon"):
        return poseidon_permutation_gadget(api, [0, *inputs])[0]


def poseidon_sponge_hash(api: API, inputs: Sequence[Operand], domain: int = 0) -> Variable:
    """Return :func:`~circuits.std.poseidon_reference.poseidon_sponge` of ``inputs`` in-circuit.

    Costs at most 612 constraints per 16-input block (one width-17 permutation); S-boxes of
    constant lanes (the capacity, zero padding) fold in the first round.

    Raises:
        MalformedInputError: ``domain`` is not below 2^64.
    """
    capacity = sponge_initial_capacity(domain, len(inputs))
    state: list[Variable] = [as_variable(capacity)] + [as_variable(0)] * SPONGE_RATE
    values = [as_variable(x) for x in inputs]
    with api.scope("poseidon_sponge"):
        for block in range(sponge_blocks(len(inputs))):
            chunk = values[block * SPONGE_RATE : (block + 1) * SPONGE_RATE]
            for lane, value in enumerate(chunk, start=1):
                state[lane] = linear((1, state[lane]), (1, value))
            with api.scope(f"block[{block}]"):
                state = poseidon_permutation_gadget(api, state)
    assert len(state) == SPONGE_WIDTH
    return state[1]
