"""Named hints: plain-Python functions the solver calls to compute wires the R1CS only checks.

A hint receives the values of its input combinations and the number of outputs wanted
and returns that many field elements. A hint is *advice*: the gadget that calls
``api.hint`` must constrain every output, and tests forge hint outputs
(``circuits.testing.forge_hint``) to show the constraints, not the hint, enforce the relation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from algebra.constants import SCALAR_FIELD_R
from circuits.errors import CircuitError

HintFn = Callable[[Sequence[int], int], list[int]]
"""``fn(input_values, n_outputs) -> output_values`` (values reduced mod r by the solver)."""

_REGISTRY: dict[str, HintFn] = {}


def register_hint(name: str) -> Callable[[HintFn], HintFn]:
    """Register ``fn`` under ``name`` (decorator); a taken name is refused for another function."""

    def decorate(fn: HintFn) -> HintFn:
        known = _REGISTRY.get(name)
        if known is not None and known.__qualname__ != fn.__qualname__:
            raise CircuitError(f"hint name {name!r} is already registered to {known.__qualname__}")
        _REGISTRY[name] = fn
        return fn

    return decorate


def get_hint(name: str) -> HintFn:
    """Return the hint registered under ``name``; raise CircuitError if there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise CircuitError(f"no hint is registered under {name!r}") from None


def registered_hints() -> list[str]:
    """Return the registered hint names, sorted."""
    return sorted(_REGISTRY)


@register_hint("bits")
def bits_hint(inputs: Sequence[int], n_outputs: int) -> list[int]:
    """Return the ``n_outputs`` low bits of ``inputs[0]`` (least significant first)."""
    value = inputs[0]
    return [(value >> i) & 1 for i in range(n_outputs)]


@register_hint("inverse_or_zero")
def inverse_or_zero_hint(inputs: Sequence[int], n_outputs: int) -> list[int]:
    """Return ``[1/x]`` for x ≠ 0 and ``[0]`` for x = 0 (the advice behind ``is_zero``)."""
    value = inputs[0]
    return [pow(value, -1, SCALAR_FIELD_R) if value else 0]
