"""The demo's last act: the venue proves the epoch's solvency and an auditor verifies it.

The venue's reserves are its own claim (110 % of what it owes, here); the proof covers the
liabilities side. Keys are the UNSAFE dev setup, like the rest of the demo's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from circuits.margin.model import MarketSnapshot, Opening
from circuits.margin.sizes import get_size
from zkmargin.demo.narrator import Narrator
from zkmargin.solvency.keys import SolvencyShape, load_verifying_key, setup_keys
from zkmargin.solvency.prove import prove_epoch
from zkmargin.solvency.verify import SolvencyReport, verify_bundle

DEMO_CHUNKS = {"tiny": 4}
"""Accounts per chunk filling a 2^16 domain at tiny (docs/solvency.md); 2 for larger sizes."""


def venue_solvency(
    out: Path,
    size: str,
    snapshot: MarketSnapshot,
    openings: Mapping[str, Opening],
    story: Narrator,
) -> SolvencyReport:
    """Prove the epoch's solvency over every registered account, verify it, tell the verdict."""
    shape = SolvencyShape(get_size(size), DEMO_CHUNKS.get(size, 2))
    keys = out / "solvency-keys"
    with story.progress_console.status("venue: solvency keys (UNSAFE dev setup)"):
        setup_keys(shape, keys)
    bundle = out / "solvency"
    n_chunks = -(-len(openings) // shape.chunk)
    with story.bar("venue: proving solvency", n_chunks) as advance:

        def step(done: int) -> None:
            for _ in range(done):
                advance()

        outcome = prove_epoch(
            list(openings.values()), snapshot, keys, bundle, epoch=snapshot.epoch, advance=step
        )
    totals = outcome.statement.totals
    owed = totals.liabilities + totals.deficit
    reserves = owed + owed // 10
    report = verify_bundle(
        bundle, load_verifying_key(keys), snapshot, reserves=reserves, insurance=0,
        registry={o.commitment for o in openings.values()},
    )  # fmt: skip
    story.say("venue", f"proved epoch {snapshot.epoch}'s solvency over {totals.count} accounts"
                       f" in {outcome.statement.n_chunks} chunk proofs → {bundle}")  # fmt: skip
    story.say(
        "auditor",
        f"verified the solvency bundle in {report.seconds:.2f} s: liabilities"
        f" {totals.liabilities:,} + deficit {totals.deficit:,} QQ vs reserves {reserves:,}"
        f" (the venue's claim) → {report.verdict()}; at risk {totals.at_risk:,},"
        f" maintenance {totals.maintenance:,}",
    )
    return report
