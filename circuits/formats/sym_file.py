"""Read circom ``.sym`` files: one ``labelId,wireIndex,componentIndex,signalName`` line per signal.

A wire index of −1 marks a signal optimised away. We use the file only to name the
wires of a failing constraint in diagnostics.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from algebra.errors import FormatError


def parse_sym(text: str, what: str = ".sym") -> dict[int, str]:
    """Return ``{wire index: signal name}`` for every signal that kept a wire.

    Raises:
        FormatError: a line does not have four comma-separated fields with integer ids.
    """
    names: dict[int, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split(",", 3)
        try:
            wire = int(fields[1])
        except (IndexError, ValueError) as error:
            raise FormatError(
                f"{what}: line {number} is not 'label,wire,component,name'"
            ) from error
        if len(fields) != 4:
            raise FormatError(f"{what}: line {number} is not 'label,wire,component,name'")
        if wire >= 0:
            names.setdefault(wire, fields[3])
    return names


def read_sym(path: str | PathLike[str]) -> dict[int, str]:
    """Read a circom ``.sym`` file into ``{wire index: signal name}``."""
    return parse_sym(Path(path).read_text(), what=str(path))
