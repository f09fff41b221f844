"""The audit report as one self-contained HTML page: inline CSS, inline SVG, no scripts.

The page states the verdict, a summary table (counts, backend, method, key fingerprint,
timing), a chart of compliance per epoch, for margin keys a chart of the buffer
distribution of valid proofs per epoch, and the table of invalid proofs with reasons.
Everything from the source (ids, reasons, labels) is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from zkmargin.audit.report import AuditReport
from zkmargin.audit.stats import EpochStats, buffer_bin_labels
from zkmargin.audit.svg import Row, Segment, legend, stacked_bars

MAX_INVALID_ROWS = 1000
VALID_COLOUR = "#2e7d32"
INVALID_COLOUR = "#c62828"
BUFFER_COLOURS = ("#b71c1c", "#ef6c00", "#f9a825", "#c0ca33", "#43a047", "#1e88e5", "#3949ab")

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;
color:#1a1a1a;padding:0 1rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.15rem;margin-top:2rem}
.verdict{padding:1rem 1.2rem;border-radius:.5rem;color:#fff}
.verdict.ok{background:#2e7d32}.verdict.bad{background:#c62828}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f4f4f4}td.reason{font-family:ui-monospace,monospace;word-break:break-word}
code{font-family:ui-monospace,monospace;word-break:break-all}
.chart .track{fill:#eee}.chart text{font-size:12px;fill:#333}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.8rem;font-size:.85rem}
.swatch{display:inline-block;width:.9rem;height:.9rem;margin-right:.3rem;vertical-align:middle}
footer{margin-top:2rem;font-size:.8rem;color:#666}
"""


def render_html(report: AuditReport) -> str:
    """Return the self-contained HTML page for ``report``."""
    verdict = _verdict(report)
    sections = [
        _header(report, verdict),
        _summary(report),
        _service(report.service),
        _charts(report),
        _invalid_table(report),
        "<footer>zkmargin audit report · schema zkmargin/audit-report/v1</footer>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>zkmargin audit — {escape(verdict)}</title>\n<style>{_CSS}</style>\n</head>\n"
        "<body>\n" + "\n".join(s for s in sections if s) + "\n</body>\n</html>\n"
    )


def _verdict(report: AuditReport) -> str:
    if report.all_valid:
        return f"All {report.checked:,} proofs valid"
    if not report.invalid:
        return "; ".join(report.findings)
    return f"{len(report.invalid):,} of {report.checked:,} proofs invalid"


def _header(report: AuditReport, verdict: str) -> str:
    status = "ok" if report.all_valid else "bad"
    return (
        f'<header class="verdict {status}"><h1 id="verdict">{escape(verdict)}</h1>'
        f"<div>{escape(report.source)}</div></header>"
    )


def _rows(pairs: list[tuple[str, str, str]]) -> str:
    return "".join(
        f'<tr id="{escape(key)}"><th>{escape(name)}</th><td>{value}</td></tr>'
        for key, name, value in pairs
    )


def _summary(report: AuditReport) -> str:
    kinds = report.invalid_counts()
    sample = report.sample
    pairs = [
        ("row-entries", "Entries in source", f"{report.entries:,}"),
        ("row-checked", "Proofs checked", f"{report.checked:,}"),
        ("row-valid", "Valid", f"{report.valid:,}"),
        ("row-invalid", "Invalid", f"{len(report.invalid):,}"),
        ("row-kinds", "Invalid by kind", escape(", ".join(f"{k}: {v}" for k, v in kinds.items()))),
        ("row-backend", "Backend", escape(report.backend)),
        ("row-method", "Method", escape(report.method)),
        ("row-runner", "Runner", escape(f"{report.runner}, chunks of {report.chunk_size}")),
        ("row-key", "Key fingerprint", f"<code>{escape(report.key.fingerprint)}</code>"),
        (
            "row-inputs",
            "Public inputs",
            f"{report.key.n_public}" + (" (margin layout)" if report.key.margin else ""),
        ),
        ("row-time", "Wall time", f"{report.total_seconds:.3f} s"),
        ("row-rate", "Throughput", f"{report.proofs_per_second:,.0f} proofs/s"),
        ("row-started", "Started", escape(report.started_at)),
    ]
    if sample is not None:
        text = f"random sample of {sample['requested']:,} (seed {sample['seed']})"
        pairs.insert(2, ("row-sample", "Sample", escape(text)))
    return f'<section id="summary"><h2>Summary</h2><table>{_rows(pairs)}</table></section>'


