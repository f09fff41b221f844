"""A self-contained HTML page of a solvency report (no scripts, no external assets)."""

from __future__ import annotations

from html import escape

from zkmargin.solvency.verify import SolvencyReport

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;color:#222}"
    "table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd;"
    "text-align:right}th{text-align:left}.ok{color:#176b2c}.bad{color:#a11}"
)


def render_html(report: SolvencyReport) -> str:
    """Return the HTML page of ``report``: verdict, totals, coverage and findings."""
    verdict = report.verdict()
    css = "ok" if verdict == "SOLVENT" else "bad"
    t = report.totals
    rows = [
        ("accounts", t.count), ("liabilities (Σ positive equity)", t.liabilities),
        ("deficit (Σ negative equity)", t.deficit), ("at risk (Σ max(0, MM − equity))", t.at_risk),
        ("maintenance requirement", t.maintenance), ("initial requirement", t.initial),
        ("reserves (venue's claim)", report.reserves), ("insurance fund", report.insurance),
        ("liabilities + deficit", report.covered),
        ("surplus", report.reserves + report.insurance - report.covered),
    ]  # fmt: skip
    body = "".join(f"<tr><th>{escape(k)}</th><td>{v:,}</td></tr>" for k, v in rows)
    registry = (
        "The commitment list was checked against the service's registry for the epoch."
        if report.registry_checked
        else "The commitment list was NOT checked against a registry (no --registry or --service)."
    )
    findings = "".join(f"<li>{escape(f)}</li>" for f in report.findings) or "<li>none</li>"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Solvency epoch {report.epoch}"
        f"</title><style>{_STYLE}</style></head><body>"
        f"<h1>Epoch {report.epoch}: <span class='{css}'>{verdict}</span></h1>"
        f"<p>{report.n_chunks} chunk proofs over {report.n_accounts} committed accounts; list root"
        f" <code>{report.list_root}</code>; key"
        f" <code>{escape(report.key_fingerprint[:16])}…</code>;"
        f" verified in {report.seconds:.2f} s.</p><table>{body}</table>"
        f"<p>{registry}</p><h2>Findings</h2><ul>{findings}</ul>"
        "<p>Reserves and insurance are the venue's figures, not proven here.</p></body></html>\n"
    )
