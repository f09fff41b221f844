"""``zkm solvency …``: venue-level solvency — setup, prove (local or Dask), verify, inclusion.

Exit codes of ``verify``: 0 valid and solvent, 1 invalid or insolvent, 2 bad input.
Nothing prints an account's state or salt.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from zkmargin.solvency.verify import SolvencyReport

solvency_app = typer.Typer(no_args_is_help=True)

PathArg = Annotated[Path, typer.Argument(show_default=False)]
KeysOpt = Annotated[
    Path, typer.Option("--keys", help="solvency keys directory", show_default=False)
]


def register(app: typer.Typer) -> None:
    """Attach ``zkm solvency`` to the root app."""
    app.add_typer(solvency_app, name="solvency", help="Venue-level solvency of an epoch.")


@solvency_app.command("setup")
def setup_command(
    keys: KeysOpt,
    size: Annotated[str, typer.Option("--size", help="tiny or standard")] = "tiny",
    chunk: Annotated[int, typer.Option("--chunk", help="accounts per proof (power of 2)")] = 4,
    ptau: Annotated[Path | None, typer.Option("--ptau", help="phase-2-prepared .ptau")] = None,
) -> None:
    """Write SolvencyChunk keys (UNSAFE single-party dev setup unless --ptau is given)."""
    from circuits.margin.sizes import get_size
    from circuits.solvency.circuit import solvency_params
    from zkmargin.solvency.keys import SolvencyShape, setup_keys

    shape = SolvencyShape(get_size(size), chunk)
    _check_shape(shape)
    solvency_params(shape.size, chunk)
    meta = setup_keys(shape, keys, ptau=ptau)
    if ptau is None:
        typer.secho("WARNING: UNSAFE dev setup — the toxic waste was local; never use in"
                    " production (pass --ptau from a ceremony)", fg="red", err=True)  # fmt: skip
    typer.echo(f"wrote solvency keys for {size}, {chunk} accounts per chunk"
               f" ({meta['n_constraints']} constraints) to {keys}")  # fmt: skip


def _check_shape(shape: object) -> None:
    from algebra.errors import MalformedInputError
    from circuits.errors import CircuitError
    from circuits.solvency.circuit import solvency_params
    from zkmargin.solvency.keys import SolvencyShape

    assert isinstance(shape, SolvencyShape)
    try:
        solvency_params(shape.size, shape.chunk)
    except CircuitError as error:
        raise MalformedInputError(str(error)) from None


@solvency_app.command("prove")
def prove_command(
    epoch: Annotated[int, typer.Option("--epoch", min=0, help="the epoch")],
    accounts: Annotated[Path, typer.Option("--accounts", help="directory of openings")],
    snapshot: Annotated[Path, typer.Option("--snapshot", help="the epoch's snapshot.json")],
    keys: KeysOpt,
    out: Annotated[Path, typer.Option("--out", help="bundle directory", show_default=False)],
    dask: Annotated[str | None, typer.Option(help="local, local:W or tcp://scheduler:8786")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
) -> None:
    """Prove the epoch's solvency into BUNDLE (resumes: finished chunks are kept)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from circuits.margin.loading import load_snapshot
    from zkmargin.solvency.keys import keys_shape
    from zkmargin.solvency.prove import load_openings, plan_epoch, prove_epoch

    market = load_snapshot(snapshot)
    openings = load_openings(accounts, market)
    n_chunks = plan_epoch(openings, market, keys_shape(keys), epoch)[0].n_chunks
    progress = Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), disable=quiet, transient=False,
    )  # fmt: skip
    with progress:
        task = progress.add_task("chunks", total=n_chunks)
        outcome = prove_epoch(
            openings, market, keys, out, epoch=epoch, dask=dask,
            advance=lambda n: progress.advance(task, n),
        )  # fmt: skip
    s = outcome.statement
    typer.echo(
        f"epoch {epoch}: {len(s.commitments)} accounts in {s.n_chunks} chunks"
        f" ({outcome.proven} proven, {outcome.kept} kept); list root {s.list_root}"
    )
    typer.echo(f"wrote {out}")


