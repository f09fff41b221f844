"""``compile(circuit_class, params)``: run ``define`` once and freeze the R1CS and solve program."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from circuits.errors import CircuitError
from circuits.frontend.api import API
from circuits.frontend.compiled import CompiledCircuit
from circuits.frontend.schema import Circuit
from circuits.r1cs import R1CS


def compile(
    circuit_class: type[Circuit], params: Mapping[str, int] | None = None
) -> CompiledCircuit:
    """Compile ``circuit_class`` under ``params``; the same inputs always give the same R1CS.

    Raises:
        CircuitError: the circuit is ill-formed — a public input or a hint output appears in
            no constraint, a parameter is missing, a constant assertion is false, etc.
    """
    frozen = MappingProxyType(dict(params or {}))
    fields = circuit_class.input_fields(frozen)
    api = API(fields)
    circuit = circuit_class.__new__(circuit_class)
    circuit.params = frozen
    for name, variable in api.inputs.items():
        setattr(circuit, name, variable)
    circuit.define(api)
    r1cs = R1CS(
        n_wires=api.n_wires,
        n_public_outputs=0,
        n_public_inputs=api.n_public,
        n_private_inputs=api.n_private,
        constraints=api.constraints,
        labels=api.labels,
    )
    compiled = CompiledCircuit(circuit_class.__name__, frozen, r1cs, fields, api.steps, api.checks)
    _check_usage(api, compiled)
    return compiled


compile_circuit = compile


def _check_usage(api: API, compiled: CompiledCircuit) -> None:
    used: set[int] = set()
    for row in api.constraints:
        used.update(row.a)
        used.update(row.b)
        used.update(row.c)
    unused = [name for wire, name in enumerate(compiled.public_names, start=1) if wire not in used]
    if unused:
        raise CircuitError(
            f"{compiled.name}: public input(s) {', '.join(unused)} appear in no constraint"
            " (a proof would not bind them)"
        )
    for wire, where in api.hint_outputs:
        if wire not in used:
            raise CircuitError(f"{compiled.name}: output of {where} appears in no constraint")
