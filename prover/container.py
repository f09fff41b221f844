"""Streaming access to iden3 binary containers (``.zkey``, ``.ptau``) too large to slurp.

Same layout as :mod:`circuits.formats.binfile` (4-byte magic, u32 version, u32 section
count, then ``u32 type ‖ u64 size ‖ body`` sections), but sections are read on demand
from file offsets and written chunk by chunk, so a 2^18-constraint proving key or a
multi-gigabyte ``.ptau`` never sits in memory twice.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from algebra.errors import FormatError


class SectionFile:
    """An open container whose section table is indexed; bodies are read lazily."""

    def __init__(self, path: str | os.PathLike[str], magic: bytes, max_version: int) -> None:
        """Open ``path`` and index its sections.

        Raises:
            FormatError: bad magic, unsupported version, or a section past the end of the file.
        """
        self.what = str(path)
        self.trailing_bytes = 0
        """Bytes after the last section (strict readers refuse them)."""
        self._file: BinaryIO = Path(path).open("rb")  # noqa: SIM115 - closed by close()
        try:
            self.sections = self._index(magic, max_version)
        except BaseException:
            self._file.close()
            raise

    def _index(self, magic: bytes, max_version: int) -> dict[int, list[tuple[int, int]]]:
        size = os.fstat(self._file.fileno()).st_size
        head = self._file.read(12)
        if len(head) < 12 or head[:4] != magic:
            raise FormatError(f"{self.what}: not a {magic.decode()} file (bad magic number)")
        version, n_sections = struct.unpack_from("<II", head, 4)
        if not 1 <= version <= max_version:
            raise FormatError(f"{self.what}: version {version} is not supported")
        sections: dict[int, list[tuple[int, int]]] = {}
        pos = 12
        for index in range(n_sections):
            header = self._file.read(12)
            if len(header) < 12:
                raise FormatError(f"{self.what}: truncated in the header of section #{index}")
            kind, length = struct.unpack("<IQ", header)
            pos += 12
            if pos + length > size:
                raise FormatError(f"{self.what}: section {kind} runs past the end of the file")
            sections.setdefault(kind, []).append((pos, length))
            pos += length
            self._file.seek(pos)
        self.trailing_bytes = size - pos
        return sections

    def _locate(self, kind: int) -> tuple[int, int]:
        found = self.sections.get(kind, [])
        if not found:
            raise FormatError(f"{self.what}: missing section {kind}")
        if len(found) > 1:
            raise FormatError(f"{self.what}: section {kind} appears {len(found)} times")
        return found[0]

    def locate(self, kind: int) -> tuple[int, int]:
        """Return the file offset and size of the unique section ``kind`` (for streaming it).

        Raises:
            FormatError: the section is missing or duplicated.
        """
        return self._locate(kind)

    def has(self, kind: int) -> bool:
        """Return whether a section of type ``kind`` is present."""
        return kind in self.sections

    def size(self, kind: int) -> int:
        """Return the body size of the unique section ``kind``."""
        return self._locate(kind)[1]

    def read(self, kind: int, offset: int = 0, length: int | None = None) -> bytes:
        """Return ``length`` bytes (default: the rest) of section ``kind`` from ``offset``.

        Raises:
            FormatError: the section is missing, duplicated, or shorter than requested.
        """
        start, size = self._locate(kind)
        wanted = size - offset if length is None else length
        if offset < 0 or wanted < 0 or offset + wanted > size:
            raise FormatError(f"{self.what}: section {kind} is too short")
        self._file.seek(start + offset)
        return self._file.read(wanted)

    def close(self) -> None:
        """Close the underlying file."""
        self._file.close()

    def __enter__(self) -> SectionFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def write_container(
    path: str | os.PathLike[str],
    magic: bytes,
    version: int,
    sections: Iterable[tuple[int, Sequence[bytes]]],
) -> None:
    """Write a container whose sections are given as chunk lists, atomically (temp + rename)."""
    target = Path(path)
    parts = list(sections)
    temporary = target.with_name(target.name + ".partial")
    with temporary.open("wb") as out:
        out.write(magic + struct.pack("<II", version, len(parts)))
        for kind, chunks in parts:
            out.write(struct.pack("<IQ", kind, sum(len(chunk) for chunk in chunks)))
            for chunk in chunks:
                out.write(chunk)
    os.replace(temporary, target)
