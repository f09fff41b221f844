"""``zkm audit``: verify every proof of a source, locally or on Dask, and write reports.

Exit codes: 0 every audited proof is valid, 1 some are invalid (listed with reasons) or the
service's records contradict themselves (a finding, e.g. a snapshot hash mismatch or a
snapshot signature that fails), 2 bad input (unreadable source or key, wrong key, unreachable
service or cluster).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from collections.abc import Iterable

    from verifier.audit.items import AuditItem
    from verifier.keys import VerifyingKey
    from zkmargin.audit.report import AuditReport
    from zkmargin.audit.run import AuditOptions

MAX_LISTED = 20
BACKENDS = ("native", "reference")


def audit(
    vk: Annotated[Path, typer.Option("--vk", help="snarkjs verification_key.json")],
    source: Annotated[
        Path | None,
        typer.Argument(
            help="JSON-lines file or directory of */proof.json + */public.json", show_default=False
        ),
    ] = None,
    report: Annotated[Path | None, typer.Option(help="write the JSON report here")] = None,
    html: Annotated[Path | None, typer.Option(help="write the HTML report here")] = None,
    backend: Annotated[
        str, typer.Option(help="native (batched) or reference (py_ecc, per proof)")
    ] = "native",
    sample: Annotated[
        int | None, typer.Option(min=1, help="audit a random sample of N proofs")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="seed of the --sample draw")] = None,
    dask: Annotated[str | None, typer.Option(help="local, local:W or tcp://scheduler:8786")] = None,
    chunk_size: Annotated[int, typer.Option(min=1, max=1_000_000, help="proofs per batch")] = 256,
    service: Annotated[str | None, typer.Option(help="service URL to pull an epoch from")] = None,
    epoch: Annotated[int | None, typer.Option(min=0, help="epoch to pull (with --service)")] = None,
    api_key: Annotated[
        str | None, typer.Option(envvar="ZKM_API_KEY", help="auditor API key (or $ZKM_API_KEY)")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """Audit Groth16 proofs in bulk: exit 0 all valid, 1 some invalid or a finding, 2 bad input."""
    from algebra.errors import FormatError
    from verifier.snarkjs_json import verifying_key_from_json
    from zkmargin.audit.run import AuditOptions
    from zkmargin.commands.common import load_json_file

    if backend not in BACKENDS:
        raise typer.BadParameter(f"--backend must be one of {', '.join(BACKENDS)}")
    if (source is None) == (service is None):
        raise typer.BadParameter("give exactly one of SOURCE or --service URL")
    if service is not None and (epoch is None or not api_key):
        raise FormatError("--service needs --epoch and an auditor key (--api-key or $ZKM_API_KEY)")
    key = verifying_key_from_json(load_json_file(vk))
    options = AuditOptions(backend=backend, chunk_size=chunk_size, sample=sample, seed=seed)
    if source is not None:
        result = _audit_files(key, source, options, dask, quiet)
    else:
        assert service is not None and epoch is not None and api_key is not None
        result = _audit_service(key, service, epoch, api_key, options, dask, quiet)
    _write_outputs(result, report, html)
    _print_summary(result)
    raise typer.Exit(0 if result.clean else 1)


def _audit_files(
    key: VerifyingKey, source: Path, options: AuditOptions, dask: str | None, quiet: bool
) -> AuditReport:
    from verifier.audit.sources import open_source

    opened = open_source(source)
    total = min(opened.total, options.sample) if options.sample else opened.total
    # On a cluster the workers parse the proofs, so this process is not the bottleneck.
    items = opened.items(defer_proofs=dask is not None)
    return _run(key, items, opened.description, options, dask, quiet, total)


def _audit_service(
    key: VerifyingKey,
    url: str,
    epoch: int,
    api_key: str,
    options: AuditOptions,
    dask: str | None,
    quiet: bool,
) -> AuditReport:
    import httpx

    from algebra.errors import FormatError
    from api.client import ZkmClient
    from zkmargin.audit.service_source import ServiceEpoch

    with ZkmClient(url, api_key) as client:
        pulled = ServiceEpoch(client=client, epoch=epoch, vk=key, url=url)
        try:
            result = _run(
                key, pulled.items(), f"service {url} epoch {epoch}", options, dask, quiet, None
            )
            pulled.annotate(result)
        except httpx.HTTPError as error:
            raise FormatError(f"cannot reach the service at {url}: {error}") from error
    return result


def _run(
    key: VerifyingKey,
    items: Iterable[AuditItem],
    description: str,
    options: AuditOptions,
    dask: str | None,
    quiet: bool,
    total: int | None,
) -> AuditReport:
    from verifier.audit.runners import make_runner
    from zkmargin.audit.progress import audit_progress
    from zkmargin.audit.run import check_key, run_audit

    check_key(key, options.backend)
    runner = make_runner(dask)
    try:
        with audit_progress(total, disabled=quiet) as advance:
            return run_audit(
                key, items, source=description, options=options, runner=runner, advance=advance
            )
    finally:
        runner.close()


def _write_outputs(result: AuditReport, report: Path | None, html: Path | None) -> None:
    import json

    from zkmargin.audit.html_report import render_html

    if report is not None:
        report.write_text(json.dumps(result.to_json(), indent=2) + "\n")
    if html is not None:
        html.write_text(render_html(result), encoding="utf-8")


def _print_summary(result: AuditReport) -> None:
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    colour = "green" if result.clean else "red"
    console.print(
        f"[bold {colour}]{result.valid:,} valid, {len(result.invalid):,} invalid[/] of "
        f"{result.checked:,} proofs audited in {result.total_seconds:.2f} s "
        f"({result.proofs_per_second:,.0f} proofs/s; {result.backend}, {result.runner})"
    )
    if result.coverage is not None:
        coverage = result.coverage
        console.print(f"  {coverage.headline()}", markup=False)
        if coverage.missing:
            listed = ", ".join(coverage.missing[:MAX_LISTED])
            more = len(coverage.missing) - MAX_LISTED
            console.print(
                f"  MISSING {listed}" + (f" … and {more:,} more" if more > 0 else ""),
                markup=False,
            )
    for finding in result.findings:
        console.print(f"  FINDING {finding}", markup=False)
    signature = (result.service or {}).get("snapshot_signature") or {}
    if signature.get("signer_revoked_at") and signature.get("status") == "valid":
        console.print(
            f"  NOTE the snapshot's signing key {signature['signer_key_id']} was revoked at"
            f" {signature['signer_revoked_at']}, after the snapshot was accepted (if the key"
            " leaked, the operator voids the epoch)",
            markup=False,
        )
    for entry in result.invalid[:MAX_LISTED]:
        console.print(f"  INVALID {entry.item_id}: {entry.reason}", markup=False)
    if len(result.invalid) > MAX_LISTED:
        console.print(f"  … and {len(result.invalid) - MAX_LISTED:,} more (see --report)")


def register(app: typer.Typer) -> None:
    """Attach ``zkm audit`` to the root app."""
    app.command("audit")(audit)
