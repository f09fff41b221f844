"""Read and write iden3 ``.wtns`` witness files (version 2), as produced by snarkjs and circom.

Layout (snarkjs ``wtns_utils``): container magic ``wtns``, version 2, section 1
``u32 n8 ‖ prime (n8 bytes) ‖ u32 nWitness``, section 2 ``nWitness × n8`` bytes, each
value little-endian in normal (not Montgomery) form. We accept only n8 = 32 and prime r.
A witness is secret: callers must not log or upload it.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

from algebra.constants import SCALAR_FIELD_R
from algebra.encoding import first_non_canonical_fr
from algebra.errors import FormatError, MalformedInputError
from circuits.formats.binfile import (
    SectionReader,
    build_container,
    check_field_header,
    field_header,
    parse_container,
    unique_section,
)

MAGIC = b"wtns"
VERSION = 2
HEADER, VALUES = 1, 2


def parse_wtns_bytes(data: bytes, what: str = ".wtns") -> bytes:
    """Return the values of a ``.wtns`` file as one buffer of canonical 32-byte LE words.

    Raises:
        FormatError: wrong magic, version, field or prime; truncation; a value ≥ r.
    """
    sections = parse_container(data, MAGIC, VERSION, what)
    header_body = unique_section(sections, HEADER, what)
    values_body = unique_section(sections, VALUES, what)
    assert header_body is not None and values_body is not None
    header = SectionReader(header_body, f"{what}: header section")
    check_field_header(header, SCALAR_FIELD_R, what)
    n_values = header.u32()
    header.finish()
    if len(values_body) != 32 * n_values:
        raise FormatError(f"{what}: values section must hold {n_values} × 32 bytes")
    bad = first_non_canonical_fr(values_body)
    if bad is not None:
        raise FormatError(f"{what}: witness value #{bad} is not in [0, r)")
    return bytes(values_body)


def parse_wtns(data: bytes, what: str = ".wtns") -> list[int]:
    """Decode the bytes of a ``.wtns`` file into canonical Fr values.

    Raises:
        FormatError: wrong magic, version, field or prime; truncation; a value ≥ r.
    """
    values = parse_wtns_bytes(data, what)
    return [int.from_bytes(values[i : i + 32], "little") for i in range(0, len(values), 32)]


def read_wtns(path: str | PathLike[str]) -> list[int]:
    """Read an iden3 ``.wtns`` v2 file over the BN254 scalar field."""
    return parse_wtns(Path(path).read_bytes(), what=str(path))


def read_wtns_bytes(path: str | PathLike[str]) -> bytes:
    """Read an iden3 ``.wtns`` v2 file as one buffer of canonical 32-byte LE words (no ints)."""
    return parse_wtns_bytes(Path(path).read_bytes(), what=str(path))


def wtns_to_bytes(witness: Sequence[int]) -> bytes:
    """Encode canonical Fr values as ``.wtns`` v2 bytes.

    Raises:
        MalformedInputError: a value is not in [0, r).
    """
    body = bytearray()
    for index, value in enumerate(witness):
        if not 0 <= value < SCALAR_FIELD_R:
            raise MalformedInputError(f"witness value #{index} is not in [0, r)")
        body += value.to_bytes(32, "little")
    header = field_header(SCALAR_FIELD_R) + struct.pack("<I", len(witness))
    return build_container(MAGIC, VERSION, [(HEADER, header), (VALUES, bytes(body))])


def write_wtns(witness: Sequence[int], path: str | PathLike[str]) -> None:
    """Write ``witness`` as an iden3 ``.wtns`` v2 file that snarkjs accepts."""
    Path(path).write_bytes(wtns_to_bytes(witness))
