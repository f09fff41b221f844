"""``zkm groth16 …`` and ``zkm zkey …``: snarkjs-compatible verbs (same argument order)."""

from __future__ import annotations

import typer

groth16_app = typer.Typer(no_args_is_help=True)
zkey_app = typer.Typer(no_args_is_help=True)
