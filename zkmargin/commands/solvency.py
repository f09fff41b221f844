"""``zkm solvency …``: venue-level solvency — setup, prove (local or Dask), verify, inclusion.

Exit codes of ``verify``: 0 valid and solvent, 1 invalid or insolvent, 2 bad input.
Nothing prints an account's state or salt.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
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
    service: Annotated[
        str | None, typer.Option("--service", help="fetch the frozen registry from this URL")
    ] = None,
    venue: Annotated[str | None, typer.Option("--venue", help="the venue (with --service)")] = None,
    api_key: Annotated[
        str | None, typer.Option(envvar="ZKM_API_KEY", help="API key (or $ZKM_API_KEY)")
    ] = None,
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
    if registry is not None and service is not None:
        raise MalformedInputError("give at most one of --registry FILE or --service URL")
    epoch = read_statement(bundle).epoch
    registered = load_registry(registry, epoch) if registry is not None else None
    if service is not None:
        registered = _service_registry(service, venue, api_key, epoch)
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


@contextmanager
def _reach(url: str) -> Iterator[None]:
    """Turn an unreachable service into one ServiceUnreachableError line (exit 2)."""
    import httpx

    from zkmargin.commands.venue import ServiceUnreachableError

    try:
        yield
    except httpx.TransportError as error:
        raise ServiceUnreachableError(f"cannot reach the service at {url}: {error}") from None


def _service_registry(url: str, venue: str | None, api_key: str | None, epoch: int) -> set[int]:
    """Return the venue's frozen registry of ``epoch`` from the service at ``url``."""
    from algebra.errors import MalformedInputError
    from api.client import ZkmClient

    if venue is None or not api_key:
        raise MalformedInputError("--service needs --venue and an API key (--api-key or"
                                  " $ZKM_API_KEY)")  # fmt: skip
    with _reach(url), ZkmClient(url, api_key) as client:
        export = client.registry(epoch, venue)
    return {int(c) for c in export.commitments}


@solvency_app.command("post")
def post_command(
    bundle: PathArg,
    service: Annotated[str, typer.Option("--service", help="the service URL")],
    circuit: Annotated[str, typer.Option("--circuit", help="the registered solvency circuit id")],
    reserves: Annotated[int, typer.Option("--reserves", min=0, help="venue reserves (QQ)")],
    insurance: Annotated[int, typer.Option("--insurance", min=0, help="insurance fund (QQ)")],
    api_key: Annotated[
        str | None, typer.Option(envvar="ZKM_API_KEY", help="venue API key (or $ZKM_API_KEY)")
    ] = None,
    freeze: Annotated[
        bool, typer.Option("--freeze", help="freeze the venue's registry at the epoch first")
    ] = False,
) -> None:
    """Post a solvency bundle to the service (venue), which verifies it before storing it:
    exit 0 stored (SOLVENT or INSOLVENT), 1 refused with findings, 2 bad input."""
    from algebra.errors import MalformedInputError
    from api.client import ServiceCallError, ZkmClient
    from zkmargin.solvency.bundle import bundle_json, read_statement

    if not api_key:
        raise MalformedInputError("--service needs a venue API key (--api-key or $ZKM_API_KEY)")
    epoch = read_statement(bundle).epoch
    body = bundle_json(bundle)
    with _reach(service), ZkmClient(service, api_key, timeout=300.0) as client:
        if freeze:
            frozen = client.freeze_registry(epoch)
            typer.echo(f"registry of epoch {epoch} frozen at {frozen.frozen_at.isoformat()}"
                       f" ({frozen.n_commitments} commitments)")  # fmt: skip
        try:
            summary = client.post_solvency(
                epoch, body, circuit_id=circuit, reserves=reserves, insurance=insurance
            )
        except ServiceCallError as error:
            if not error.findings:
                raise
            for finding in error.findings:
                typer.echo(f"FINDING: {finding}", err=True)
            typer.echo(f"REFUSED: {error.detail}", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"epoch {epoch}: stored for venue {summary.venue_id}; {summary.n_accounts}"
               f" accounts, list root {summary.list_root}")  # fmt: skip
    typer.echo(f"{summary.verdict}: reserves + insurance − (liabilities + deficit) ="
               f" {int(summary.surplus):,}")  # fmt: skip
    if summary.declared:
        typer.echo(f"circuit {summary.circuit.circuit_id}: the one declared for epoch {epoch}")
    if summary.circuit.warning:
        typer.echo(summary.circuit.warning, err=True)


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
        typer.echo("note: no --registry or --service given: the list was not checked against"
                   " the service's registry")  # fmt: skip
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
    proof: Annotated[
        Path | None, typer.Option("--proof", help="check this inclusion proof (JSON) instead")
    ] = None,
    proof_out: Annotated[
        Path | None, typer.Option("--proof-out", help="write your inclusion proof (JSON)")
    ] = None,
) -> None:
    """Check that your commitment is in the epoch's list root: exit 0 included, 1 not.

    The path is rebuilt from the bundle's list, or read from ``--proof`` (``{"epoch",
    "list_root", "leaf_index", "siblings", "bits"}``, as ``--proof-out`` writes it) and checked
    against the bundle's published root: its length must be the tree's depth and its first
    step is hashed in the leaf domain, so an internal node passed off as a leaf is refused.
    """
    from algebra.errors import MalformedInputError
    from circuits.solvency.epoch import check_inclusion, epoch_tree, tree_depth
    from zkmargin.solvency.bundle import read_statement

    if not commitment.isdigit():
        raise MalformedInputError("--commitment must be a decimal integer")
    statement = read_statement(bundle)
    c = int(commitment)
    if proof is not None:
        index, siblings, bits = _read_inclusion_proof(proof, statement.epoch)
    elif c not in set(statement.commitments):
        typer.echo(f"NOT INCLUDED: {c} is not in epoch {statement.epoch}'s list", err=True)
        raise typer.Exit(1)
    else:
        tree = epoch_tree(statement.commitments, statement.chunk)
        index, siblings, bits = tree.inclusion_path(c)
        if tree.root != statement.list_root:
            typer.echo("NOT INCLUDED: the list does not hash to the published root", err=True)
            raise typer.Exit(1)
    depth = tree_depth(len(statement.commitments), statement.chunk)
    position = sum(bit << level for level, bit in enumerate(bits))
    if (
        len(siblings) != depth
        or position != index
        or not 0 <= index < len(statement.commitments)  # a padding leaf is no account
        or not check_inclusion(statement.list_root, c, siblings, bits)
    ):
        typer.echo("NOT INCLUDED: the path does not reach the published list root", err=True)
        raise typer.Exit(1)
    if proof_out is not None:
        document = {
            "epoch": statement.epoch, "list_root": str(statement.list_root), "leaf_index": index,
            "siblings": [str(v) for v in siblings], "bits": bits,
        }  # fmt: skip
        proof_out.write_text(json.dumps(document, indent=1) + "\n")
    chunk = index // statement.chunk
    typer.echo(f"INCLUDED: leaf {index} (chunk {chunk}) of epoch {statement.epoch},"
               f" Merkle path of {len(siblings)} levels to root {statement.list_root}")  # fmt: skip


