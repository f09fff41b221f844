"""Proof sources on disk: a JSON-lines file or a directory of ``*/proof.json`` + ``*/public.json``.

A source that cannot be read at all (missing path, permission denied, a directory holding
no proofs) raises :class:`SourceError`; a bad entry inside a readable source becomes an
invalid :class:`~verifier.audit.items.AuditItem` with a reason and the audit goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from algebra.errors import FormatError, ZkError
from verifier.audit.items import AuditItem, parse_entry, parse_statement, rejected


class SourceError(FormatError):
    """An audit source cannot be read (exit code 2 in ``zkm audit``)."""


@dataclass(frozen=True)
class FileSource:
    """A proof source on disk.

    Attributes:
        path: the JSON-lines file or the directory.
        kind: ``jsonl`` or ``directory``.
        total: the number of entries it holds (for progress; counted up front).
    """

    path: Path
    kind: str
    total: int

    def items(self, *, defer_proofs: bool = False) -> Iterator[AuditItem]:
        """Yield every entry in source order (parse failures as invalid items).

        ``defer_proofs`` leaves JSON-lines proofs unparsed for the verifying workers (see
        :func:`~verifier.audit.items.parse_entry`); directory entries are always parsed.
        """
        if self.kind == "jsonl":
            return iter_jsonl(self.path, defer_proofs=defer_proofs)
        return iter_directory(self.path)

    @property
    def description(self) -> str:
        """A one-line description for reports."""
        return f"{self.kind} {self.path}"


def open_source(path: Path) -> FileSource:
    """Return the source at ``path``: a directory of proof pairs, else a JSON-lines file.

    Raises:
        SourceError: the path does not exist, cannot be read, or (a directory) holds no proofs.
    """
    try:
        if path.is_dir():
            count = len(_proof_dirs(path))
            if count == 0:
                raise SourceError(f"{path} holds no */proof.json files")
            return FileSource(path, "directory", count)
        with path.open("rb") as handle:
            count = sum(1 for line in handle if line.strip())
    except OSError as error:
        raise SourceError(f"cannot read {path}: {error.strerror or error}") from None
    return FileSource(path, "jsonl", count)


def iter_jsonl(path: Path, *, defer_proofs: bool = False) -> Iterator[AuditItem]:
    """Yield one item per non-blank line of the JSON-lines file at ``path``.

    ``defer_proofs`` as in :meth:`FileSource.items`.

    Raises:
        SourceError: the file cannot be opened or read.
    """
    position = 0
    try:
        with path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                yield _jsonl_item(line, position, f"line {number}", defer_proofs)
                position += 1
    except OSError as error:
        raise SourceError(f"cannot read {path}: {error.strerror or error}") from None


def _jsonl_item(line: bytes, position: int, locator: str, defer_proofs: bool) -> AuditItem:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        return rejected(position, locator, f"{locator} is not valid JSON: {error}")
    return parse_entry(obj, position, locator, defer_proof=defer_proofs)


def _proof_dirs(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.glob("*/proof.json"))


def iter_directory(root: Path) -> Iterator[AuditItem]:
    """Yield one item per ``<root>/<id>/proof.json`` (with its ``public.json``), sorted by id."""
    for position, directory in enumerate(_proof_dirs(root)):
        yield _directory_item(directory, position)


def _directory_item(directory: Path, position: int) -> AuditItem:
    item_id = directory.name
    try:
        proof_obj = json.loads((directory / "proof.json").read_text())
        public_obj = json.loads((directory / "public.json").read_text())
    except OSError as error:
        return rejected(position, item_id, f"cannot read {error.filename}: {error.strerror}")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return rejected(position, item_id, f"{item_id}: not valid JSON ({error})")
    try:
        proof, public = parse_statement(proof_obj, public_obj)
    except (ZkError, TypeError, ValueError) as error:
        return rejected(position, item_id, str(error))
    return AuditItem(position, item_id, proof, public)
