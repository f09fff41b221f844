"""circuits.std.rangecheck: unsigned, signed, constant-bound and interval range checks."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from circuits.frontend import API, Circuit, CircuitError, Variable, compile, secret
from circuits.std.bits import at_most_cost
from circuits.std.rangecheck import (
    assert_at_most,
    assert_in_interval,
    assert_in_range,
    assert_signed_in_range,
)
from circuits.testing import check_circuit, forge_hint, unsatisfied_label

N = 8


class Unsigned(Circuit):
    v: Variable = secret()

    def define(self, api: API) -> None:
        with api.scope("account"):
            assert_in_range(api, self.v, self.params["n"])


class Signed(Circuit):
    v: Variable = secret()

    def define(self, api: API) -> None:
        assert_signed_in_range(api, self.v, self.params["n"])


def test_unsigned_boundary_table() -> None:
    compiled = check_circuit(
        Unsigned,
        {"n": N},
        valid=[{"v": v} for v in (0, 1, 2**N - 2, 2**N - 1)],
        invalid=[{"v": v} for v in (2**N, 2**N + 1, R - 1, R - 2**N)],
    )
    assert compiled.n_constraints == N


def test_unsigned_range_failure_names_the_range_bit() -> None:
    compiled = compile(Unsigned, {"n": N})
    with pytest.raises(Exception, match=r"account/range/bit\[7\]"):
        compiled.solve({"v": 2**N})


def test_unsigned_range_rejects_forged_bits() -> None:
    compiled = compile(Unsigned, {"n": N})

    def forged(inputs: Sequence[int], n_outputs: int) -> list[int]:
        return [2] + [0] * (n_outputs - 1)  # 2·1 = 2 = v, but bit[0] is not boolean

    witness = forge_hint(compiled, {"v": 2}, "bits", forged)
    assert unsatisfied_label(compiled, witness) == "account/range/bit[0]"


def test_signed_boundary_table() -> None:
    half = 2 ** (N - 1)
    compiled = check_circuit(
        Signed,
        {"n": N},
        valid=[{"v": v % R} for v in (0, 1, -1, half - 1, -half)],
        invalid=[{"v": v % R} for v in (half, -half - 1, 2**N, R // 2)],
    )
    assert compiled.n_constraints == N


def test_signed_range_refuses_zero_bits() -> None:
    with pytest.raises(CircuitError, match="n_bits=0"):
        compile(Signed, {"n": 0})


def test_range_refuses_254_bits() -> None:
    with pytest.raises(CircuitError, match="n_bits=254"):
        compile(Unsigned, {"n": 254})


class AtMost(Circuit):
    v: Variable = secret()

    def define(self, api: API) -> None:
        assert_at_most(api, self.v, 999_999)


class Interval(Circuit):
    v: Variable = secret()

    def define(self, api: API) -> None:
        assert_in_interval(api, self.v, -5, 10)


def test_at_most_constant_bound() -> None:
    compiled = check_circuit(
        AtMost,
        valid=[{"v": 0}, {"v": 999_999}],
        invalid=[{"v": 1_000_000}, {"v": R - 1}, {"v": 2**20}],
    )
    assert compiled.n_constraints == at_most_cost(999_999)


def test_interval_with_negative_low_end() -> None:
    compiled = check_circuit(
        Interval,
        valid=[{"v": v % R} for v in (-5, -1, 0, 10)],
        invalid=[{"v": v % R} for v in (-6, 11, 2**200)],
    )
    assert compiled.n_constraints == at_most_cost(15)
