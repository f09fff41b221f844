"""Canonical JSON (sorted keys, no whitespace, UTF-8) and the SHA-256 digests built on it.

Two documents are "the same" for the risk desk exactly when their canonical bytes are;
the signed metadata binds the policy, the market inputs and the snapshot by these digests
(RFC 8785-like; our documents hold only integers, strings, lists, objects and finite
floats, whose ``repr`` Python prints as the shortest round-tripping decimal).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel


def canonical_json(document: BaseModel | Any) -> bytes:
    """Return the canonical bytes of a model (its JSON dump) or of a parsed JSON value."""
    value = document.model_dump(mode="json") if isinstance(document, BaseModel) else document
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def sha256_hex(document: BaseModel | Any) -> str:
    """Return the hex SHA-256 of ``canonical_json(document)``."""
    return hashlib.sha256(canonical_json(document)).hexdigest()
