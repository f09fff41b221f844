"""Prover terms: a snapshot's shared-wire MSM terms, published so first proofs are fast too.

Every margin proof of an epoch (and requirement kind) shares the wires the snapshot alone
determines; :func:`prover.prove.fixed_wire_sums` turns them into four group elements
(320 bytes). A trader's machine computes them itself from its second proof of a snapshot
on (:mod:`zkmargin.margin.workflow`); ``zkm margin terms`` lets whoever publishes the
snapshot compute them once, so that each trader's *first* proof skips that work too
(``zkm margin prove --terms FILE``).

The file is public data (computed from the public snapshot and the public proving key)
and **untrusted**: wrong terms only make the trader's proof fail its own self-check, after
which the prover recomputes without them. It names what it was made for — the zkey's
SHA-256 and the key of the shared wires (a hash of the snapshot's shared inputs and the
requirement kind) — and a file made for another key, snapshot or kind is refused with a
one-line error before any proving.

Format (JSON): ``{"format": "zkmargin-prover-terms", "version": 1, "requirement_kind":
"maintenance" | "initial", "zkey_sha256": hex, "shared_key": hex, "terms": hex}`` where
``terms`` is :meth:`~prover.prove.FixedWireSums.to_bytes`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from circuits.margin.errors import MarginInputError
from circuits.margin.model import MarketSnapshot
from circuits.margin.statement import KIND_NAMES, kind_name
from prover.prove import FixedWireSums

TERMS_FORMAT: Final = "zkmargin-prover-terms"
TERMS_VERSION: Final = 1


@dataclass(frozen=True)
class ProverTerms:
    """The shared wires' MSM terms of one (zkey, snapshot, requirement kind)."""

    requirement_kind: int
    zkey_sha256: bytes
    shared_key: bytes
    sums: FixedWireSums

    def check_made_for(self, zkey_sha256: bytes, shared_key: bytes) -> None:
        """Raise MarginInputError unless these terms were made for this key and these wires."""
        if self.zkey_sha256 != zkey_sha256:
            raise MarginInputError(
                "the prover terms were made for another proving key (zkey SHA-256"
                f" {self.zkey_sha256.hex()[:16]}…, these keys {zkey_sha256.hex()[:16]}…)"
            )
        if self.shared_key != shared_key:
            raise MarginInputError(
                "the prover terms were made for another snapshot or requirement kind"
                f" (they are for {kind_name(self.requirement_kind)} proofs of their snapshot)"
            )

    def to_json(self) -> str:
        """Return the file's JSON text."""
        return (
            json.dumps(
                {
                    "format": TERMS_FORMAT,
                    "version": TERMS_VERSION,
                    "requirement_kind": kind_name(self.requirement_kind),
                    "zkey_sha256": self.zkey_sha256.hex(),
                    "shared_key": self.shared_key.hex(),
                    "terms": self.sums.to_bytes().hex(),
                },
                indent=1,
            )
            + "\n"
        )


def prover_terms_from_json(data: Any, what: str = "prover terms") -> ProverTerms:
    """Parse :meth:`ProverTerms.to_json`'s object (the points are checked when added).

    Raises:
        MarginInputError: not a prover-terms object of this version, or a malformed field.
    """
    if not isinstance(data, dict) or data.get("format") != TERMS_FORMAT:
        raise MarginInputError(f"{what} is not a {TERMS_FORMAT} file")
    if data.get("version") != TERMS_VERSION:
        raise MarginInputError(
            f"{what} is version {data.get('version')!r}; this zkm reads version {TERMS_VERSION}"
        )
    extra = set(data) - {"format", "version", "requirement_kind", "zkey_sha256", "shared_key",
                         "terms"}  # fmt: skip
    if extra:
        raise MarginInputError(f"{what} has unknown fields: {', '.join(sorted(extra))}")
    kind = data.get("requirement_kind")
    if kind not in KIND_NAMES:
        raise MarginInputError(f"{what}: requirement_kind must be maintenance or initial")
    return ProverTerms(
        requirement_kind=KIND_NAMES[kind],
        zkey_sha256=_hex_field(data, "zkey_sha256", 32, what),
        shared_key=_hex_field(data, "shared_key", 32, what),
        sums=FixedWireSums.from_bytes(_hex_field(data, "terms", 320, what)),
    )


def load_prover_terms(path: Path) -> ProverTerms:
    """Read a prover-terms file.

    Raises:
        FormatError: missing, unreadable or not JSON. MarginInputError: not prover terms.
    """
    from zkmargin.commands.common import load_json_file

    return prover_terms_from_json(load_json_file(path), str(path))


def _hex_field(data: dict[str, Any], name: str, length: int, what: str) -> bytes:
    value = data.get(name)
    try:
        if not isinstance(value, str):
            raise ValueError
        raw = bytes.fromhex(value)
    except ValueError:
        raise MarginInputError(f"{what}: {name} must be a hex string") from None
    if len(raw) != length:
        raise MarginInputError(f"{what}: {name} must be {length} bytes, got {len(raw)}")
    return raw


def compute_prover_terms(snapshot: MarketSnapshot, keys_dir: Path, kind: int) -> ProverTerms:
    """Compute, check and return the prover terms of ``snapshot`` under ``keys_dir``'s key.

    The shared wires are solved with an empty account (zero state, salt 0: the shared
    wires do not depend on it), their terms computed, and a proof of that empty account
    made with them and self-checked, so published terms are known good.

    Raises:
        MarginInputError: bad keys directory, snapshot shape or kind.
        ProofSelfCheckError: the terms failed the check (a bug or a bad key).
    """
    from circuits.margin.commitment import state_commitment
    from circuits.margin.model import Opening
    from circuits.margin.sizes import check_fits
    from circuits.margin.statement import check_statement
    from circuits.margin.witness import raw_assignment
    from circuits.solvency.witness import empty_state
    from prover.prove import fixed_wire_sums, prove
    from zkmargin.margin import cache
    from zkmargin.margin.artefact import zkey_digest, zkey_shape
    from zkmargin.margin.preload import KeyPreload
    from zkmargin.margin.workflow import ZKEY_NAME, keys_size, shared_inputs, solve_shared

    check_statement(kind, 1_000_000)
    size = keys_size(keys_dir)
    check_fits(snapshot, size)
    zkey_path = keys_dir / ZKEY_NAME
    shape = zkey_shape(zkey_path)
    with KeyPreload(zkey_path) as preload:  # an error meanwhile waits for the load
        digest = zkey_digest(zkey_path)
        state = empty_state(snapshot)
        opening = Opening(state=state, salt=0, commitment=state_commitment(state, 0))
        hashes = cache.snapshot_hashes(snapshot)
        assignment = raw_assignment(opening, snapshot, kind, 1_000_000, hashes)
        key = cache.shared_wires_key(digest, shared_inputs(assignment))
        witness, shared_wires = solve_shared(keys_dir, size, (digest, shape), assignment, key)
        pk = preload.result()
    sums = fixed_wire_sums(pk, witness, shared_wires)
    prove(pk, witness, fixed=(shared_wires, sums))  # self-checked: raises if the terms are wrong
    cache.write_shared_sums(key, sums.to_bytes())
    return ProverTerms(kind, digest, key, sums)
