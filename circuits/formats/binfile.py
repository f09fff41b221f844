"""The iden3 binary container shared by ``.r1cs``, ``.wtns``, ``.zkey`` and ``.ptau`` files.

Layout (iden3 binfileutils): a 4-byte magic, a u32 version, a u32 section count, then
sections ``u32 type ‖ u64 size ‖ size bytes``; all integers little-endian. Sections may
appear in any order; readers look them up by type.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from algebra.errors import FormatError


def parse_container(data: bytes, magic: bytes, version: int, what: str) -> dict[int, list[bytes]]:
    """Return ``{section type: [section bodies…]}`` after checking magic, version and bounds.

    Raises:
        FormatError: wrong magic or version, or a section running past the end of the file.
    """
    if len(data) < 12 or data[:4] != magic:
        raise FormatError(f"{what}: not a {magic.decode()} file (bad magic number)")
    found_version, n_sections = struct.unpack_from("<II", data, 4)
    if found_version != version:
        raise FormatError(f"{what}: version {found_version} is not supported (expected {version})")
    sections: dict[int, list[bytes]] = {}
    pos = 12
    for index in range(n_sections):
        if pos + 12 > len(data):
            raise FormatError(f"{what}: truncated in the header of section #{index}")
        kind, size = struct.unpack_from("<IQ", data, pos)
        pos += 12
        if pos + size > len(data):
            raise FormatError(f"{what}: section type {kind} runs past the end of the file")
        sections.setdefault(kind, []).append(data[pos : pos + size])
        pos += size
    if pos != len(data):
        raise FormatError(f"{what}: {len(data) - pos} trailing bytes after the last section")
    return sections


def unique_section(
    sections: dict[int, list[bytes]], kind: int, what: str, *, required: bool = True
) -> bytes | None:
    """Return the single section of type ``kind`` (None if absent and not required)."""
    found = sections.get(kind, [])
    if len(found) > 1:
        raise FormatError(f"{what}: section type {kind} appears {len(found)} times")
    if not found:
        if required:
            raise FormatError(f"{what}: missing section type {kind}")
        return None
    return found[0]


def build_container(magic: bytes, version: int, sections: Iterable[tuple[int, bytes]]) -> bytes:
    """Return the container bytes holding ``sections`` in the given order."""
    parts = list(sections)
    out = bytearray(magic + struct.pack("<II", version, len(parts)))
    for kind, body in parts:
        out += struct.pack("<IQ", kind, len(body))
        out += body
    return bytes(out)


class SectionReader:
    """A bounds-checked little-endian cursor over one section's bytes."""

    def __init__(self, body: bytes, what: str) -> None:
        self._body = body
        self._pos = 0
        self._what = what

    def take(self, size: int) -> bytes:
        """Return the next ``size`` bytes; FormatError if the section is too short."""
        if self._pos + size > len(self._body):
            raise FormatError(f"{self._what} is truncated")
        chunk = self._body[self._pos : self._pos + size]
        self._pos += size
        return chunk

    def u32(self) -> int:
        """Read a little-endian u32."""
        return int.from_bytes(self.take(4), "little")

    def u64(self) -> int:
        """Read a little-endian u64."""
        return int.from_bytes(self.take(8), "little")

    def uint(self, size: int) -> int:
        """Read a ``size``-byte little-endian unsigned integer."""
        return int.from_bytes(self.take(size), "little")

    def finish(self) -> None:
        """Raise FormatError unless every byte of the section was consumed."""
        if self._pos != len(self._body):
            raise FormatError(f"{self._what} has {len(self._body) - self._pos} unexpected bytes")


def field_header(prime: int, n8: int = 32) -> bytes:
    """Return ``u32 n8 ‖ prime`` (n8 bytes little-endian), the field definition of iden3 files."""
    return struct.pack("<I", n8) + prime.to_bytes(n8, "little")


def check_field_header(reader: SectionReader, prime: int, what: str) -> None:
    """Read ``n8 ‖ prime`` and require a 32-byte field whose prime is ``prime``."""
    n8 = reader.u32()
    if n8 != 32:
        raise FormatError(f"{what}: field size {n8} bytes is not supported (expected 32)")
    if reader.uint(n8) != prime:
        raise FormatError(f"{what}: the prime is not the BN254 scalar field r")
