"""``zkm riskdesk …``: build, check, sign and backtest margin snapshots from market data.

``build`` writes ``OUT`` (canonical snapshot JSON), ``OUT.report.json`` (volatilities,
fractions, Greeks) and with ``--sign`` ``OUT.sig.json`` (signed metadata). ``check`` and
``verify-signature`` exit 0 when the snapshot is reproduced / correctly signed, 1 when
it is not, 2 on bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from circuits.margin.model import MarketSnapshot

riskdesk_app = typer.Typer(no_args_is_help=True)

MarketArg = Annotated[Path, typer.Argument(help="market data JSON", show_default=False)]
PolicyOption = Annotated[Path, typer.Option("--policy", help="policy JSON", show_default=False)]


def sibling(path: Path, suffix: str) -> Path:
    """Return ``snapshot.json`` → ``snapshot{suffix}`` (e.g. ``.sig.json``)."""
    return path.with_name(path.name.removesuffix(".json") + suffix)


def _fail(message: str) -> None:
    from rich.console import Console

    Console(stderr=True).print(f"[bold red]{message}[/]", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@riskdesk_app.command("build")
def build_command(
    market: MarketArg,
    policy: PolicyOption,
    epoch: Annotated[int, typer.Option("--epoch", min=0, max=2**64 - 1, show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="snapshot JSON to write", show_default=False)],
    sign: Annotated[
        Path | None, typer.Option("--sign", help="Ed25519 private key (PEM) to sign with")
    ] = None,
) -> None:
    """Compute the epoch's snapshot from market data under a policy (deterministic)."""
    from circuits.margin.commitment import snapshot_hash
    from zkmargin.riskdesk.build import build_snapshot
    from zkmargin.riskdesk.canonical import canonical_json, sha256_hex
    from zkmargin.riskdesk.loading import load_market, load_policy
    from zkmargin.riskdesk.signing import read_key_file, sign_snapshot

    market_data, policy_doc = load_market(market), load_policy(policy)
    key = read_key_file(sign, "signing key") if sign is not None else None
    result = build_snapshot(market_data, policy_doc, epoch)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(canonical_json(result.snapshot) + b"\n")
    report = {
        "policy": policy_doc.name,
        "policy_sha256": sha256_hex(policy_doc),
        "market_inputs_sha256": sha256_hex(market_data),
        **result.report(),
    }
    sibling(out, ".report.json").write_text(json.dumps(report, indent=2) + "\n")
    typer.echo(
        f"snapshot hash {snapshot_hash(result.snapshot)} (sha256 {sha256_hex(result.snapshot)})"
    )
    for name, asset in result.assets.items():
        typer.echo(
            f"  {name}: σ {asset.sigma_current:.4f}/day (margin {asset.sigma_margin:.4f}),"
            f" MMF {asset.fractions.maintenance_ppm / 1e4:.2f} %,"
            f" IMF {asset.fractions.initial_ppm / 1e4:.2f} %,"
            f" haircut {asset.haircut_ppm / 1e4:.2f} %"
        )
    if key is not None:
        meta = sign_snapshot(result.snapshot, market_data, policy_doc, key)
        sibling(out, ".sig.json").write_text(meta.model_dump_json(indent=2) + "\n")
        typer.echo(f"signed by key {meta.signer_key_id}")
    typer.echo(f"wrote {out}")


def _load_published(path: Path) -> tuple[MarketSnapshot, object]:
    from circuits.margin.loading import load_snapshot
    from zkmargin.riskdesk.loading import read_json

    obj = read_json(path, "snapshot")
    return load_snapshot(obj if isinstance(obj, dict) else path), obj


@riskdesk_app.command("check")
def check_command(
    market: MarketArg,
    snapshot: Annotated[Path, typer.Argument(help="published snapshot JSON", show_default=False)],
    policy: PolicyOption,
) -> None:
    """Recompute the snapshot; exit 0 only if the published one is identical, else 1."""
    from circuits.margin.commitment import snapshot_hash
    from zkmargin.riskdesk.build import build_snapshot
    from zkmargin.riskdesk.canonical import canonical_json
    from zkmargin.riskdesk.loading import load_market, load_policy
    from zkmargin.riskdesk.reproduce import first_difference

    market_data, policy_doc = load_market(market), load_policy(policy)
    published, raw = _load_published(snapshot)
    rebuilt = build_snapshot(market_data, policy_doc, published.epoch).snapshot
    if canonical_json(raw) != canonical_json(rebuilt):
        where = first_difference(raw, rebuilt.model_dump(mode="json"))
        _fail(f"NOT REPRODUCED: the published snapshot differs from the recomputed one at {where}")
    typer.echo(f"reproduced: snapshot hash {snapshot_hash(rebuilt)} (identical canonical JSON)")


@riskdesk_app.command("keygen")
def keygen_command(
    out: Annotated[Path, typer.Option("--out", help="private key PEM to write")] = Path(
        "oracle-key.pem"
    ),
    force: Annotated[bool, typer.Option("--force", help="overwrite existing files")] = False,
) -> None:
    """Create an Ed25519 signing key (OUT, mode 0600) and its public key (OUT.pub.pem)."""
    import os

    from zkmargin.riskdesk.errors import RiskInputError
    from zkmargin.riskdesk.signing import generate_key_pair, key_id

    public_path = out.with_name(out.name.removesuffix(".pem") + ".pub.pem")
    for path in (out, public_path):
        if path.exists() and not force:
            raise RiskInputError(f"{path} exists; pass --force to overwrite it")
    private, public = generate_key_pair()
    out.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private)
    public_path.write_bytes(public)
    typer.echo(f"key id {key_id(public)}: private key {out} (keep it secret), public {public_path}")


