"""Backtest: Kupiec and Christoffersen against hand-computed values, exceedance detection on a
planted crash, the shipped history's coverage, and the HTML report in headless Chromium."""

from __future__ import annotations

import subprocess
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import require_executable
from tests.riskdesk.helpers import HISTORY, policy
from zkmargin.riskdesk.backtest import BacktestResult, run_backtest
from zkmargin.riskdesk.backtest_report import render_html
from zkmargin.riskdesk.coverage_tests import (
    christoffersen_independence,
    kupiec_pof,
    transition_counts,
)
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.loading import PriceHistory, load_history

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def test_kupiec_matches_the_hand_computed_value() -> None:
    # n = 250, x = 5, p = 0.01:
    # −2[245·ln 0.99 + 5·ln 0.01] + 2[245·ln 0.98 + 5·ln 0.02]
    # = −2(−2.462334 − 23.025851) + 2(−4.949665 − 19.560115) = 1.956810; χ²(1) p = 0.16189
    lr = kupiec_pof(250, 5, 0.01)
    assert lr.statistic == pytest.approx(1.95681, abs=2e-5)
    assert lr.p_value == pytest.approx(0.16189, abs=2e-4)


def test_kupiec_is_zero_at_the_target_rate_and_handles_no_exceedance() -> None:
    assert kupiec_pof(1000, 10, 0.01).statistic == pytest.approx(0.0, abs=1e-9)
    assert kupiec_pof(1000, 10, 0.01).p_value == pytest.approx(1.0)
    # x = 0: LR = −2·n·ln(1 − p) = −2·500·ln 0.99 = 10.050336
    assert kupiec_pof(500, 0, 0.01).statistic == pytest.approx(10.050336, abs=1e-6)


def test_christoffersen_matches_the_hand_computed_value() -> None:
    hits = [False] * 4 + [True] * 3 + [False] * 3
    assert transition_counts(hits) == (5, 1, 1, 2)
    # π = 1/3, π01 = 1/6, π11 = 2/3:
    # −2[6·ln(2/3) + 3·ln(1/3)] + 2[5·ln(5/6) + ln(1/6) + ln(1/3) + 2·ln(2/3)] = 2.231436
    lr = christoffersen_independence(hits)
    assert lr.statistic == pytest.approx(2.231436, abs=1e-6)
    assert lr.p_value == pytest.approx(0.13522, abs=2e-4)


def test_christoffersen_is_zero_when_exceedances_do_not_cluster() -> None:
    hits = [bool(b) for b in (0, 0, 1, 1, 0, 0, 0, 1, 0, 0)]
    assert transition_counts(hits) == (4, 2, 2, 1)
    assert christoffersen_independence(hits).statistic == pytest.approx(0.0, abs=1e-12)


def test_planted_crash_is_the_only_exceedance_and_only_for_longs() -> None:
    closes, price = [], 100.0
    for day in range(401):
        closes.append(price)
        price *= 1.01 if day % 2 else 0.99
    closes.append(closes[-1] * 0.70)  # a 30 % crash on the last evaluation period
    closes.append(closes[-1])
    history = PriceHistory([f"d{k:04d}" for k in range(len(closes))], {"X": closes})
    result = run_backtest(history, policy(), warmup=250)
    long, short = result.portfolios
    assert long.hits[-1] and long.exceedances == 1
    assert short.exceedances == 0
    assert long.losses[-1] == pytest.approx(0.30)


def test_too_short_history_is_refused() -> None:
    history = PriceHistory(["a", "b"], {"X": [1.0, 2.0]})
    with pytest.raises(RiskInputError, match="backtest: need a warm-up"):
        run_backtest(history, policy(), warmup=250)


def test_history_csv_defects_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("date,X\n2024-01-01,1\n2024-01-02,-3\n")
    with pytest.raises(RiskInputError, match="line 3 X: close must be positive"):
        load_history(path)
    path.write_text("day,X\n")
    with pytest.raises(RiskInputError, match="expected a header 'date,ASSET"):
        load_history(path)


@cache
def shipped() -> BacktestResult:
    return run_backtest(load_history(HISTORY), policy())


def test_shipped_history_is_covered_near_the_target() -> None:
    result = shipped()
    assert len(result.portfolios) == 8
    assert result.n == 8 * 605
    coverage = 1 - result.exceedances / result.n
    assert 0.985 < coverage < 0.999
    assert all(p.kupiec.p_value > 0.01 for p in result.portfolios)


def test_margins_rise_through_the_most_volatile_stretch() -> None:
    for stretch in shipped().stretches:
        assert stretch.margin_peak >= stretch.margin_before
        assert stretch.realised_vol > 0.09  # the planted crash: ≥ 9 %/day


class Elements(HTMLParser):
    """Collects start tags with attributes and the text of elements with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "p" and "id" in attributes:
            self._open.append(attributes["id"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for name in self._open:
            self.text[name] = self.text.get(name, "") + data

    def count(self, tag: str, cls: str) -> int:
        return sum(1 for t, a in self.tags if t == tag and a.get("class", "").split()[:1] == [cls])


def test_html_report_renders_in_chromium(tmp_path: Path) -> None:
    chromium = require_executable("chromium")
    result = shipped()
    page = tmp_path / "backtest.html"
    page.write_text(render_html(result))
    raw = page.read_text()
    assert "<script" not in raw and "https://" not in raw
    dom_text = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    dom = Elements()
    dom.feed(dom_text)
    coverage = 1 - result.exceedances / result.n
    assert dom.text["verdict"].startswith(f"Coverage {coverage:.2%} over {result.n:,} periods")
    assert dom.count("tr", "portfolio") == 8
    assert dom.count("svg", "chart") == 4
    assert dom.count("polyline", "margin") == 4
    marked = sum(1 for t, a in dom.tags if t == "circle" and a.get("class") == "exceedance")
    expected = sum(
        sum(
            a or b
            for a, b in zip(
                result.portfolios[2 * k].hits, result.portfolios[2 * k + 1].hits, strict=True
            )
        )
        for k in range(4)
    )
    assert marked == expected > 0
    assert dom.count("rect", "stress") == 4
