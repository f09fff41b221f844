"""circuits.std.division: signed floor/ceil division by constants and by variables."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from algebra.constants import SCALAR_FIELD_R as R
from circuits.frontend import (
    API,
    Circuit,
    CircuitError,
    CompiledCircuit,
    Variable,
    compile,
    public,
    secret,
)
from circuits.std.division import ceil_div, division_cost, floor_divmod
from circuits.testing import check_circuit, forge_hint, unsatisfied_label

N = 16
HALF = 2 ** (N - 1)
EDGES = [-HALF, -HALF + 1, -1, 0, 1, HALF - 1, 12345, -12345]


class ByConstant(Circuit):
    a: Variable = secret()
    q: Variable = public()
    rho: Variable = public()
    c: Variable = public()

    def define(self, api: API) -> None:
        d = self.params["d"]
        with api.scope("fee"):
            q, rho = floor_divmod(api, self.a, d, N)
            api.assert_is_equal(q, self.q)
            api.assert_is_equal(rho, self.rho)
            api.assert_is_equal(ceil_div(api, self.a, d, N), self.c)


def _expected(a: int, d: int) -> dict[str, int]:
    q, rho = divmod(a, d)
    return {"a": a % R, "q": q % R, "rho": rho, "c": -((-a) // d) % R}


@pytest.mark.parametrize("d", [1, 2, 3, 7, 1000, 2**10, 2**15 + 3])
def test_division_by_constant_table_and_cost(d: int) -> None:
    valid = [_expected(a, d) for a in EDGES]
    wrong_q = {**_expected(7, d), "q": (7 // d + 1) % R}
    wrong_c = {**_expected(-7, d), "c": (-(7 // d) + 1) % R}
    too_wide = [] if d == 1 else [_expected(2**200, d)]  # d = 1 is free and bounds nothing
    compiled = check_circuit(
        ByConstant, {"d": d}, valid=valid, invalid=[wrong_q, wrong_c, *too_wide]
    )
    ceil_cost = division_cost(N, d, ceil=True)
    assert compiled.n_constraints == division_cost(N, d) + ceil_cost + 3


def test_division_by_power_of_two_costs_quotient_plus_shift_bits() -> None:
    assert division_cost(N, 2**10) == (N - 10) + 10


@functools.cache
def _compiled(d: int) -> CompiledCircuit:
    return compile(ByConstant, {"d": d})


@settings(max_examples=60, deadline=None)
@given(a=st.integers(-HALF, HALF - 1), d=st.sampled_from([3, 997, 30_000]))
def test_division_by_constant_matches_python_floor_and_ceil(a: int, d: int) -> None:
    compiled = _compiled(d)
    witness = compiled.solve(_expected(a, d))
    assert compiled.public_inputs(witness) == [_expected(a, d)[k] for k in ("q", "rho", "c")]


@pytest.mark.parametrize("shift", [1, -1, 2])
def test_forged_quotient_is_caught_by_the_remainder_bound(shift: int) -> None:
    compiled = compile(ByConstant, {"d": 10})

    def forged(inputs: Sequence[int], n_outputs: int) -> list[int]:
        a = inputs[0] - R if inputs[0] > R // 2 else inputs[0]
        return [(a // inputs[1] + shift) % R]

    witness = forge_hint(compiled, _expected(57, 10), "floor_divmod", forged)
    label = unsatisfied_label(compiled, witness)
    assert label is not None and label.startswith("fee/floor_divmod/remainder/bit[")


def test_forged_wrapped_quotient_is_caught_by_the_quotient_range() -> None:
    """q' = (a − ρ')/d in the field gives any ρ' a "quotient": only q's range check stops it."""
    compiled = compile(ByConstant, {"d": 10})

    def forged(inputs: Sequence[int], n_outputs: int) -> list[int]:
        return [(inputs[0] - 8) * pow(10, -1, R) % R]  # claims remainder 8 for a = 57

    witness = forge_hint(compiled, _expected(57, 10), "floor_divmod", forged)
    label = unsatisfied_label(compiled, witness)
    assert label is not None and label.startswith("fee/floor_divmod/quotient/bit[")


class ByVariable(Circuit):
    a: Variable = secret()
    d: Variable = secret()
    q: Variable = public()
    rho: Variable = public()

    def define(self, api: API) -> None:
        q, rho = floor_divmod(api, self.a, self.d, N, d_bits=8)
        api.assert_is_equal(q, self.q)
        api.assert_is_equal(rho, self.rho)


def _by_variable(a: int, d: int) -> dict[str, int]:
    q, rho = divmod(a, d)
    return {"a": a % R, "d": d, "q": q % R, "rho": rho}


@pytest.mark.parametrize("d", [1, 2, 3, 200, 255])
def test_division_by_variable_table_and_cost(d: int) -> None:
    compiled = check_circuit(
        ByVariable,
        valid=[_by_variable(a, d) for a in EDGES],
        invalid=[{**_by_variable(100, d), "rho": 1 if d > 1 else 0, "q": 0}],
    )
    assert compiled.n_constraints == division_cost(N, None, 8) + 2 == 1 + N + 3 * 8 + 2


def test_division_by_variable_rejects_zero_and_wide_divisors() -> None:
    compiled = compile(ByVariable)
    for bad in ({"a": 5, "d": 0, "q": 0, "rho": 5}, {"a": 5, "d": 256, "q": 0, "rho": 5}):
        check_circuit(ByVariable, invalid=[bad])

    def forged(inputs: Sequence[int], n_outputs: int) -> list[int]:
        return [0, 0]  # for a = 0, d = 0: q·d = a − ρ holds; only ρ ≤ d − 1 fails

    witness = forge_hint(compiled, {"a": 0, "d": 0, "q": 0, "rho": 0}, "floor_divmod", forged)
    label = unsatisfied_label(compiled, witness)
    assert label is not None and label.startswith("floor_divmod/remainder_lt_divisor/")


def test_division_refuses_bad_constant_divisor() -> None:
    with pytest.raises(CircuitError, match="divisor 0"):
        compile(ByConstant, {"d": 0})
