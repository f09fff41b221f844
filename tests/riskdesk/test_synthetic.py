"""The shipped synthetic data set is exactly what its generator writes, and stays small."""

from __future__ import annotations

from pathlib import Path

from tests.riskdesk.helpers import DATA
from zkmargin.cli import main
from zkmargin.riskdesk.synthetic import write_all


def test_generator_reproduces_the_shipped_files(tmp_path: Path) -> None:
    written = write_all(tmp_path)
    assert {p.name for p in written} == {p.name for p in DATA.iterdir()}
    for path in written:
        assert path.read_bytes() == (DATA / path.name).read_bytes(), path.name


def test_data_set_is_small_and_labelled() -> None:
    assert sum(p.stat().st_size for p in DATA.iterdir()) < 300_000
    for name in ("market.json", "market-tiny.json"):
        assert "SYNTHETIC" in (DATA / name).read_text()


def test_cli_writes_the_same_data_set(tmp_path: Path) -> None:
    assert main(["riskdesk", "synthetic", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "history.csv").read_bytes() == (DATA / "history.csv").read_bytes()
