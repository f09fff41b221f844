"""Errors raised while writing, compiling or solving circuits (all ``ZkError`` subclasses)."""

from algebra.errors import ZkError


class CircuitError(ZkError):
    """A circuit is ill-formed: unused public input, bad parameter, false constant assertion,
    unconstrained hint output, bit bound out of range, or a misuse of the API."""


class HintError(ZkError):
    """A hint cannot compute its outputs from its inputs (e.g. division by zero), so the
    honest solver finds no witness for the assignment."""