def _read_inclusion_proof(path: Path, epoch: int) -> tuple[int, list[int], list[int]]:
    """Return ``(leaf_index, siblings, bits)`` of an inclusion-proof file for ``epoch``."""
    from algebra.errors import MalformedInputError
    from zkmargin.commands.common import load_json_file

    data = load_json_file(path)
    try:
        if int(data["epoch"]) != epoch:
            raise MalformedInputError(f"{path} is a proof for epoch {data['epoch']}, not {epoch}")
        index = int(data["leaf_index"])
        siblings = [int(str(v)) for v in data["siblings"]]
        bits = [int(b) for b in data["bits"]]
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedInputError(f"{path} is not an inclusion proof: {error}") from None
    return index, siblings, bits


@solvency_app.command("export-contract")
def export_contract_command(
    out: Annotated[Path, typer.Argument(help="where to write SolvencyAttestation.sol")],
) -> None:
    """Write the SolvencyAttestation contract (auditor-signed epoch statements)."""
    from zkmargin.solvency.attestation import render_solvency_attestation

    out.write_text(render_solvency_attestation())
    typer.echo(f"wrote {out}")


@solvency_app.command("attest")
def attest_command(
    report: Annotated[Path, typer.Argument(help="`zkm solvency verify --json-out` report")],
    key: Annotated[Path, typer.Option("--key", help="file holding the auditor's hex key")],
    chain_id: Annotated[int, typer.Option("--chain-id", min=1, help="the chain's id")],
    contract: Annotated[str, typer.Option("--contract", help="SolvencyAttestation address")],
    out: Annotated[Path | None, typer.Option("--out", help="write the signature JSON")] = None,
) -> None:
    """Sign a VALID verify report's statement for SolvencyAttestation (EIP-712).

    Prints (or writes) ``{"statement", "digest", "signer", "signature"}``; the statement is
    what the venue posts with ``postEpoch`` and the signature what ``attest`` takes.
    """
    from zkmargin.commands.common import load_json_file
    from zkmargin.solvency.attestation import (
        sign_statement,
        solvency_typed_data,
        statement_from_report,
        typed_data_digest,
    )

    statement = statement_from_report(load_json_file(report))
    typed = solvency_typed_data(statement, chain_id=chain_id, contract=contract)
    signer, signature = sign_statement(typed, _read_private_key(key))
    document = {
        "chain_id": chain_id,
        "contract": contract,
        "statement": statement.to_json(),
        "digest": "0x" + typed_data_digest(typed).hex(),
        "signer": signer,
        "signature": "0x" + signature.hex(),
    }
    text = json.dumps(document, indent=1) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text)
        typer.echo(f"{signer} signed epoch {statement.epoch}: wrote {out}")


def _read_private_key(path: Path) -> bytes:
    """Return the 32-byte key in ``path`` (hex, optional 0x); MalformedInputError otherwise."""
    from algebra.errors import MalformedInputError

    try:
        text = path.read_text().strip()
    except OSError as error:
        raise MalformedInputError(f"cannot read the key file {path}: {error.strerror}") from None
    text = text.removeprefix("0x")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise MalformedInputError(f"{path} does not hold a 32-byte hex private key")
    return key
