"""What the oracle posts beside a snapshot: its signed metadata, market inputs and policy.

The service (``POST /v1/snapshots``, field ``signed``) verifies the signature against the
signing key the admin registered for the posting oracle key, checks that the metadata
binds exactly these inputs and this policy, refuses stale inputs, and then stores and
serves all three (``GET /v1/snapshots/{epoch}/provenance``) so anyone can run
``zkm riskdesk check`` on what was published.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.loading import read_json
from zkmargin.riskdesk.signing import load_metadata


def _object(path: Path, what: str) -> dict[str, Any]:
    value = read_json(path, what)
    if not isinstance(value, dict):
        raise RiskInputError(f"{what}: {path} does not hold a JSON object")
    return value


def signed_parts(metadata: Path, market: Path, policy: Path) -> dict[str, Any]:
    """Return the ``signed`` field of a snapshot post from the three published files.

    Raises:
        RiskInputError: a file is unreadable or not a JSON object.
        SignatureError: the metadata file is not signed metadata.
    """
    meta = _object(metadata, "signed metadata")
    load_metadata(meta)  # a malformed file is named here, before anything is sent
    return {
        "metadata": meta,
        "market_inputs": _object(market, "market data"),
        "policy": _object(policy, "policy"),
    }


def write_provenance(directory: Path, provenance: dict[str, Any]) -> list[Path]:
    """Write a served snapshot's provenance as the files ``zkm riskdesk check`` and
    ``verify-signature`` take: ``market.json``, ``policy.json``, ``snapshot.sig.json`` and
    ``oracle.pub.pem``; return the paths written (nothing for an unsigned snapshot)."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "market.json": provenance.get("market_inputs"),
        "policy.json": provenance.get("policy"),
        "snapshot.sig.json": provenance.get("metadata"),
    }
    written = []
    for name, value in files.items():
        if value is not None:
            (directory / name).write_text(json.dumps(value, indent=1) + "\n")
            written.append(directory / name)
    if provenance.get("public_key"):
        (directory / "oracle.pub.pem").write_text(str(provenance["public_key"]))
        written.append(directory / "oracle.pub.pem")
    return written
