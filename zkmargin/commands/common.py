"""Helpers shared by the CLI commands: reading files into typed errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from algebra.errors import FormatError


def load_json_file(path: Path) -> Any:
    """Return the parsed JSON in ``path``.

    Raises:
        FormatError: the file is missing, unreadable or not JSON (one readable line).
    """
    try:
        text = path.read_text()
    except OSError as error:
        raise FormatError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(f"{path} is not valid JSON: {error.msg} at line {error.lineno}") from None
