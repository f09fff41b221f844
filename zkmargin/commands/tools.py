"""``zkm r1cs …`` and ``zkm wtns …``: inspect and check iden3 binary files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from circuits.r1cs import R1CS

r1cs_app = typer.Typer(no_args_is_help=True)
wtns_app = typer.Typer(no_args_is_help=True)

# Paths are checked by reading them: an OSError becomes one error line and exit 2 in cli.main.
FileArg = Annotated[Path, typer.Argument(show_default=False)]


@r1cs_app.command("info")
def r1cs_info(r1cs: FileArg) -> None:
    """Print the header of an .r1cs file: wires, constraints, inputs, outputs and labels."""
    from circuits.formats.r1cs_file import read_r1cs

    system = read_r1cs(r1cs)
    typer.echo("curve: bn128")
    typer.echo(f"wires: {system.n_wires}")
    typer.echo(f"constraints: {system.n_constraints}")
    typer.echo(f"public outputs: {system.n_public_outputs}")
    typer.echo(f"public inputs: {system.n_public_inputs}")
    typer.echo(f"private inputs: {system.n_private_inputs}")
    typer.echo(f"labels: {system.n_labels}")


@wtns_app.command("check")
def wtns_check(
    r1cs: FileArg,
    wtns: FileArg,
    sym: Annotated[
        Path | None,
        typer.Option(help="circom .sym file naming the signals (default: <r1cs>.sym if present)."),
    ] = None,
) -> None:
    """Check a witness against every constraint: exit 0 if all hold, else 1 naming the first.

    Witness values are never printed.
    """
    from circuits.formats.r1cs_file import read_r1cs
    from circuits.formats.wtns_file import read_wtns

    system = read_r1cs(r1cs)
    failing = system.which_is_unsatisfied(read_wtns(wtns))
    if failing is None:
        typer.echo(f"witness OK: all {system.n_constraints} constraints are satisfied")
        return
    index, label = failing
    label = label or _signal_label(system, index, sym or r1cs.with_suffix(".sym"))
    typer.echo(f"witness INVALID: constraint {index} ({label}) is not satisfied", err=True)
    raise typer.Exit(code=1)


def _signal_label(system: R1CS, index: int, sym: Path) -> str:
    """Name a file-read constraint by the signals it touches (from .sym), else "unlabelled"."""
    if not sym.is_file():
        return "unlabelled"
    from circuits.formats.sym_file import read_sym

    names = read_sym(sym)
    row = system.constraints[index]
    wires = sorted({*row.a, *row.b, *row.c} - {0})
    return ", ".join(names.get(wire, f"wire {wire}") for wire in wires) or "constants only"
