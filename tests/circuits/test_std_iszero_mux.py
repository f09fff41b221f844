"""circuits.std.iszero and circuits.std.mux."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from circuits.frontend import (
    API,
    Assignment,
    Circuit,
    CircuitError,
    Variable,
    compile,
    public,
    secret,
)
from circuits.std.iszero import assert_is_nonzero, assert_is_zero, is_equal, is_zero
from circuits.std.mux import mux, mux_cost, select
from circuits.testing import check_circuit, forge_hint, unsatisfied_label


class Zero(Circuit):
    a: Variable = secret()
    b: Variable = secret()
    z: Variable = public()
    e: Variable = public()

    def define(self, api: API) -> None:
        with api.scope("zero"):
            api.assert_is_equal(is_zero(api, self.a), self.z)
        api.assert_is_equal(is_equal(api, self.a, self.b), self.e)


@pytest.mark.parametrize(("a", "b"), [(0, 0), (1, 0), (0, 1), (R - 1, R - 1), (R - 1, 1)])
def test_is_zero_and_is_equal_table(a: int, b: int) -> None:
    good = {"a": a, "b": b, "z": int(a == 0), "e": int(a == b)}
    compiled = check_circuit(
        Zero, valid=[good], invalid=[{**good, "z": 1 - good["z"]}, {**good, "e": 1 - good["e"]}]
    )
    assert compiled.n_constraints == 2 + 1 + 2 + 1


def test_is_zero_rejects_a_forged_inverse() -> None:
    """A prover claiming a nonzero a is zero (inverse 0) is stopped by ``a·(1 − p) = 0``."""
    compiled = compile(Zero)

    def forged(inputs: Sequence[int], n_outputs: int) -> list[int]:
        return [0]

    witness = forge_hint(compiled, {"a": 7, "b": 7, "z": 1, "e": 1}, "inverse_or_zero", forged)
    assert unsatisfied_label(compiled, witness) == "zero/is_zero"


class ZeroAsserts(Circuit):
    a: Variable = secret()
    b: Variable = secret()

    def define(self, api: API) -> None:
        assert_is_zero(api, self.a)
        assert_is_nonzero(api, self.b)


def test_zero_assertions() -> None:
    compiled = check_circuit(
        ZeroAsserts,
        valid=[{"a": 0, "b": 1}, {"a": 0, "b": R - 1}],
        invalid=[{"a": 1, "b": 1}, {"a": 0, "b": 0}, {"a": R - 1, "b": 3}],
    )
    assert compiled.n_constraints == 2


class Mux(Circuit):
    index: Variable = secret()
    values: list[Variable] = secret(length="k")
    out: Variable = public()

    def define(self, api: API) -> None:
        with api.scope("pick"):
            api.assert_is_equal(mux(api, self.index, self.values), self.out)


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8])
def test_mux_selects_every_index_and_rejects_out_of_range(k: int) -> None:
    values = [100 + 7 * i for i in range(k)]
    valid: list[Assignment] = [{"index": i, "values": values, "out": values[i]} for i in range(k)]
    invalid: list[Assignment] = [
        {"index": k, "values": values, "out": 0},
        {"index": R - 1, "values": values, "out": values[0]},
        {"index": 0, "values": values, "out": values[0] + 1},
    ]
    compiled = check_circuit(Mux, {"k": k}, valid=valid, invalid=invalid)
    assert compiled.n_constraints == (1 if k == 1 else mux_cost(k)) + 1


def test_mux_rejects_index_past_the_end_with_label() -> None:
    compiled = compile(Mux, {"k": 5})
    with pytest.raises(Exception, match=r"pick/mux/bit\[\d\]"):
        compiled.solve({"index": 5, "values": [1, 2, 3, 4, 5], "out": 1})


class ConstantTable(Circuit):
    index: Variable = secret()
    out: Variable = public()

    def define(self, api: API) -> None:
        api.assert_is_equal(mux(api, self.index, [10, 20, 30, 40]), self.out)


def test_mux_over_an_arithmetic_progression_is_free_beyond_the_index_bits() -> None:
    compiled = check_circuit(
        ConstantTable,
        valid=[{"index": i, "out": 10 * (i + 1)} for i in range(4)],
        invalid=[{"index": 4, "out": 0}, {"index": 1, "out": 10}],
    )
    assert compiled.n_constraints == 2 + 1  # index bits and the equality; selects are linear


class Select(Circuit):
    c: Variable = secret()
    out: Variable = public()

    def define(self, api: API) -> None:
        api.assert_is_equal(select(api, self.c, 5, 9), self.out)


def test_select_asserts_boolean_condition() -> None:
    compiled = check_circuit(
        Select,
        valid=[{"c": 1, "out": 5}, {"c": 0, "out": 9}],
        invalid=[{"c": 2, "out": 1}, {"c": R - 1, "out": 13}],
    )
    assert compiled.n_constraints == 2


def test_mux_refuses_empty_values() -> None:
    with pytest.raises(CircuitError, match="no values"):
        compile(Mux, {"k": 0})
