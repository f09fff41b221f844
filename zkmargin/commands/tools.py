"""``zkm r1cs …`` and ``zkm wtns …``: inspect and check iden3 binary files."""

from __future__ import annotations

import typer

r1cs_app = typer.Typer(no_args_is_help=True)
wtns_app = typer.Typer(no_args_is_help=True)
