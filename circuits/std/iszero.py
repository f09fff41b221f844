"""Zero tests: ``is_zero``/``is_equal`` return 0/1; ``assert_is_zero``/``_nonzero`` constrain."""

from __future__ import annotations

from circuits.frontend import API, Operand, Variable


def is_zero(api: API, v: Operand) -> Variable:
    """Return 1 if v = 0 else 0: 2 constraints (circomlib's IsZero: 2). Constants fold."""
    return api.is_zero(v)


def is_equal(api: API, a: Operand, b: Operand) -> Variable:
    """Return 1 if a = b else 0: 2 constraints (circomlib's IsEqual: 2)."""
    return api.is_equal(a, b)


def assert_is_zero(api: API, v: Operand) -> None:
    """Assert v = 0: 1 linear constraint."""
    api.assert_is_equal(v, 0)


def assert_is_nonzero(api: API, v: Operand) -> None:
    """Assert v ≠ 0: 1 constraint (``v·inv = 1``)."""
    with api.scope("nonzero"):
        api.inverse(v)
