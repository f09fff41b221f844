"""Circuit declarations: a ``Circuit`` subclass lists its inputs as public or secret fields.

Example::

    class Product(Circuit):
        x: Variable = secret()
        y: Variable = secret()
        z: Variable = public()
        ws: list[Variable] = secret(length="n")

        def define(self, api: API) -> None:
            api.assert_is_equal(api.mul(self.x, self.y), self.z)

Field order is declaration order (base classes first); public inputs take wires
``1 .. n_public`` and secret inputs follow, as in circom.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from circuits.errors import CircuitError

if TYPE_CHECKING:
    from circuits.frontend.api import API


@dataclass(frozen=True)
class FieldSpec:
    """One declared input: its visibility and, for arrays, a length (int or parameter name)."""

    public: bool
    length: int | str | None = None

    def size(self, params: Mapping[str, int], name: str) -> int | None:
        """Return the array length under ``params`` (None for a scalar)."""
        if self.length is None:
            return None
        if isinstance(self.length, int):
            size = self.length
        elif self.length in params:
            size = params[self.length]
        else:
            raise CircuitError(f"field {name!r} needs circuit parameter {self.length!r}")
        if not isinstance(size, int) or size < 0:
            raise CircuitError(f"field {name!r} has invalid length {size!r}")
        return size


def public(length: int | str | None = None) -> Any:
    """Declare a public input (an array of ``length`` values if given; a str names a parameter)."""
    return FieldSpec(public=True, length=length)


def secret(length: int | str | None = None) -> Any:
    """Declare a secret (private) input (an array if ``length`` is given)."""
    return FieldSpec(public=False, length=length)


@dataclass(frozen=True)
class InputField:
    """A declared field resolved under concrete parameters."""

    name: str
    public: bool
    size: int | None

    def wire_names(self) -> list[str]:
        """Return the flattened names (``x`` or ``xs[0]``, ``xs[1]`` …)."""
        if self.size is None:
            return [self.name]
        return [f"{self.name}[{i}]" for i in range(self.size)]


class Circuit:
    """Base class of circuits: fields from ``public()``/``secret()``, the relation in ``define``.

    Inside ``define`` each field is a ``Variable`` (or ``list[Variable]`` for arrays) and
    ``self.params`` holds the circuit parameters.
    """

    params: Mapping[str, int]
    _fields: ClassVar[dict[str, FieldSpec]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: dict[str, FieldSpec] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, FieldSpec):
                    fields[name] = value
        cls._fields = fields

    def define(self, api: API) -> None:
        """State the relation with ``api`` verbs; subclasses must override."""
        raise CircuitError(f"{type(self).__name__} does not define define(api)")

    @classmethod
    def input_fields(cls, params: Mapping[str, int]) -> list[InputField]:
        """Return the fields resolved under ``params``, public ones first, in declaration order."""
        resolved = [
            InputField(name, spec.public, spec.size(params, name))
            for name, spec in cls._fields.items()
        ]
        return [f for f in resolved if f.public] + [f for f in resolved if not f.public]
