"""The solvency bundle of an epoch: a directory anyone can verify with ``zkm solvency verify``.

* ``statement.json``: ``version`` (2: the list root is the domain-separated tree of
  :mod:`circuits.solvency.epoch`; other versions are refused), ``epoch``, ``size``,
  ``chunk``, ``snapshot_hash``, ``list_root`` (the Merkle root of the ordered commitments),
  ``commitments`` (canonical order), ``n_chunks``, ``totals`` (the opening of the last
  accumulator) — all big integers as decimal strings;
* ``chunks/NNNNNN.json``: ``{"index", "public": [acc_in, acc_out, chunk_root, snapshot_hash],
  "proof": snarkjs proof}`` — one per chunk, written atomically so an interrupted run keeps
  every finished chunk.

Nothing in it reveals a position, balance or salt.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from algebra.errors import MalformedInputError, ZkError
from circuits.solvency.totals import SolvencyTotals
from zkmargin.commands.common import load_json_file

STATEMENT_NAME = "statement.json"
STATEMENT_VERSION = 2
"""Version 2: the list root is the leaf-domain-separated tree (LIST_TREE_VERSION 2)."""
CHUNKS_DIR = "chunks"


@dataclass(frozen=True)
class EpochStatement:
    """What the venue publishes for an epoch (besides the proofs)."""

    epoch: int
    size: str
    chunk: int
    snapshot_hash: int
    list_root: int
    commitments: list[int]
    n_chunks: int
    totals: SolvencyTotals

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of ``statement.json``."""
        return {
            "version": STATEMENT_VERSION,
            "epoch": self.epoch,
            "size": self.size,
            "chunk": self.chunk,
            "snapshot_hash": str(self.snapshot_hash),
            "list_root": str(self.list_root),
            "n_chunks": self.n_chunks,
            "totals": self.totals.to_json(),
            "commitments": [str(c) for c in self.commitments],
        }

    @classmethod
    def from_json(cls, data: Any) -> EpochStatement:
        """Parse ``statement.json``; MalformedInputError on anything malformed."""
        if isinstance(data, dict) and data.get("version", STATEMENT_VERSION) != STATEMENT_VERSION:
            raise MalformedInputError(
                f"{STATEMENT_NAME} is version {data.get('version')!r}; this zkm reads version"
                f" {STATEMENT_VERSION} (domain-separated list root): prove the epoch again"
            )
        try:
            return cls(
                epoch=_int(data["epoch"]),
                size=str(data["size"]),
                chunk=_int(data["chunk"]),
                snapshot_hash=_int(data["snapshot_hash"]),
                list_root=_int(data["list_root"]),
                commitments=[_int(c) for c in data["commitments"]],
                n_chunks=_int(data["n_chunks"]),
                totals=SolvencyTotals.from_json(data["totals"]),
            )
        except (KeyError, TypeError) as error:
            raise MalformedInputError(f"{STATEMENT_NAME} is malformed: {error}") from None


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise MalformedInputError(f"{value!r} is not a non-negative decimal integer")
    return int(value)


@dataclass(frozen=True)
class ChunkProof:
    """One chunk's proof and public inputs as read from the bundle (unchecked)."""

    index: int
    public: list[int]
    proof: dict[str, Any]


def write_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)


def chunk_path(bundle: Path, index: int) -> Path:
    """Return the file of chunk ``index``."""
    return bundle / CHUNKS_DIR / f"{index:06d}.json"


def write_chunk(bundle: Path, chunk: ChunkProof) -> None:
    """Write one chunk's proof file atomically."""
    data = {"index": chunk.index, "public": [str(v) for v in chunk.public], "proof": chunk.proof}
    write_atomic(chunk_path(bundle, chunk.index), data)


def parse_chunk(data: Any, where: str) -> ChunkProof:
    """Return the chunk in the JSON object ``data``; MalformedInputError naming ``where``."""
    try:
        return ChunkProof(_int(data["index"]), [_int(v) for v in data["public"]], data["proof"])
    except (KeyError, TypeError) as error:
        raise MalformedInputError(f"{where} is malformed: {error}") from None


def read_chunk(path: Path) -> ChunkProof:
    """Return the chunk in ``path``; ZkError (FormatError/MalformedInputError) if malformed."""
    return parse_chunk(load_json_file(path), str(path))


def read_statement(bundle: Path) -> EpochStatement:
    """Return the bundle's statement."""
    return EpochStatement.from_json(load_json_file(bundle / STATEMENT_NAME))


def read_chunks(bundle: Path) -> tuple[list[ChunkProof], list[str]]:
    """Return the readable chunk files in file-name order and a finding per unreadable one."""
    chunks, problems = [], []
    for path in sorted((bundle / CHUNKS_DIR).glob("*.json")):
        try:
            chunks.append(read_chunk(path))
        except ZkError as error:
            problems.append(f"{path.name}: {error}")
    return chunks, problems


def bundle_json(bundle: Path) -> dict[str, Any]:
    """Return the bundle directory as one JSON object ``{"statement", "chunks"}`` (what
    ``POST /v1/epochs/{epoch}/solvency`` takes); ZkError if a file is unreadable."""
    statement = load_json_file(bundle / STATEMENT_NAME)
    chunks = [load_json_file(path) for path in sorted((bundle / CHUNKS_DIR).glob("*.json"))]
    return {"statement": statement, "chunks": chunks}
