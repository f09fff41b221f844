"""Frontend: declarations, wire layout, constant folding, costs, compile checks and solving."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from algebra.errors import MalformedInputError, UnsatisfiedConstraintError
from circuits.formats.r1cs_file import r1cs_to_bytes
from circuits.frontend import (
    API,
    Assignment,
    Circuit,
    CircuitError,
    Variable,
    compile,
    compile_circuit,
    public,
    register_hint,
    secret,
)
from circuits.testing import check_circuit, tamper_witness


class Product(Circuit):
    x: Variable = secret()
    y: Variable = secret()
    z: Variable = public()

    def define(self, api: API) -> None:
        with api.scope("product"):
            api.assert_product(self.x, self.y, self.z)


class Arrays(Circuit):
    total: Variable = public()
    xs: list[Variable] = secret(length="n")
    fixed: list[Variable] = public(length=2)

    def define(self, api: API) -> None:
        api.assert_is_equal(api.add(*self.xs, *self.fixed), self.total)


def test_product_solves_and_rejects_wrong_output() -> None:
    check_circuit(Product, valid=[{"x": 3, "y": 4, "z": 12}], invalid=[{"x": 3, "y": 4, "z": 13}])


def test_unsatisfied_constraint_names_index_and_label() -> None:
    compiled = compile(Product)
    with pytest.raises(UnsatisfiedConstraintError) as caught:
        compiled.solve({"x": 3, "y": 4, "z": 13})
    assert (caught.value.index, caught.value.label) == (0, "product/assert_product")


def test_wire_layout_puts_public_inputs_first_in_declaration_order() -> None:
    compiled = compile(Arrays, {"n": 3})
    assert compiled.public_names == ["total", "fixed[0]", "fixed[1]"]
    assert compiled.private_names == ["xs[0]", "xs[1]", "xs[2]"]
    witness = compiled.solve({"total": 15, "xs": [1, 2, 3], "fixed": [4, 5]})
    assert witness == [1, 15, 4, 5, 1, 2, 3]
    assert compiled.public_inputs(witness) == [15, 4, 5]
    assert (compiled.r1cs.n_public_inputs, compiled.r1cs.n_private_inputs) == (3, 3)


def test_compile_is_deterministic() -> None:
    first = r1cs_to_bytes(compile(Arrays, {"n": 4}).r1cs)
    assert first == r1cs_to_bytes(compile_circuit(Arrays, {"n": 4}).r1cs)


class Unused(Circuit):
    x: Variable = secret()
    y: Variable = public()

    def define(self, api: API) -> None:
        api.assert_is_boolean(self.x)


def test_compile_refuses_public_input_in_no_constraint() -> None:
    with pytest.raises(CircuitError, match="public input"):
        compile(Unused)


class Cancelled(Circuit):
    y: Variable = public()

    def define(self, api: API) -> None:
        api.assert_is_equal(api.sub(self.y, self.y), 0)


def test_public_input_cancelled_out_counts_as_unused() -> None:
    with pytest.raises(CircuitError, match="public input"):
        compile(Cancelled)


@register_hint("test_frontend.echo")
def _echo(inputs: Sequence[int], n_outputs: int) -> list[int]:
    return list(inputs[:n_outputs])


class LooseHint(Circuit):
    x: Variable = secret()

    def define(self, api: API) -> None:
        api.assert_is_boolean(self.x)
        api.hint("test_frontend.echo", [self.x], 1)


def test_compile_refuses_unconstrained_hint_output() -> None:
    with pytest.raises(CircuitError, match=r"hint:test_frontend\.echo"):
        compile(LooseHint)


def test_missing_length_parameter_is_refused() -> None:
    with pytest.raises(CircuitError, match="parameter 'n'"):
        compile(Arrays, {})


class Folding(Circuit):
    x: Variable = secret()
    out: Variable = public()

    def define(self, api: API) -> None:
        k = api.mul(api.add(2, 3), api.constant(-1))  # −5, folded
        linear_part = api.add(api.mul(self.x, 7), k, api.neg(self.x))  # 6x − 5
        scaled = api.div(linear_part, 3)  # division by a constant is free
        api.assert_is_equal(scaled, self.out)


def test_constants_and_linear_operations_cost_nothing_beyond_the_assertion() -> None:
    compiled = compile(Folding)
    assert compiled.n_constraints == 1
    witness = compiled.solve({"x": 4, "out": (6 * 4 - 5) * pow(3, -1, R) % R})
    assert compiled.r1cs.is_satisfied(witness)


def test_false_constant_assertion_is_a_compile_error() -> None:
    class Bad(Circuit):
        x: Variable = secret()

        def define(self, api: API) -> None:
            api.assert_is_boolean(self.x)
            api.assert_is_equal(1, 2)

    with pytest.raises(CircuitError, match="false for constants"):
        compile(Bad)


def test_variable_has_no_truth_value() -> None:
    class Branchy(Circuit):
        x: Variable = secret()

        def define(self, api: API) -> None:
            if self.x:
                api.assert_is_boolean(self.x)

    with pytest.raises(CircuitError, match="truth value"):
        compile(Branchy)


class Verbs(Circuit):
    a: Variable = secret()
    b: Variable = secret()
    c: Variable = secret()
    out: list[Variable] = public(length=6)

    def define(self, api: API) -> None:
        api.assert_is_boolean(self.c)
        results = [
            api.mul(self.a, self.b),  # 1
            api.div(self.a, self.b),  # 2
            api.inverse(self.a),  # 1
            api.select(self.c, self.a, self.b),  # 1 (c known boolean)
            api.is_zero(self.a),  # 2
            api.is_equal(self.a, self.b),  # 2
        ]
        for result, out in zip(results, self.out, strict=True):
            api.assert_is_equal(result, out)  # 6


def _verbs_out(a: int, b: int, c: int) -> list[int]:
    return [
        a * b % R,
        a * pow(b, -1, R) % R,
        pow(a, -1, R),
        a if c else b,
        int(a == 0),
        int(a == b),
    ]


def test_verbs_compute_and_cost_as_documented() -> None:
    compiled = check_circuit(
        Verbs,
        valid=[
            {"a": 6, "b": 3, "c": 1, "out": _verbs_out(6, 3, 1)},
            {"a": 5, "b": 5, "c": 0, "out": _verbs_out(5, 5, 0)},
            {"a": R - 1, "b": 2, "c": 0, "out": _verbs_out(R - 1, 2, 0)},
        ],
        invalid=[
            {"a": 6, "b": 3, "c": 2, "out": _verbs_out(6, 3, 1)},
            {"a": 6, "b": 3, "c": 1, "out": [*_verbs_out(6, 3, 1)[:5], 1]},
        ],
    )
    assert compiled.n_constraints == 1 + 1 + 2 + 1 + 1 + 2 + 2 + 6


class Inverse(Circuit):
    a: Variable = secret()

    def define(self, api: API) -> None:
        with api.scope("inv"):
            api.assert_is_different(self.a, 7)


def test_assert_is_different_rejects_equal_values_with_label() -> None:
    compiled = check_circuit(Inverse, valid=[{"a": 0}, {"a": 8}], invalid=[{"a": 7}])
    assert compiled.n_constraints == 1
    with pytest.raises(UnsatisfiedConstraintError) as caught:
        compiled.solve({"a": 7})
    assert caught.value.label == "inv/assert_is_different/inverse"


class IsZero(Circuit):
    a: Variable = secret()
    out: Variable = public()

    def define(self, api: API) -> None:
        api.assert_is_equal(api.is_zero(self.a), self.out)


def test_is_zero_rejects_tampered_output() -> None:
    compiled = check_circuit(
        IsZero,
        valid=[{"a": 0, "out": 1}, {"a": 5, "out": 0}, {"a": R - 1, "out": 0}],
        invalid=[{"a": 0, "out": 0}, {"a": 5, "out": 1}],
    )
    witness = compiled.solve({"a": 5, "out": 0})
    product_wire = compiled.r1cs.n_wires - 1  # p = a·inv, out = 1 − p
    tampered = tamper_witness(witness, product_wire, 0)
    assert compiled.r1cs.which_is_unsatisfied(tampered) == (0, "is_zero")


class Bits(Circuit):
    v: Variable = secret()
    bits: list[Variable] = public(length="n")

    def define(self, api: API) -> None:
        decomposed = api.to_binary(self.v, self.params["n"])
        for bit, expected in zip(decomposed, self.bits, strict=True):
            api.assert_is_equal(bit, expected)
        api.assert_is_equal(api.from_binary(decomposed), self.v)


@pytest.mark.parametrize(
    ("value", "ok"), [(0, True), (1, True), (255, True), (256, False), (R - 1, False)]
)
def test_to_binary_boundaries(value: int, ok: bool) -> None:
    bits = [(value >> i) & 1 for i in range(8)]
    assignment: Assignment = {"v": value, "bits": bits}
    compiled = check_circuit(
        Bits, {"n": 8}, valid=[assignment] if ok else [], invalid=[] if ok else [assignment]
    )
    # 8 bit constraints + 8 bit equalities; from_binary of known bits equals v identically
    assert compiled.n_constraints == 8 + 8


def test_to_binary_refuses_254_bits() -> None:
    with pytest.raises(CircuitError, match="to_binary_strict"):
        compile(Bits, {"n": 254})


def test_solve_rejects_bad_assignments() -> None:
    compiled = compile(Arrays, {"n": 2})
    good = {"total": 0, "xs": [0, 0], "fixed": [0, 0]}
    cases: list[tuple[dict[str, Any], str]] = [
        ({**good, "extra": 1}, "unknown input"),
        ({k: v for k, v in good.items() if k != "total"}, "missing input"),
        ({**good, "xs": [0]}, "sequence of 2"),
        ({**good, "total": R}, r"\[0, r\)"),
        ({**good, "total": -1}, r"\[0, r\)"),
        ({**good, "xs": 0}, "sequence of 2"),
        ({**good, "total": [0]}, "must be an int"),
    ]
    for bad, message in cases:
        with pytest.raises(MalformedInputError, match=message):
            compiled.solve(bad)


def test_hint_name_cannot_be_reused_for_another_function() -> None:
    def other(inputs: Sequence[int], n_outputs: int) -> list[int]:
        return [0] * n_outputs

    with pytest.raises(CircuitError, match="already registered"):
        register_hint("bits")(other)


class Sums(Circuit):
    xs: list[Variable] = secret(length=3)
    total: Variable = public()

    def define(self, api: API) -> None:
        api.assert_is_equal(api.sum(self.xs), self.total)
        api.assert_is_equal(api.sum([]), 0)


def test_sum_of_a_list_is_one_linear_row() -> None:
    compiled = check_circuit(
        Sums, valid=[{"xs": [1, 2, R - 3], "total": 0}], invalid=[{"xs": [1, 2, 3], "total": 7}]
    )
    assert compiled.n_constraints == 1
