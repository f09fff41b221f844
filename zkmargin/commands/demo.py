"""``zkm demo``: run every actor end to end against an in-process verifier service.

Exit 0 only when every verdict matches the reference engine, the replayed proof is
refused and the audit finds every submitted proof valid; 1 otherwise; 2 bad input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def demo(
    accounts: Annotated[
        int, typer.Option("--accounts", min=2, max=1000, help="accounts at the venue")
    ] = 10,
    size: Annotated[str, typer.Option("--size", help="circuit size: tiny or standard")] = "tiny",
    db: Annotated[
        str | None,
        typer.Option("--db", help="service database URL (default: a fresh SQLite file in --out)"),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="output directory")] = Path("zkm-demo"),
    ceremony: Annotated[
        bool, typer.Option("--ceremony", help="keys from a short local ceremony, not the dev setup")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="seed of the sample market")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bars")] = False,
) -> None:
    """Show zkmargin end to end: oracle, venue, traders, clearing and auditor on one machine."""
    from rich.console import Console

    from zkmargin.demo.run import DemoOptions, run_demo
    from zkmargin.demo.summary import print_summary

    options = DemoOptions(accounts, size, out, db, ceremony, seed, quiet)
    console = Console(highlight=False, soft_wrap=True)
    result = run_demo(options, console, Console(stderr=True))
    print_summary(result, console)
    raise typer.Exit(0 if result.ok else 1)


def register(app: typer.Typer) -> None:
    """Attach ``zkm demo`` to the root app."""
    app.command("demo")(demo)
