"""The backtest's HTML report: verdict, test table, stress stretches and one chart per asset.

A single self-contained page (inline CSS and SVG, no scripts) so it can be archived with
the snapshot it judges. Every text that comes from an input file is HTML-escaped.
"""

from __future__ import annotations

from dataclasses import asdict
from html import escape
from typing import Any

from zkmargin.riskdesk.backtest import BacktestResult, PortfolioResult, StressStretch
from zkmargin.riskdesk.svg_lines import LossChart, loss_chart

CSS = """
body{font-family:system-ui,sans-serif;margin:24px;color:#111827;max-width:920px}
table{border-collapse:collapse;margin:8px 0 20px}
th,td{padding:4px 10px;border-bottom:1px solid #e5e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}.verdict{padding:10px 14px;border-radius:6px}
.ok{background:#dcfce7}td{white-space:nowrap}.bad{background:#fee2e2}.note{color:#4b5563;font-size:13px}
"""
SIGNIFICANCE = 0.05


def _verdict(result: BacktestResult) -> tuple[str, bool]:
    coverage = 1 - result.exceedances / result.n
    rejected = [p.name for p in result.portfolios if p.kupiec.p_value < SIGNIFICANCE]
    text = (
        f"Coverage {coverage:.2%} over {result.n:,} periods (target {result.target:.2%});"
        f" Kupiec rejects {len(rejected)} of {len(result.portfolios)} portfolios at 5 %"
    )
    return text, not rejected


def _portfolio_row(p: PortfolioResult) -> str:
    def cell(value: float) -> str:
        return f"{value:.3f}"

    status = "bad" if min(p.kupiec.p_value, p.christoffersen.p_value) < SIGNIFICANCE else ""
    return (
        f'<tr class="portfolio {status}" data-name="{escape(p.name)}"><td>{escape(p.name)}</td>'
        f"<td>{p.n}</td><td>{p.exceedances}</td><td>{p.coverage:.2%}</td>"
        f"<td>{cell(p.kupiec.statistic)}</td><td>{cell(p.kupiec.p_value)}</td>"
        f"<td>{cell(p.christoffersen.statistic)}</td><td>{cell(p.christoffersen.p_value)}</td></tr>"
    )


def _stretch_row(s: StressStretch) -> str:
    return (
        f'<tr class="stretch"><td>{escape(s.asset)}</td>'
        f"<td>{escape(s.start)} → {escape(s.end)}</td>"
        f"<td>{s.realised_vol:.2%}</td><td>{s.margin_before:.2%}</td>"
        f"<td>{s.margin_peak:.2%} ({escape(s.peak_date)})</td><td>{s.margin_after:.2%}</td></tr>"
    )


def _charts(result: BacktestResult) -> str:
    parts = []
    for path, stretch in zip(result.paths, result.stretches, strict=True):
        inside = [k for k, d in enumerate(path.dates) if stretch.start <= d <= stretch.end]
        band = (inside[0], inside[-1]) if inside else None
        for portfolio in result.portfolios:
            if portfolio.asset != path.asset or portfolio.side < 0:
                continue
            # one chart per asset: the long loss; short losses are the mirror image
            chart = LossChart(
                f"chart-{path.asset}",
                f"{path.asset}: maintenance margin vs {result.horizon_days}-day loss, long unit",
                path.dates,
                path.margin,
                portfolio.losses,
                [
                    a or b
                    for a, b in zip(portfolio.hits, _short_hits(result, path.asset), strict=True)
                ],
                band,
            )
            parts.append(f"<h3>{escape(path.asset)}</h3>{loss_chart(chart)}")
    return "".join(parts)


def _short_hits(result: BacktestResult, asset: str) -> list[bool]:
    return next(p.hits for p in result.portfolios if p.asset == asset and p.side < 0)


def render_html(result: BacktestResult) -> str:
    """Return the report page."""
    verdict, ok = _verdict(result)
    rows = "".join(_portfolio_row(p) for p in result.portfolios)
    pooled = result.pooled_kupiec
    stretches = "".join(_stretch_row(s) for s in result.stretches)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Margin backtest — {escape(result.policy)}</title><style>{CSS}</style></head><body>"
        f'<h1 id="title">Margin backtest — {escape(result.policy)}</h1>'
        f'<p id="verdict" class="verdict {"ok" if ok else "bad"}">{escape(verdict)}</p>'
        f'<p class="note">Maintenance margin at {result.target:.2%} over non-overlapping'
        f" {result.horizon_days}-day periods; an exceedance is a loss above the margin held."
        f" Pooled Kupiec LR {pooled.statistic:.3f} (p = {pooled.p_value:.3f}), pooled over"
        " correlated portfolios.</p>"
        '<h2>Portfolios</h2><table id="portfolios"><thead><tr><th>portfolio</th><th>periods</th>'
        "<th>exceedances</th><th>coverage</th><th>Kupiec LR</th><th>p</th>"
        f"<th>Christoffersen LR</th><th>p</th></tr></thead><tbody>{rows}</tbody></table>"
        '<h2>Most volatile stretch per asset</h2><table id="stretches"><thead><tr><th>asset</th>'
        "<th>window</th><th>realised σ/day</th><th>margin before</th><th>peak margin</th>"
        f"<th>margin after</th></tr></thead><tbody>{stretches}</tbody></table>"
        "<h2>Margin vs realised loss</h2><p class='note'>Blue line: maintenance fraction; dots:"
        " realised loss of a long unit (below zero: a gain, i.e. a short's loss; dashed: the"
        " margin a short holds); red: an exceedance (long or short);"
        f" yellow: the most volatile stretch.</p>{_charts(result)}</body></html>\n"
    )


def summary(result: BacktestResult) -> dict[str, Any]:
    """Return the backtest's figures as plain JSON data."""
    return {
        "policy": result.policy,
        "target": result.target,
        "horizon_days": result.horizon_days,
        "periods": result.n,
        "exceedances": result.exceedances,
        "coverage": 1 - result.exceedances / result.n,
        "pooled_kupiec": asdict(result.pooled_kupiec),
        "portfolios": [
            {
                "name": p.name,
                "periods": p.n,
                "exceedances": p.exceedances,
                "coverage": p.coverage,
                "kupiec": asdict(p.kupiec),
                "christoffersen": asdict(p.christoffersen),
            }
            for p in result.portfolios
        ],
        "stress_stretches": [asdict(s) for s in result.stretches],
    }
