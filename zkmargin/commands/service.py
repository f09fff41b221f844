"""``zkm serve``, ``zkm keys``, ``zkm submit`` and ``zkm status``: the verifier service and its client."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the service commands to the root app."""
