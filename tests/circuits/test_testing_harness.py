"""circuits.testing: the harness must expose broken circuits, not just pass good ones."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from circuits.frontend import API, Circuit, Variable, compile, public, secret
from circuits.testing import (
    check_circuit,
    forge_hint,
    hint_wires,
    tamper_witness,
    unsatisfied_label,
)


class Square(Circuit):
    x: Variable = secret()
    y: Variable = public()

    def define(self, api: API) -> None:
        api.assert_is_equal(api.mul(self.x, self.x), self.y)


def test_check_circuit_fails_when_an_invalid_assignment_solves() -> None:
    with pytest.raises(AssertionError, match="was solved"):
        check_circuit(Square, invalid=[{"x": 3, "y": 9}])


def test_check_circuit_propagates_a_valid_assignment_failure() -> None:
    with pytest.raises(Exception, match="assert_is_equal"):
        check_circuit(Square, valid=[{"x": 3, "y": 10}])


class WeakRange(Circuit):
    """A deliberately unsound 4-bit range check: bits are boolean but never tied to v."""

    v: Variable = secret()

    def define(self, api: API) -> None:
        bits = api.hint("bits", [self.v], 4)
        for bit in bits:
            api.assert_is_boolean(bit)
        api.assert_is_boolean(api.sub(self.v, api.from_binary(bits)))  # off by one is "fine"


def test_forge_hint_exposes_an_underconstrained_gadget() -> None:
    compiled = compile(WeakRange)

    def forged(inputs: Sequence[int], n_outputs: int) -> list[int]:
        return [1, 1, 1, 1]  # 15, while v = 16: the weak gadget accepts v = 16 ∉ [0, 16)

    witness = forge_hint(compiled, {"v": 16}, "bits", forged)
    assert unsatisfied_label(compiled, witness) is None


def test_tamper_witness_copies_and_reduces() -> None:
    compiled = compile(Square)
    witness = compiled.solve({"x": 3, "y": 9})
    tampered = tamper_witness(witness, 2, -3)
    assert tampered[2] == R - 3 and witness[2] == 3
    assert unsatisfied_label(compiled, tampered) is None  # (−3)² = 9: squares have two roots
    assert unsatisfied_label(compiled, tamper_witness(witness, 2, 4)) == "mul"


def test_hint_wires_lists_outputs_in_call_order() -> None:
    compiled = compile(WeakRange)
    assert hint_wires(compiled, "bits") == [2, 3, 4, 5]
    assert hint_wires(compiled, "inverse_or_zero") == []
