"""The progress callback long ceremony steps report through (the CLI draws rich bars from it)."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]
"""``progress(step label, units done, units total)``; called at least once per step."""


def silent(label: str, done: int, total: int) -> None:
    """Ignore progress reports."""