@riskdesk_app.command("verify-signature")
def verify_signature_command(
    snapshot: Annotated[Path, typer.Argument(help="snapshot JSON", show_default=False)],
    public_key: Annotated[Path, typer.Option("--public-key", help="signer's public key PEM")],
    signature: Annotated[
        Path | None, typer.Option("--signature", help="signed metadata (default SNAPSHOT.sig.json)")
    ] = None,
    market: Annotated[Path | None, typer.Option("--market", help="check these inputs")] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="check this policy")] = None,
    max_age: Annotated[
        int | None, typer.Option("--max-age", min=1, help="refuse inputs older (seconds)")
    ] = None,
    now: Annotated[
        int | None, typer.Option("--now", help="unix time to judge staleness at (default: now)")
    ] = None,
) -> None:
    """Check the snapshot's signature and bindings; exit 0 valid, 1 refused, 2 bad input."""
    import time

    from zkmargin.riskdesk.errors import SignatureError, StaleInputError
    from zkmargin.riskdesk.freshness import check_fresh
    from zkmargin.riskdesk.loading import load_market, load_policy, read_json
    from zkmargin.riskdesk.signing import load_metadata, read_key_file, verify_signed_snapshot

    published, _ = _load_published(snapshot)
    meta_path = signature or sibling(snapshot, ".sig.json")
    meta = load_metadata(read_json(meta_path, "signed metadata"))
    key = read_key_file(public_key, "public key")
    market_data = load_market(market) if market is not None else None
    policy_doc = load_policy(policy) if policy is not None else None
    try:
        verify_signed_snapshot(published, meta, key, market=market_data, policy=policy_doc)
        if max_age is not None:
            clock = time.time if now is None else (lambda: float(now))
            check_fresh(meta.as_of, max_age_seconds=max_age, clock=clock)
    except (SignatureError, StaleInputError) as error:
        _fail(f"REFUSED: {error}")
    bound = ", ".join(name for name, doc in (("market inputs", market), ("policy", policy)) if doc)
    typer.echo(
        f"valid: signed by {meta.signer_key_id} for epoch {meta.epoch}, as of {meta.as_of}"
        + (f"; {bound} match" if bound else "")
    )


@riskdesk_app.command("backtest")
def backtest_command(
    history: Annotated[Path, typer.Argument(help="CSV of daily closes", show_default=False)],
    policy: PolicyOption,
    out: Annotated[Path, typer.Option("--out", help="HTML report to write")] = Path(
        "backtest.html"
    ),
    warmup: Annotated[
        int, typer.Option("--warmup", min=30, help="days before the first test")
    ] = 250,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="also write the figures as JSON")
    ] = None,
) -> None:
    """Replay the history: exceedances, Kupiec and Christoffersen tests, HTML report."""
    from zkmargin.riskdesk.backtest import run_backtest
    from zkmargin.riskdesk.backtest_report import render_html, summary
    from zkmargin.riskdesk.loading import load_history, load_policy

    result = run_backtest(load_history(history), load_policy(policy), warmup)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(result), encoding="utf-8")
    figures = summary(result)
    if json_out is not None:
        json_out.write_text(json.dumps(figures, indent=2) + "\n")
    typer.echo(
        f"coverage {figures['coverage']:.4%} over {figures['periods']} periods"
        f" ({figures['exceedances']} exceedances, target {result.target:.2%});"
        f" pooled Kupiec LR {figures['pooled_kupiec']['statistic']:.3f}"
        f" p={figures['pooled_kupiec']['p_value']:.3f}"
    )
    for p in figures["portfolios"]:
        typer.echo(
            f"  {p['name']:<10} {p['exceedances']:>3}/{p['periods']} coverage {p['coverage']:.2%}"
            f"  Kupiec {p['kupiec']['statistic']:.3f} (p={p['kupiec']['p_value']:.3f})"
            f"  Christoffersen {p['christoffersen']['statistic']:.3f}"
            f" (p={p['christoffersen']['p_value']:.3f})"
        )
    for s in figures["stress_stretches"]:
        typer.echo(
            f"  stress {s['asset']} {s['start']}→{s['end']} (σ {s['realised_vol']:.2%}/day):"
            f" margin {s['margin_before']:.2%} → peak {s['margin_peak']:.2%}"
            f" → {s['margin_after']:.2%}"
        )
    typer.echo(f"wrote {out}")


@riskdesk_app.command("synthetic")
def synthetic_command(
    out: Annotated[Path, typer.Option("--out", help="directory to write")] = Path("riskdesk-data"),
) -> None:
    """Write the SYNTHETIC sample data set (history, market data, policies); deterministic."""
    from zkmargin.riskdesk.synthetic import write_all

    paths = write_all(out)
    typer.echo(f"wrote {len(paths)} SYNTHETIC files to {out}: {', '.join(p.name for p in paths)}")


def register(app: typer.Typer) -> None:
    """Attach ``zkm riskdesk`` to the root app."""
    app.add_typer(
        riskdesk_app, name="riskdesk", help="Calibrate, sign, check and backtest snapshots."
    )
