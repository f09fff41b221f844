"""circuits.std.minmax: |v|, max, min and many-way extremes of signed bounded values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from circuits.frontend import API, Circuit, CircuitError, Variable, compile, public, secret
from circuits.std.minmax import (
    extreme_cost,
    signed_abs,
    signed_max,
    signed_max_many,
    signed_min,
    signed_min_many,
)
from circuits.testing import check_circuit, forge_hint, tamper_witness, unsatisfied_label

N = 8
HALF = 2 ** (N - 1)


class Abs(Circuit):
    v: Variable = secret()
    out: Variable = public()

    def define(self, api: API) -> None:
        api.assert_is_equal(signed_abs(api, self.v, N), self.out)


def test_abs_table_and_cost() -> None:
    values = [0, 1, -1, HALF - 1, -HALF, 77, -77]
    compiled = check_circuit(
        Abs,
        valid=[{"v": v % R, "out": abs(v)} for v in values],
        invalid=[
            {"v": (-5) % R, "out": (-5) % R},
            {"v": HALF, "out": HALF},
            {"v": (-HALF - 1) % R, "out": HALF + 1},
        ],
    )
    assert compiled.n_constraints == N + 1 + 1


def test_abs_tampered_product_is_caught() -> None:
    compiled = compile(Abs)
    witness = compiled.solve({"v": (-5) % R, "out": 5})
    product_wire = compiled.r1cs.n_wires - 1
    tampered = tamper_witness(witness, product_wire, 0)  # claims s·v = 0, i.e. |v| = v
    assert unsatisfied_label(compiled, tampered) == "abs/mul"


class MaxMin(Circuit):
    a: Variable = secret()
    b: Variable = secret()
    hi: Variable = public()
    lo: Variable = public()

    def define(self, api: API) -> None:
        api.assert_is_equal(signed_max(api, self.a, self.b, N), self.hi)
        api.assert_is_equal(signed_min(api, self.a, self.b, N), self.lo)


PAIRS = [(0, 0), (-1, 0), (5, -5), (-HALF, HALF - 1), (HALF - 1, -HALF), (3, 3), (-7, -8)]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_max_min_table(a: int, b: int) -> None:
    good = {"a": a % R, "b": b % R, "hi": max(a, b) % R, "lo": min(a, b) % R}
    compiled = check_circuit(
        MaxMin,
        valid=[good],
        invalid=[{**good, "hi": good["lo"], "lo": good["hi"]}] if a != b else [],
    )
    assert compiled.n_constraints == 2 * (N + 2) + 2


class Many(Circuit):
    values: list[Variable] = secret(length="k")
    hi: Variable = public()
    lo: Variable = public()

    def define(self, api: API) -> None:
        n = self.params["n"]
        api.assert_is_equal(signed_max_many(api, self.values, n), self.hi)
        api.assert_is_equal(signed_min_many(api, self.values, n), self.lo)


@pytest.mark.parametrize(("k", "n"), [(1, 8), (2, 8), (4, 8), (6, 2), (9, 3)])
def test_many_way_extremes_fold_or_hint_by_cost(k: int, n: int) -> None:
    half = 2 ** (n - 1)
    values = [(-half + (3 * i) % (2 * half)) for i in range(k)]
    good = {"values": [v % R for v in values], "hi": max(values) % R, "lo": min(values) % R}
    compiled = check_circuit(
        Many,
        {"k": k, "n": n},
        valid=[good],
        invalid=[{**good, "hi": (max(values) + 1) % R}] if k > 0 else [],
    )
    expected = 0 if k == 1 else 2 * extreme_cost(k, n)
    assert compiled.n_constraints == expected + 2


def test_hinted_maximum_must_be_a_member() -> None:
    compiled = compile(Many, {"k": 6, "n": 2})  # 6·2 + 5 = 17 < 5·4 = 20: the hinted path
    assignment: dict[str, Any] = {"values": [0, R - 1, R - 1, 0, R - 1, 0], "hi": 0, "lo": R - 1}

    def too_big(inputs: Sequence[int], n_outputs: int) -> list[int]:
        return [R - 1] if inputs[0] == 0 else [1]  # the min stays honest; max claims 1

    witness = forge_hint(compiled, {**assignment, "hi": 1}, "signed_extreme", too_big)
    assert unsatisfied_label(compiled, witness) == "max_many/member/assert_product"

    def too_small(inputs: Sequence[int], n_outputs: int) -> list[int]:
        return [R - 1]  # both claim −1: the true min, and a member that is not the max

    witness = forge_hint(compiled, {**assignment, "hi": R - 1}, "signed_extreme", too_small)
    label = unsatisfied_label(compiled, witness)
    assert label is not None and label.startswith("max_many/bound[0]/bit[")


def test_extremes_refuse_empty_input() -> None:
    with pytest.raises(CircuitError, match="no values"):
        compile(Many, {"k": 0, "n": 8})
