"""``zkm margin …``: sample, report, commit, setup, prove and verify margin statements."""

from __future__ import annotations

import typer

margin_app = typer.Typer(no_args_is_help=True)
