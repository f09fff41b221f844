"""circuits.std.bits: bounded and strict decompositions (completeness, soundness, costs)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from circuits.frontend import API, Circuit, CircuitError, Variable, compile, public, secret
from circuits.std.bits import at_most_cost, strict_cost, to_binary_at_most, to_binary_strict
from circuits.testing import check_circuit, forge_hint, unsatisfied_label


class Strict(Circuit):
    v: Variable = secret()
    low_bit: Variable = public()

    def define(self, api: API) -> None:
        bits = to_binary_strict(api, self.v)
        api.assert_is_equal(bits[0], self.low_bit)


@pytest.mark.parametrize("value", [0, 1, 2, 2**253, R - 2**28, R - 1, 12345678901234567890])
def test_strict_decomposition_accepts_every_canonical_value(value: int) -> None:
    compiled = check_circuit(Strict, valid=[{"v": value, "low_bit": value & 1}])
    witness = compiled.solve({"v": value, "low_bit": value & 1})
    assert compiled.r1cs.is_satisfied(witness)


def test_strict_decomposition_costs_353_constraints() -> None:
    assert strict_cost() == 353
    assert compile(Strict).n_constraints == 353 + 1


@pytest.mark.parametrize("value", [0, 1, 5, 2**254 - R - 1])
def test_strict_decomposition_rejects_the_alias_v_plus_r(value: int) -> None:
    """The 254-bit pattern of v + r also sums to v mod r; only the ≤ r − 1 check stops it."""
    compiled = compile(Strict)
    alias = value + R

    def forged(inputs: Sequence[int], n_outputs: int) -> list[int]:
        return [(alias >> i) & 1 for i in range(n_outputs)]

    witness = forge_hint(compiled, {"v": value, "low_bit": alias & 1}, "bits", forged)
    label = unsatisfied_label(compiled, witness)
    assert label is not None and label.startswith("to_binary_strict/bit[")
    assert label.endswith("/at_most")


class AtMost(Circuit):
    v: Variable = secret()

    def define(self, api: API) -> None:
        with api.scope("check"):
            to_binary_at_most(api, self.v, self.params["bound"])


@pytest.mark.parametrize("bound", [0, 1, 5, 6, 7, 8, 1000, 2**64 - 1, 10**18])
def test_at_most_boundary_table_and_cost(bound: int) -> None:
    n = max(bound.bit_length(), 1)
    valid = sorted({0, bound // 2, bound})
    invalid = [bound + 1, 2**n, R - 1, R - bound - 1]
    compiled = check_circuit(
        AtMost,
        {"bound": bound},
        valid=[{"v": v} for v in valid],
        invalid=[{"v": v} for v in invalid],
    )
    assert compiled.n_constraints == at_most_cost(bound)


def test_at_most_cost_formula() -> None:
    assert [at_most_cost(b) for b in (0, 1, 2, 3, 5, 6, 7, 8, 2**64 - 1)] == [
        1, 1, 2, 2, 3, 4, 3, 4, 64,
    ]  # fmt: skip


def test_at_most_forged_bits_fail_on_a_named_bit() -> None:
    compiled = compile(AtMost, {"bound": 1000})

    def forged(inputs: Sequence[int], n_outputs: int) -> list[int]:
        return [((inputs[0] - 1) >> i) & 1 for i in range(n_outputs)]

    witness = forge_hint(compiled, {"v": 512}, "bits", forged)
    label = unsatisfied_label(compiled, witness)
    assert label is not None and label.startswith("check/bit[9]")


def test_at_most_refuses_bound_outside_field() -> None:
    with pytest.raises(CircuitError, match="outside"):
        compile(AtMost, {"bound": R})
