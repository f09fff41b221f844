"""The demo's closing summary: a rich table of counts and timings, per-account verdicts,
and a JSON file with the same numbers (``summary.json``; no positions, no salts)."""

from __future__ import annotations

import json
import statistics
from typing import Any, Final

from rich.console import Console
from rich.table import Table

from zkmargin.demo.outcome import AccountOutcome, DemoResult

MAX_ACCOUNT_ROWS: Final = 24


def prove_times(result: DemoResult) -> list[float]:
    """Return the solve + prove wall times of every account that proved."""
    return [a.prove_seconds for a in result.accounts if a.prove_seconds is not None]


def summary_json(result: DemoResult) -> dict[str, Any]:
    """Return the summary's numbers as JSON-ready data."""
    times = prove_times(result)
    audit = result.audit
    return {
        "ok": result.ok,
        "epoch": result.epoch,
        "size": result.size,
        "constraints": result.keys.n_constraints,
        "setup": result.keys.how,
        "statement": result.statement,
        "accounts": len(result.accounts),
        "reference_compliant": sum(a.reference_compliant for a in result.accounts),
        "service": result.service_counts,
        "verdicts_matching_reference": sum(a.matches for a in result.accounts),
        "prove_seconds": {
            "mean": statistics.fmean(times) if times else None,
            "min": min(times, default=None),
            "max": max(times, default=None),
        },
        "cheat_refused": None if result.cheat is None else result.cheat.refused,
        "audit": None if audit is None else {
            "checked": audit.checked,
            "valid": audit.valid,
            "invalid": len(audit.invalid),
            "disagreements": len(audit.disagreements),
            "proofs_per_second": audit.proofs_per_second,
            "batch_verify_proofs_per_second": result.batch_rate,
        },
        "html_report": str(result.html_report) if result.html_report else None,
        "timings_seconds": result.timings,
    }  # fmt: skip


def _times_text(times: list[float]) -> str:
    if not times:
        return "no proofs"
    return (
        f"{statistics.fmean(times):.2f} s mean (min {min(times):.2f} s,"
        f" max {max(times):.2f} s; witness + Groth16)"
    )


def summary_table(result: DemoResult) -> Table:
    """Return the headline table: accounts, verdicts, timings, audit, report location."""
    counts = result.service_counts
    matching = sum(a.matches for a in result.accounts)
    reference = sum(a.reference_compliant for a in result.accounts)
    table = Table(title=f"zkm demo — epoch {result.epoch}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("accounts", str(len(result.accounts)))
    table.add_row("statement proved", result.statement)
    table.add_row("compliant", f"{counts.get('compliant', 0)} (reference engine: {reference})")
    table.add_row("non-compliant", str(counts.get("non_compliant", 0)))
    table.add_row("missing (no proof exists)", str(counts.get("missing", 0)))
    colour = "green" if matching == len(result.accounts) else "red"
    table.add_row("verdicts = reference", f"[{colour}]{matching}/{len(result.accounts)}[/]")
    table.add_row("proving time per account", _times_text(prove_times(result)))
    if result.cheat is not None:
        table.add_row("replayed proof", "refused" if result.cheat.refused else "[red]accepted[/]")
    if result.audit is not None:
        audit = result.audit
        verdict = "all valid" if audit.all_valid else f"[red]{len(audit.invalid)} invalid[/]"
        table.add_row("audit", f"{audit.checked} proofs, {verdict}")
        table.add_row("audit throughput", f"{audit.proofs_per_second:,.0f} proofs/s end to end;"
                      f" batch verification alone {result.batch_rate:,.0f} proofs/s")  # fmt: skip
    table.add_row("keys", result.keys.how)
    table.add_row("total time", f"{result.timings.get('total', 0.0):.1f} s")
    table.add_row("HTML audit report", str(result.html_report))
    return table


def _account_row(outcome: AccountOutcome) -> tuple[str, str, str, str, str]:
    reference = "compliant" if outcome.reference_compliant else "not compliant"
    if outcome.prove_seconds is not None:
        proof = f"{outcome.prove_seconds:.2f} s"
    else:
        proof = "none (circuit refuses)" if outcome.circuit_refused else "[red]none[/]"
    match = "[green]yes[/]" if outcome.matches else "[bold red]NO[/]"
    return outcome.account_id, reference, proof, outcome.status or "?", match


def accounts_table(result: DemoResult) -> Table:
    """Return one row per account: reference verdict, proving time, service status, match."""
    table = Table(title="per account", title_justify="left")
    for name in ("account", "reference engine", "proof", "service status", "matches"):
        table.add_column(name)
    for outcome in result.accounts:
        table.add_row(*_account_row(outcome))
    return table


def print_summary(result: DemoResult, console: Console) -> None:
    """Print the tables (per-account rows for small demos) and write ``summary.json``."""
    console.print()
    if len(result.accounts) <= MAX_ACCOUNT_ROWS:
        console.print(accounts_table(result))
    else:
        mismatched = [a for a in result.accounts if not a.matches]
        if mismatched:
            console.print(
                f"[red]mismatched accounts:[/] {', '.join(a.account_id for a in mismatched)}"
            )
    console.print(summary_table(result))
    path = result.out_dir / "summary.json"
    path.write_text(json.dumps(summary_json(result), indent=2) + "\n")
    if result.ok:
        console.print(f"[bold green]OK[/]: every verdict matches the reference engine; numbers"
                      f" in {path}")  # fmt: skip
    else:
        console.print("[bold red]FAILED[/]: some verdict differs from the reference engine or"
                      " a check did not hold (see above)")  # fmt: skip
