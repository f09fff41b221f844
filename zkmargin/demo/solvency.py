"""The demo's last act: the venue proves the epoch's solvency, freezes its registry at the
service and posts the bundle (verified on arrival); an auditor verifies it independently
against the frozen registry; the clearing protocol reads the verdict back.

The venue's reserves are its own claim (110 % of what it owes, here); the proof covers the
liabilities side. Keys are the UNSAFE dev setup, like the rest of the demo's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from api.auth import Role
from api.client import ZkmClient
from api.solvency_schemas import SolvencySummary
from circuits.margin.model import MarketSnapshot, Opening
from circuits.margin.sizes import get_size
from zkmargin.demo.actors import VENUE, DemoCheckError
from zkmargin.demo.narrator import Narrator
from zkmargin.demo.server import InProcessService
from zkmargin.solvency.bundle import bundle_json
from zkmargin.solvency.keys import VK_NAME, SolvencyShape, load_verifying_key, setup_keys
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
    service: InProcessService,
) -> SolvencyReport:
    """Prove the epoch's solvency over every registered account, freeze the registry and post
    the bundle to the service, verify it as an auditor, read the verdict as the clearing
    protocol, and tell it."""
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
    story.say("venue", f"proved epoch {snapshot.epoch}'s solvency over {totals.count} accounts"
                       f" in {outcome.statement.n_chunks} chunk proofs → {bundle}")  # fmt: skip
    posted = _post_bundle(service, keys, bundle, snapshot.epoch, reserves, story)
    with ZkmClient(service.url, service.issue_key(Role.AUDITOR, label="demo auditor")) as auditor:
        registry = {int(c) for c in auditor.registry(snapshot.epoch, VENUE).commitments}
    report = verify_bundle(
        bundle, load_verifying_key(keys), snapshot, reserves=reserves, insurance=0,
        registry=registry,
    )  # fmt: skip
    story.say(
        "auditor",
        f"verified the solvency bundle against the service's frozen registry in"
        f" {report.seconds:.2f} s: liabilities {totals.liabilities:,} + deficit"
        f" {totals.deficit:,} QQ vs reserves {reserves:,} (the venue's claim) →"
        f" {report.verdict()}; at risk {totals.at_risk:,}, maintenance {totals.maintenance:,}",
    )
    with ZkmClient(service.url, service.issue_key(Role.CLEARING, label="demo clearing")) as c:
        read = c.solvency_summary(snapshot.epoch, VENUE)
    if read.verdict != posted.verdict or read.verdict != report.verdict():
        raise DemoCheckError("the service's solvency verdict differs from the auditor's")
    if not read.declared:
        raise DemoCheckError("the service's solvency verdict is not under the declared circuit")
    story.say("clearing", f"read venue {VENUE}'s epoch-{snapshot.epoch} solvency from the"
                          f" service: [bold]{read.verdict}[/], surplus {int(read.surplus):,} QQ"
                          f" over {read.n_accounts} accounts, list root"
                          f" {read.list_root[:6]}…{read.list_root[-6:]}, under the admin's"
                          f" declared circuit {read.circuit.circuit_id}")  # fmt: skip
    return report


def _post_bundle(
    service: InProcessService,
    keys: Path,
    bundle: Path,
    epoch: int,
    reserves: int,
    story: Narrator,
) -> SolvencySummary:
    """As the admin, register the solvency circuit's key and declare it the circuit that
    counts for solvency bundles at ``epoch``; as the venue, freeze the epoch's registry and
    post the bundle, which the service verifies before storing it."""
    vk_json = json.loads((keys / VK_NAME).read_text())
    circuit_id = f"solvency-{load_verifying_key(keys).fingerprint()[:12]}"
    with ZkmClient(service.url, service.issue_key(Role.ADMIN, label="demo admin")) as admin:
        circuit = admin.register_circuit(
            circuit_id,
            vk_json,
            margin=False,
            provenance="dev",
            description="zkm demo SolvencyChunk, UNSAFE dev setup",
        )
        admin.declare_solvency_circuit(
            circuit_id, from_epoch=epoch, to_epoch=epoch, fingerprint=circuit.fingerprint
        )
    key = service.issue_key(Role.VENUE, label="demo venue", venue=VENUE)
    with ZkmClient(service.url, key) as venue:
        frozen = venue.freeze_registry(epoch)
        posted = venue.post_solvency(
            epoch, bundle_json(bundle), circuit_id=circuit_id, reserves=reserves, insurance=0
        )
    story.say(
        "venue",
        f"froze its epoch-{epoch} registry ({frozen.n_commitments} commitments; no registration"
        " or void accepted after the cut-off) and posted the bundle: the service verified it on"
        f" arrival → {posted.verdict}",
    )
    return posted
