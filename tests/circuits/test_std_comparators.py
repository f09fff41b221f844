"""circuits.std.comparators: explicit-bound comparisons, unsigned and signed."""

from __future__ import annotations

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from circuits.frontend import API, Circuit, CircuitError, Variable, compile, public, secret
from circuits.std.comparators import (
    assert_is_less,
    assert_is_less_or_equal,
    assert_nonnegative,
    assert_signed_ge,
    assert_signed_le,
    is_less,
    is_less_or_equal,
    is_signed_less,
)
from circuits.testing import check_circuit, tamper_witness, unsatisfied_label

N = 8
MAX = 2**N - 1


class IsLess(Circuit):
    a: Variable = secret()
    b: Variable = secret()
    lt: Variable = public()
    le: Variable = public()

    def define(self, api: API) -> None:
        n = self.params["n"]
        api.assert_is_equal(is_less(api, self.a, self.b, n), self.lt)
        api.assert_is_equal(is_less_or_equal(api, self.a, self.b, n), self.le)


PAIRS = [(0, 0), (0, 1), (1, 0), (MAX, MAX), (MAX - 1, MAX), (MAX, 0), (0, MAX)]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_is_less_table(a: int, b: int) -> None:
    good = {"a": a, "b": b, "lt": int(a < b), "le": int(a <= b)}
    compiled = check_circuit(
        IsLess,
        {"n": N},
        valid=[good],
        invalid=[{**good, "lt": 1 - good["lt"]}, {**good, "le": 1 - good["le"]}],
    )
    assert compiled.n_constraints == 2 * (N + 1) + 2


def test_is_less_tampered_top_bit_fails_on_decomposition() -> None:
    compiled = compile(IsLess, {"n": N})
    witness = compiled.solve({"a": 3, "b": 5, "lt": 1, "le": 1})
    first_bit_wire = 1 + 4  # wires: 1, lt, le, a, b, then is_less's hinted bits
    tampered = tamper_witness(witness, first_bit_wire, 1 - witness[first_bit_wire])
    label = unsatisfied_label(compiled, tampered)
    assert label == f"is_less/bit[{N}]"


class Asserts(Circuit):
    a: Variable = secret()
    b: Variable = secret()

    def define(self, api: API) -> None:
        kind = self.params["kind"]
        if kind == 0:
            assert_is_less_or_equal(api, self.a, self.b, N)
        elif kind == 1:
            assert_is_less(api, self.a, self.b, N)
        elif kind == 2:
            assert_signed_ge(api, self.a, self.b, N)
        else:
            assert_signed_le(api, self.a, self.b, N)


@pytest.mark.parametrize(
    ("kind", "holds"),
    [
        (0, lambda a, b: a <= b),
        (1, lambda a, b: a < b),
    ],
)
def test_unsigned_assertions_table(kind: int, holds: object) -> None:
    assert callable(holds)
    valid = [{"a": a, "b": b} for a, b in PAIRS if holds(a, b)]
    invalid = [{"a": a, "b": b} for a, b in PAIRS if not holds(a, b)]
    compiled = check_circuit(Asserts, {"kind": kind}, valid=valid, invalid=invalid)
    assert compiled.n_constraints == N


SIGNED = [(0, 0), (-1, 0), (0, -1), (-128, 127), (127, -128), (-128, -128), (5, 3)]


@pytest.mark.parametrize(("kind", "holds"), [(2, lambda a, b: a >= b), (3, lambda a, b: a <= b)])
def test_signed_assertions_table(kind: int, holds: object) -> None:
    assert callable(holds)
    valid = [{"a": a % R, "b": b % R} for a, b in SIGNED if holds(a, b)]
    invalid = [{"a": a % R, "b": b % R} for a, b in SIGNED if not holds(a, b)]
    compiled = check_circuit(Asserts, {"kind": kind}, valid=valid, invalid=invalid)
    assert compiled.n_constraints == N


class SignedLess(Circuit):
    a: Variable = secret()
    b: Variable = secret()
    lt: Variable = public()

    def define(self, api: API) -> None:
        api.assert_is_equal(is_signed_less(api, self.a, self.b, N), self.lt)
        assert_nonnegative(api, api.add(self.a, 128), N)


@pytest.mark.parametrize(("a", "b"), SIGNED)
def test_signed_is_less_table(a: int, b: int) -> None:
    good = {"a": a % R, "b": b % R, "lt": int(a < b)}
    check_circuit(SignedLess, valid=[good], invalid=[{**good, "lt": 1 - good["lt"]}])


class TooWide(Circuit):
    a: Variable = secret()

    def define(self, api: API) -> None:
        is_less(api, self.a, 0, self.params["n"])


@pytest.mark.parametrize("n_bits", [0, 253, 254])
def test_comparisons_refuse_bounds_outside_1_to_252(n_bits: int) -> None:
    with pytest.raises(CircuitError, match="252"):
        compile(TooWide, {"n": n_bits})


def test_comparison_at_252_bits_compiles() -> None:
    compiled = check_circuit(TooWide, {"n": 252}, valid=[{"a": 2**252 - 1}])
    assert compiled.n_constraints == 253


def test_is_less_reads_unchecked_r_minus_1_as_minus_1() -> None:
    """Why operands must be range-checked first: r − 1 ≡ −1, so it compares below 0."""
    compiled = compile(IsLess, {"n": N})
    witness = compiled.solve({"a": R - 1, "b": 0, "lt": 1, "le": 1})
    assert compiled.r1cs.is_satisfied(witness)
    check_circuit(IsLess, {"n": N}, invalid=[{"a": R - 1, "b": 0, "lt": 0, "le": 0}])
