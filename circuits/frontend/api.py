"""``API``: the gnark-style verbs a circuit's ``define(api)`` uses.

Costs (constraints) are part of each verb's contract. Operands are ``Variable`` or
Python ints; constants fold at compile time, linear combinations are free, and a
product of two non-constant combinations costs one constraint. ``assert_*`` verbs add
constraints and return nothing; ``is_*`` verbs return a 0/1 variable.
"""

from __future__ import annotations

from collections.abc import Sequence

from algebra.constants import SCALAR_FIELD_R
from circuits.errors import CircuitError
from circuits.frontend.builder import Builder
from circuits.frontend.variable import Operand, Variable, as_variable, linear

R = SCALAR_FIELD_R
MAX_UNIQUE_BITS = 253
"""2^253 < r: decompositions of ≤ 253 bits are unique; 254 bits need ``to_binary_strict``."""
MAX_COMPARISON_BITS = 252
"""Comparisons shift by 2^n and need n + 1 ≤ 253 bits, so bounds above 252 bits are refused."""


class API(Builder):
    """The circuit-writing interface passed to ``Circuit.define``."""

    # --- arithmetic (free unless stated) ---------------------------------------
    def constant(self, value: int) -> Variable:
        """Return the constant ``value mod r`` (negative ints give r − k). Free."""
        return as_variable(value)

    def add(self, a: Operand, b: Operand, *more: Operand) -> Variable:
        """Return ``a + b + …``. Free."""
        return linear(*((1, as_variable(x)) for x in (a, b, *more)))

    def sum(self, values: Sequence[Operand]) -> Variable:
        """Return ``Σ values`` (0 for an empty sequence). Free."""
        return linear(*((1, as_variable(x)) for x in values))

    def sub(self, a: Operand, b: Operand, *more: Operand) -> Variable:
        """Return ``a − b − …``. Free."""
        return linear((1, as_variable(a)), *((-1, as_variable(x)) for x in (b, *more)))

    def neg(self, a: Operand) -> Variable:
        """Return ``−a``. Free."""
        return linear((-1, as_variable(a)))

    def mul(self, a: Operand, b: Operand, *more: Operand) -> Variable:
        """Return ``a·b·…``; one constraint per product of two non-constant factors."""
        acc = as_variable(a)
        for x in (b, *more):
            acc = self._mul2(acc, as_variable(x))
        return acc

    def _mul2(self, a: Variable, b: Variable) -> Variable:
        ka, kb = a.constant_value(), b.constant_value()
        if ka is not None:
            return linear((ka, b))
        if kb is not None:
            return linear((kb, a))
        return self.product_wire(a, b, "mul")

    def inverse(self, a: Operand) -> Variable:
        """Return ``1/a`` and assert ``a ≠ 0`` (``a·inv = 1``): one constraint; constants fold."""
        v = as_variable(a)
        k = v.constant_value()
        if k is not None:
            if not k:
                raise CircuitError(f"{self.label('inverse')}: inverse of the constant 0")
            return as_variable(pow(k, -1, R))
        out = self.quotient_wire(as_variable(1), v)
        self.add_constraint(v, out, as_variable(1), "inverse")
        return out

    def div(self, a: Operand, b: Operand) -> Variable:
        """Return ``a/b`` in the field and assert ``b ≠ 0``: free for constant b, one constraint
        for constant a, else two (``b·inv = 1``, ``a·inv = out``)."""
        return self.mul(a, self.inverse(b))

    def div_unchecked(self, a: Operand, b: Operand) -> Variable:
        """Return ``out`` with ``b·out = a`` (one constraint): when a = b = 0 any ``out`` passes."""
        va, vb = as_variable(a), as_variable(b)
        if vb.constant_value() is not None or va.constant_value() is not None:
            return self.div(va, vb)
        out = self.quotient_wire(va, vb)
        self.add_constraint(vb, out, va, "div")
        return out

    # --- booleans and selection -------------------------------------------------
    def select(self, cond: Operand, a: Operand, b: Operand) -> Variable:
        """Return ``a`` if cond = 1 else ``b`` (``b + cond·(a − b)``).

        Asserts cond ∈ {0,1} unless already known boolean (1 constraint), plus one for the
        product unless cond or a − b is constant.
        """
        c, va, vb = as_variable(cond), as_variable(a), as_variable(b)
        kc = c.constant_value()
        if kc is not None:
            if kc not in (0, 1):
                raise CircuitError(f"{self.label('select')}: constant condition {kc} is not 0/1")
            return va if kc else vb
        self.assert_is_boolean(c)
        diff = linear((1, va), (-1, vb))
        kd = diff.constant_value()
        if kd is not None:
            return linear((1, vb), (kd, c))
        return linear((1, vb), (1, self.product_wire(c, diff, "select")))

    def is_zero(self, a: Operand) -> Variable:
        """Return 1 if a = 0 else 0: two constraints (``a·inv = p``, ``a·(1 − p) = 0``)."""
        v = as_variable(a)
        k = v.constant_value()
        if k is not None:
            return as_variable(int(k == 0))
        (inv,) = self.hint("inverse_or_zero", [v], 1)
        p = self.product_wire(v, inv, "is_zero")
        out = linear((1, as_variable(1)), (-1, p))
        self.add_constraint(v, out, as_variable(0), "is_zero")
        self.mark_boolean(out)
        return out

    def is_equal(self, a: Operand, b: Operand) -> Variable:
        """Return 1 if a = b else 0: two constraints (``is_zero(a − b)``)."""
        return self.is_zero(self.sub(a, b))

    # --- bits -------------------------------------------------------------------
    def to_binary(self, v: Operand, n_bits: int) -> list[Variable]:
        """Return bits b_0..b_{n−1} (LSB first) with ``v = Σ 2^i b_i``, asserting v ∈ [0, 2^n).

        n_bits constraints (n − 1 hinted bits, each asserted boolean, and the top bit
        ``(v − Σ_{i<n−1} 2^i b_i)/2^{n−1}`` asserted boolean). Unique for n_bits ≤ 253;
        for 254 bits use ``circuits.std.bits.to_binary_strict``.
        """
        if not 0 <= n_bits <= MAX_UNIQUE_BITS:
            raise CircuitError(
                f"{self.label('to_binary')}: n_bits={n_bits} is outside [0, {MAX_UNIQUE_BITS}]"
                " (use circuits.std.bits.to_binary_strict for 254 bits)"
            )
        value = as_variable(v)
        k = value.constant_value()
        if k is not None:
            if k >> n_bits:
                raise CircuitError(f"{self.label('to_binary')}: constant {k} needs > {n_bits} bits")
            return [as_variable((k >> i) & 1) for i in range(n_bits)]
        if n_bits == 0:
            self.assert_is_equal(value, 0)
            return []
        low = self.hint("bits", [value], n_bits - 1)
        for i, bit in enumerate(low):
            self._assert_boolean(bit, f"bit[{i}]")
        rest = linear((1, value), *((-(1 << i), bit) for i, bit in enumerate(low)))
        top = linear((pow(1 << (n_bits - 1), -1, R), rest))
        self._assert_boolean(top, f"bit[{n_bits - 1}]")
        return [*low, top]

    def from_binary(self, bits: Sequence[Operand]) -> Variable:
        """Return ``Σ 2^i b_i`` (LSB first); asserts each bit boolean unless known (1 each)."""
        values = [as_variable(b) for b in bits]
        for bit in values:
            self.assert_is_boolean(bit)
        return linear(*((1 << i, bit) for i, bit in enumerate(values)))

    # --- assertions -------------------------------------------------------------
    def assert_is_equal(self, a: Operand, b: Operand) -> None:
        """Assert a = b: one linear constraint (none if both are the same constant)."""
        self.add_constraint(as_variable(0), as_variable(0), self.sub(a, b), "assert_is_equal")

    def assert_product(self, a: Operand, b: Operand, c: Operand) -> None:
        """Assert ``a·b = c``: one constraint (linear when a or b is constant)."""
        self.add_constraint(as_variable(a), as_variable(b), as_variable(c), "assert_product")

    def assert_is_different(self, a: Operand, b: Operand) -> None:
        """Assert a ≠ b: one constraint (``(a − b)·inv = 1``)."""
        with self.scope("assert_is_different"):
            self.inverse(self.sub(a, b))

    def assert_is_boolean(self, v: Operand) -> None:
        """Assert v ∈ {0, 1}: one constraint ``v·(v − 1) = 0``, none if already known boolean."""
        value = as_variable(v)
        if not self.is_known_boolean(value):
            self._assert_boolean(value, "assert_is_boolean")

    def _assert_boolean(self, v: Variable, tag: str) -> None:
        k = v.constant_value()
        if k is not None and k not in (0, 1):
            raise CircuitError(f"{self.label(tag)}: constant {k} is not boolean")
        self.add_constraint(v, linear((1, v), (-1, as_variable(1))), as_variable(0), tag)
        self.mark_boolean(v)

    def assert_is_less_or_equal(self, a: Operand, b: Operand, n_bits: int) -> None:
        """Assert ``b − a ∈ [0, 2^n)``, i.e. a ≤ b for a, b ∈ [0, 2^n): n = n_bits constraints.

        The caller must have range-checked a and b to n_bits (else the relation is only
        the field statement above). Bounds above 252 bits are refused.
        """
        check_comparison_bits(n_bits, self.label("assert_is_less_or_equal"))
        with self.scope("assert_is_less_or_equal"):
            self.to_binary(self.sub(b, a), n_bits)


def check_comparison_bits(n_bits: int, where: str) -> None:
    """Raise CircuitError unless ``1 ≤ n_bits ≤ 252`` (the no-wrap bound for comparisons)."""
    if not 1 <= n_bits <= MAX_COMPARISON_BITS:
        raise CircuitError(
            f"{where}: n_bits={n_bits} is outside [1, {MAX_COMPARISON_BITS}];"
            " comparisons above 252 bits could wrap around r"
        )
