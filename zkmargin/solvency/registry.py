"""The registered commitments of an epoch, as exported from the service.

Format: ``{"epoch": N, "commitments": ["<decimal>", …]}`` — the body of the service's
``GET /v1/epochs/{epoch}/registry?venue=V`` (a venue's frozen registry, canonical order;
``zkm solvency verify --service URL --venue V`` fetches it), saved to a file for offline checks.
"""

from __future__ import annotations

from pathlib import Path

from algebra.errors import MalformedInputError
from zkmargin.commands.common import load_json_file


def load_registry(path: Path, epoch: int) -> set[int]:
    """Return the commitments registered for ``epoch`` in ``path``.

    Raises:
        FormatError / MalformedInputError: unreadable file, another epoch, or bad values.
    """
    data = load_json_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("commitments"), list):
        raise MalformedInputError(f'{path}: expected {{"epoch": N, "commitments": [...]}}')
    if data.get("epoch") != epoch:
        raise MalformedInputError(
            f"{path} is the registry of epoch {data.get('epoch')}, not {epoch}"
        )
    out = set()
    for value in data["commitments"]:
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
            raise MalformedInputError(f"{path}: {value!r} is not a decimal commitment")
        out.add(int(value))
    return out
