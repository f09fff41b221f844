"""One entry of an audit source: its identity, the parsed statement, or why it cannot be checked.

A JSON-lines entry is ``{"id": …, "proof": <snarkjs proof.json>, "public": [...]}``, with an
optional integer ``"epoch"``. Parse failures never raise: they become an item whose
``error`` says what is wrong, so one bad line cannot stop an audit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from algebra.errors import ZkError
from verifier.proof import Proof
from verifier.snarkjs_json import proof_from_json, public_inputs_from_json

ErrorKind = Literal["malformed", "statement"]
"""Why an item was rejected before any pairing: unparseable, or inconsistent with records."""

MAX_ID_CHARS = 200


@dataclass(frozen=True)
class AuditItem:
    """One proof to audit, in source order.

    Attributes:
        position: 0-based order of the entry in its source.
        item_id: the entry's id (as text), or a locator such as ``line 7``.
        proof: the parsed proof, or None when the entry could not be parsed.
        public: the parsed public inputs, or None when the entry could not be parsed.
        epoch: the epoch the entry belongs to, when the source says.
        error: why the item is invalid without verification (None: verify it).
        error_kind: ``malformed`` or ``statement`` when ``error`` is set.
        service_valid: the service's recorded verdict, for items pulled from the service.
        proof_json: the entry's snarkjs proof still unparsed, when parsing was deferred to
            the worker that verifies it (``proof`` is then None); see :func:`parse_entry`.
    """

    position: int
    item_id: str
    proof: Proof | None
    public: tuple[int, ...] | None
    epoch: int | None = None
    error: str | None = None
    error_kind: ErrorKind | None = None
    service_valid: bool | None = None
    proof_json: object = None

    @property
    def checkable(self) -> bool:
        """Whether the item goes to the verifier (it parsed and passed the record checks)."""
        has_proof = self.proof is not None or self.proof_json is not None
        return self.error is None and has_proof and self.public is not None


def rejected(
    position: int,
    item_id: str,
    reason: str,
    kind: ErrorKind = "malformed",
    epoch: int | None = None,
) -> AuditItem:
    """Return an item that is invalid without verification, for ``reason``."""
    return AuditItem(position, item_id, None, None, epoch=epoch, error=reason, error_kind=kind)


def entry_id(obj: Mapping[str, Any], fallback: str) -> str:
    """Return the entry's ``id`` as text (strings and integers), else ``fallback``."""
    raw = obj.get("id")
    if isinstance(raw, str) and raw:
        return raw[:MAX_ID_CHARS]
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return fallback


def _epoch(obj: Mapping[str, Any]) -> int | None:
    raw = obj.get("epoch")
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw
    return None


def parse_statement(proof_obj: object, public_obj: object) -> tuple[Proof, tuple[int, ...]]:
    """Return the proof and public inputs parsed from snarkjs JSON values.

    Raises:
        ZkError: a FormatError or MalformedInputError naming the offending field.
    """
    return proof_from_json(proof_obj), tuple(public_inputs_from_json(public_obj))


def parse_entry(
    obj: object, position: int, fallback_id: str, *, defer_proof: bool = False
) -> AuditItem:
    """Return the audit item for one decoded JSON-lines entry (never raises).

    With ``defer_proof`` only the public inputs are parsed here and the proof is kept as
    JSON in ``proof_json``, for the worker to parse (:func:`parse_deferred_proof`); an
    entry whose public inputs do not parse is rejected exactly as without deferral.
    """
    if defer_proof and isinstance(obj, dict) and "proof" in obj and "public" in obj:
        try:
            public = tuple(public_inputs_from_json(obj["public"]))
        except (ZkError, TypeError, ValueError):
            return parse_entry(obj, position, fallback_id)
        item_id = entry_id(obj, fallback_id)
        return AuditItem(
            position, item_id, None, public, epoch=_epoch(obj), proof_json=obj["proof"]
        )
    if not isinstance(obj, dict):
        return rejected(position, fallback_id, f"{fallback_id}: entry is not a JSON object")
    item_id = entry_id(obj, fallback_id)
    epoch = _epoch(obj)
    missing = [key for key in ("proof", "public") if key not in obj]
    if missing:
        reason = f"entry has no {' or '.join(repr(key) for key in missing)}"
        return rejected(position, item_id, reason, epoch=epoch)
    try:
        proof, public = parse_statement(obj["proof"], obj["public"])
    except (ZkError, TypeError, ValueError) as error:
        return rejected(position, item_id, str(error), epoch=epoch)
    return AuditItem(position, item_id, proof, public, epoch=epoch)


def parse_deferred_proof(proof_obj: object) -> Proof | str:
    """Return the proof parsed from snarkjs JSON, or the reason :func:`parse_entry` would give."""
    try:
        return proof_from_json(proof_obj)
    except (ZkError, TypeError, ValueError) as error:
        return str(error)
