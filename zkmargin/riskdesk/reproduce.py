"""Locate where two JSON documents differ (for ``zkm riskdesk check``'s message)."""

from __future__ import annotations

from typing import Any


def first_difference(left: Any, right: Any, path: str = "") -> str:
    """Return the JSON path of the first difference between ``left`` and ``right``."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            if key not in left or key not in right:
                return f"{path}.{key}".lstrip(".") + (
                    " (missing)" if key not in left else " (extra)"
                )
            if left[key] != right[key]:
                return first_difference(left[key], right[key], f"{path}.{key}")
    elif isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return f"{path.lstrip('.') or 'value'} (length {len(left)} ≠ {len(right)})"
        for k, (a, b) in enumerate(zip(left, right, strict=True)):
            if a != b:
                return first_difference(a, b, f"{path}[{k}]")
    return f"{path.lstrip('.') or 'value'} ({left!r} ≠ {right!r})"