@solvency_app.command("verify")
def verify_command(
    bundle: PathArg,
    snapshot: Annotated[Path, typer.Option("--snapshot", help="the epoch's snapshot.json")],
    reserves: Annotated[int, typer.Option("--reserves", min=0, help="venue reserves (QQ)")],
    insurance: Annotated[int, typer.Option("--insurance", min=0, help="insurance fund (QQ)")],
    keys: Annotated[Path | None, typer.Option("--keys", help="keys directory")] = None,
    vk: Annotated[Path | None, typer.Option("--vk", help="verification_key.json")] = None,
    registry: Annotated[Path | None, typer.Option("--registry", help="registered list")] = None,
    json_out: Annotated[Path | None, typer.Option("--json-out", help="write a JSON report")] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html-out", help="write an HTML report")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the JSON report")] = False,
) -> None:
    """Verify a solvency bundle: exit 0 valid and solvent, 1 invalid or insolvent, 2 bad input."""
    from algebra.errors import MalformedInputError
    from circuits.margin.loading import load_snapshot
    from zkmargin.solvency.bundle import read_statement
    from zkmargin.solvency.html_report import render_html
    from zkmargin.solvency.keys import load_verifying_key
    from zkmargin.solvency.registry import load_registry
    from zkmargin.solvency.verify import verify_bundle

    if (keys is None) == (vk is None):
        raise MalformedInputError("give exactly one of --keys DIR or --vk verification_key.json")
    key = load_verifying_key(keys if keys is not None else vk)  # type: ignore[arg-type]
    epoch = read_statement(bundle).epoch
    registered = load_registry(registry, epoch) if registry is not None else None
    report = verify_bundle(
        bundle, key, load_snapshot(snapshot), reserves=reserves, insurance=insurance,
        registry=registered,
    )  # fmt: skip
    if json_out is not None:
        json_out.write_text(json.dumps(report.to_json(), indent=2) + "\n")
    if html_out is not None:
        html_out.write_text(render_html(report))
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        _print_report(report)
    if report.verdict() != "SOLVENT":
        raise typer.Exit(1)


def _print_report(report: SolvencyReport) -> None:
    t = report.totals
    typer.echo(f"epoch {report.epoch}: {report.n_accounts} accounts, {report.n_chunks} chunk"
               f" proofs, list root {report.list_root} ({report.seconds:.2f} s)")  # fmt: skip
    for name, value in (
        ("liabilities", t.liabilities), ("deficit", t.deficit), ("at risk", t.at_risk),
        ("maintenance", t.maintenance), ("initial", t.initial),
        ("reserves", report.reserves), ("insurance", report.insurance),
    ):  # fmt: skip
        typer.echo(f"{name:>12}: {value:,}")
    if not report.registry_checked:
        typer.echo("note: no --registry given: the list was not checked against the service's")
    for finding in report.findings:
        typer.echo(f"FINDING: {finding}", err=True)
    verdict = report.verdict()
    if verdict == "INVALID":
        typer.echo("INVALID: the bundle does not prove the epoch's totals", err=True)
    else:
        surplus = report.reserves + report.insurance - report.covered
        typer.echo(f"{verdict}: reserves + insurance − (liabilities + deficit) = {surplus:,}")


@solvency_app.command("inclusion")
def inclusion_command(
    bundle: PathArg,
    commitment: Annotated[str, typer.Option("--commitment", help="your C (decimal)")],
) -> None:
    """Check that your commitment is in the epoch's list: exit 0 included, 1 not."""
    from algebra.errors import MalformedInputError
    from circuits.solvency.epoch import check_inclusion, epoch_tree
    from zkmargin.solvency.bundle import read_statement

    if not commitment.isdigit():
        raise MalformedInputError("--commitment must be a decimal integer")
    statement = read_statement(bundle)
    tree = epoch_tree(statement.commitments, statement.chunk)
    c = int(commitment)
    if c not in set(statement.commitments):
        typer.echo(f"NOT INCLUDED: {c} is not in epoch {statement.epoch}'s list", err=True)
        raise typer.Exit(1)
    index, siblings, bits = tree.inclusion_path(c)
    if tree.root != statement.list_root or not check_inclusion(
        statement.list_root, c, siblings, bits
    ):
        typer.echo("NOT INCLUDED: the path does not reach the published list root", err=True)
        raise typer.Exit(1)
    chunk = index // statement.chunk
    typer.echo(f"INCLUDED: leaf {index} (chunk {chunk}) of epoch {statement.epoch},"
               f" Merkle path of {len(siblings)} levels to root {statement.list_root}")  # fmt: skip
