"""The demo's market: a snapshot calibrated, signed and re-checked by the risk desk.

The risk desk (:mod:`zkmargin.riskdesk`) builds the epoch's snapshot from the SYNTHETIC
sample market data under the sample policy (tiny market for the tiny circuit), signs it
with a fresh Ed25519 oracle key, then does what any outsider can: verifies the signature
and its bindings and recomputes the snapshot from the published inputs. Everything lands
in ``OUT/riskdesk/`` so ``zkm riskdesk check`` can be run on it by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from circuits.margin.model import MarketSnapshot
from zkmargin.riskdesk.build import build_snapshot
from zkmargin.riskdesk.canonical import canonical_json
from zkmargin.riskdesk.errors import NotReproducibleError
from zkmargin.riskdesk.loading import load_market, load_policy
from zkmargin.riskdesk.schemas import Policy
from zkmargin.riskdesk.signing import generate_key_pair, sign_snapshot, verify_signed_snapshot
from zkmargin.riskdesk.synthetic import documents

EPOCH_STEP_SECONDS = 3_600


@dataclass(frozen=True)
class DeskSnapshot:
    """The built snapshot and what the demo tells about it."""

    snapshot: MarketSnapshot
    policy: Policy
    signer_key_id: str
    directory: Path

    def describe_policy(self) -> str:
        """Return one line summarising the policy."""
        p = self.policy
        model = (
            f"EWMA λ={p.volatility.ewma_lambda}" if p.volatility.model == "ewma" else "GARCH(1,1)"
        )
        return (
            f"policy {p.name}: {model} volatility, maintenance at {p.maintenance.confidence:.0%}"
            f" over {p.maintenance.mpor_days} days, initial at {p.initial.confidence:.1%} over"
            f" {p.initial.mpor_days}, {p.anti_procyclicality.buffer_fraction:.0%}"
            " anti-procyclicality buffer, depth tiers, Black-76 option risk arrays"
        )


def risk_desk_snapshot(size: str, epoch: int, out: Path) -> DeskSnapshot:
    """Build, sign, verify and re-check the demo's snapshot for ``epoch`` at ``size``."""
    docs = documents()
    market_doc = dict(docs["market-tiny.json" if size == "tiny" else "market.json"])
    # Each epoch's snapshot must be newer than the last one of the market (the service
    # refuses relabelled snapshots), so on a shared database the demo dates the sample
    # inputs one hour later per epoch after the first.
    market_doc["as_of"] += EPOCH_STEP_SECONDS * max(0, epoch - 1)
    policy_doc = {**docs["policy-tiny.json" if size == "tiny" else "policy.json"], "size": size}
    market, policy = load_market(market_doc), load_policy(policy_doc)
    snapshot = build_snapshot(market, policy, epoch).snapshot
    private, public = generate_key_pair()
    meta = sign_snapshot(snapshot, market, policy, private)
    directory = out / "riskdesk"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "market.json").write_text(json.dumps(market_doc, indent=1) + "\n")
    (directory / "policy.json").write_text(json.dumps(policy_doc, indent=1) + "\n")
    (directory / "snapshot.json").write_bytes(canonical_json(snapshot) + b"\n")
    (directory / "snapshot.sig.json").write_text(meta.model_dump_json(indent=2) + "\n")
    (directory / "oracle.pub.pem").write_bytes(public)
    # What an outsider does with the published files: check the signature, then recompute.
    verify_signed_snapshot(snapshot, meta, public, market=market, policy=policy)
    rebuilt = build_snapshot(
        load_market(directory / "market.json"), load_policy(directory / "policy.json"), epoch
    ).snapshot
    if canonical_json(rebuilt) != canonical_json(snapshot):
        raise NotReproducibleError("the risk desk's snapshot is not reproducible from its inputs")
    return DeskSnapshot(snapshot, policy, meta.signer_key_id, directory)
