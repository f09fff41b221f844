"""``zkm demo``'s market comes from the risk desk: signed, and reproducible from its files."""

from __future__ import annotations

from pathlib import Path

from circuits.margin.sizes import TINY, check_fits
from zkmargin.cli import main
from zkmargin.demo.riskdesk import risk_desk_snapshot


def test_demo_snapshot_is_signed_and_reproducible_from_its_files(tmp_path: Path) -> None:
    desk = risk_desk_snapshot("tiny", 5, tmp_path)
    check_fits(desk.snapshot, TINY)
    assert desk.snapshot.epoch == 5 and "EWMA" in desk.describe_policy()
    files = desk.directory
    assert (
        main(
            [
                "riskdesk",
                "check",
                str(files / "market.json"),
                str(files / "snapshot.json"),
                "--policy",
                str(files / "policy.json"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "riskdesk",
                "verify-signature",
                str(files / "snapshot.json"),
                "--public-key",
                str(files / "oracle.pub.pem"),
                "--market",
                str(files / "market.json"),
                "--policy",
                str(files / "policy.json"),
            ]
        )
        == 0
    )
