"""The HTML report renders in headless Chromium with the audit's counts, invalid ids and charts."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path

from tests.audit.fixtures import Entry, break_pairing, off_curve_json, write_jsonl, write_vk
from tests.conftest import require_executable
from tests.verifier.vectors import ToyKey, toy_proofs
from zkmargin.cli import main

HOSTILE_ID = '<img src=x onerror="alert(1)">'
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


class Elements(HTMLParser):
    """Collects every start tag with its attributes, and the text inside chosen elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self._open.append(attributes["id"])
            self.text_by_id.setdefault(attributes["id"], "")

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag in {"h1", "tr", "table", "section", "svg"}:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element_id in self._open:
            self.text_by_id[element_id] += data

    def find(self, tag: str, **attributes: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.tags
            if t == tag
            and all(a.get(k.rstrip("_").replace("_", "-")) == v for k, v in attributes.items())
        ]


def dump_dom(chromium: str, page: Path, profile: Path) -> str:
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_html_report_renders_counts_invalid_ids_and_charts_in_chromium(
    key: ToyKey, pool: list[Entry], tmp_path: Path
) -> None:
    chromium = require_executable("chromium")
    lines = [entry.to_json() for entry in pool[:60]]
    lines[4] = break_pairing(pool[4]).to_json()
    lines[9] = off_curve_json(pool[9]) | {"id": HOSTILE_ID}
    page = tmp_path / "audit.html"
    vk = write_vk(tmp_path / "vk.json", key)
    source = write_jsonl(tmp_path / "p.jsonl", lines)
    assert main(["audit", "--vk", str(vk), str(source), "--html", str(page), "-q"]) == 1
    raw = page.read_text()
    assert "http://" not in raw.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in raw and "<script" not in raw and "<link" not in raw

    dom = Elements()
    dom.feed(dump_dom(chromium, page, tmp_path / "profile"))
    assert dom.text_by_id["verdict"] == "2 of 60 proofs invalid"
    assert "58" in dom.text_by_id["row-valid"] and "60" in dom.text_by_id["row-checked"]
    assert [row["data-id"] for row in dom.find("tr", class_="invalid-row")] == [
        "p00004",
        HOSTILE_ID,
    ]
    assert not dom.find("img"), "a hostile id must be escaped, not rendered"
    assert dom.find("svg", id="compliance-chart") and dom.find("svg", id="buffer-chart")
    valid_bars = {r["data-row"]: int(r["data-count"]) for r in dom.find("rect", class_="seg valid")}
    invalid_bars = {
        r["data-row"]: int(r["data-count"]) for r in dom.find("rect", class_="seg invalid")
    }
    assert valid_bars == {"epoch 100": 19, "epoch 101": 19, "epoch 102": 20}
    assert invalid_bars == {"epoch 100": 1, "epoch 101": 1}
    buffer_total = sum(
        int(r["data-count"])
        for t, r in dom.tags
        if t == "rect" and r.get("class", "").startswith("seg bin-")
    )
    assert buffer_total == 58


def test_html_for_a_non_margin_key_shows_validity_without_buffers(tmp_path: Path) -> None:
    from algebra.backend import get_backend
    from tests.verifier.vectors import random_inputs, toy_key
    from verifier.audit.items import AuditItem
    from zkmargin.audit.html_report import render_html
    from zkmargin.audit.run import AuditOptions, run_audit

    key = toy_key(get_backend("native"), 2, seed=4)
    inputs = random_inputs(5, 2, seed=5)
    proofs = toy_proofs(get_backend("native"), key, inputs, seed=6)
    items = [
        AuditItem(i, f"x{i}", p, tuple(x))
        for i, (p, x) in enumerate(zip(proofs, inputs, strict=True))
    ]
    report = run_audit(key.vk, items, source="memory", options=AuditOptions())
    page = render_html(report)
    assert 'id="compliance-chart"' in page and 'id="buffer-chart"' not in page
    assert 'data-row="all proofs" data-count="5"' in page
    assert report.to_json()["epochs"] == [
        {"label": "all proofs", "epoch": None, "valid": 5, "invalid": 0}
    ]
