"""gnark-style circuit frontend: declare a ``Circuit``, state its relation in ``define(api)``,
``compile`` it to an R1CS plus a solve program, then ``solve`` assignments into witnesses.

See ``docs/circuits.md`` for a walkthrough.
"""

from circuits.errors import CircuitError, HintError
from circuits.frontend.api import API, MAX_COMPARISON_BITS, MAX_UNIQUE_BITS
from circuits.frontend.compile import compile, compile_circuit
from circuits.frontend.compiled import Assignment, CompiledCircuit, Witness
from circuits.frontend.hints import HintFn, get_hint, register_hint, registered_hints
from circuits.frontend.schema import Circuit, public, secret
from circuits.frontend.variable import Operand, Variable

__all__ = [
    "API",
    "MAX_COMPARISON_BITS",
    "MAX_UNIQUE_BITS",
    "Assignment",
    "Circuit",
    "CircuitError",
    "CompiledCircuit",
    "HintError",
    "HintFn",
    "Operand",
    "Variable",
    "Witness",
    "compile",
    "compile_circuit",
    "get_hint",
    "public",
    "register_hint",
    "registered_hints",
    "secret",
]