def _service(service: dict[str, Any] | None) -> str:
    if not service:
        return ""
    pairs = [
        (f"service-{key}", key.replace("_", " "), escape(str(value)))
        for key, value in service.items()
    ]
    return f'<section id="service"><h2>Service records</h2><table>{_rows(pairs)}</table></section>'


def _compliance_rows(epochs: list[EpochStats]) -> list[Row]:
    return [
        Row(
            stats.label,
            [
                Segment(
                    "valid", stats.valid, VALID_COLOUR, f"{stats.label}: {stats.valid:,} valid"
                ),
                Segment(
                    "invalid",
                    stats.invalid,
                    INVALID_COLOUR,
                    f"{stats.label}: {stats.invalid:,} invalid",
                ),
            ],
            note=f"{stats.valid:,} valid · {stats.invalid:,} invalid",
        )
        for stats in epochs
    ]


def _buffer_rows(epochs: list[EpochStats]) -> list[Row]:
    labels = buffer_bin_labels()
    return [
        Row(
            stats.label,
            [
                Segment(
                    f"bin-{k}", count, BUFFER_COLOURS[k], f"{stats.label}: {count:,} at {labels[k]}"
                )
                for k, count in enumerate(stats.buffers)
            ],
        )
        for stats in epochs
    ]


def _charts(report: AuditReport) -> str:
    parts = [
        '<section id="charts"><h2>Compliance per epoch</h2>',
        stacked_bars(
            "compliance-chart",
            "Valid and invalid proofs per epoch",
            _compliance_rows(report.epochs),
        ),
        legend([("valid", VALID_COLOUR, "valid"), ("invalid", INVALID_COLOUR, "invalid")]),
    ]
    if report.key.margin:
        parts += [
            "<h2>Buffer distribution of valid proofs per epoch</h2>",
            "<p>buffer = proven equity ÷ requirement (public input buffer_ppm / 10⁶)</p>",
            stacked_bars(
                "buffer-chart", "Buffer distribution per epoch", _buffer_rows(report.epochs)
            ),
            legend(
                [
                    (f"bin-{k}", BUFFER_COLOURS[k], label)
                    for k, label in enumerate(buffer_bin_labels())
                ]
            ),
        ]
    parts.append("</section>")
    return "\n".join(parts)


def _invalid_table(report: AuditReport) -> str:
    if report.all_valid:
        return '<section id="invalid"><h2>Invalid proofs</h2><p>None.</p></section>'
    rows = "".join(
        f'<tr class="invalid-row" data-id="{escape(entry.item_id)}">'
        f"<td>{escape(entry.item_id)}</td><td>{entry.position}</td><td>{escape(entry.kind)}</td>"
        f"<td>{'' if entry.epoch is None else entry.epoch}</td>"
        f'<td class="reason">{escape(entry.reason)}</td></tr>'
        for entry in report.invalid[:MAX_INVALID_ROWS]
    )
    more = len(report.invalid) - MAX_INVALID_ROWS
    note = f"<p>… and {more:,} more in the JSON report.</p>" if more > 0 else ""
    return (
        f'<section id="invalid"><h2>Invalid proofs ({len(report.invalid):,})</h2>'
        '<table id="invalid-table"><thead><tr><th>id</th><th>position</th><th>kind</th>'
        f"<th>epoch</th><th>reason</th></tr></thead><tbody>{rows}</tbody></table>{note}</section>"
    )
