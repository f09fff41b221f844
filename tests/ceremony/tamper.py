"""Helpers that write tampered copies of ceremony files (for negative tests)."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

from algebra.backend import Backend
from prover.ceremony.ptau_file import (
    Phase1Contribution,
    contributions_section,
    read_contributions,
)
from prover.ceremony.zkey_file import MpcParams, mpc_params_section, read_mpc_params
from prover.container import SectionFile, write_container


def _sections(path: Path, magic: bytes) -> list[tuple[int, bytes]]:
    with SectionFile(path, magic, 2) as container:
        kinds = sorted(container.sections)
        return [(kind, container.read(kind)) for kind in kinds]


def replace_section(source: Path, target: Path, magic: bytes, kind: int, body: bytes) -> None:
    """Write ``source`` with section ``kind`` replaced by ``body``."""
    parts = [(k, [body if k == kind else b]) for k, b in _sections(source, magic)]
    write_container(target, magic, 1, parts)


def copy_point(source: Path, target: Path, magic: bytes, kind: int, size: int) -> None:
    """Write ``source`` with point 1 of section ``kind`` overwritten by point 2 (both valid)."""
    body = dict(_sections(source, magic))[kind]
    tampered = body[:size] + body[2 * size : 3 * size] + body[2 * size :]
    replace_section(source, target, magic, kind, tampered)


def edit_ptau_records(
    source: Path,
    target: Path,
    backend: Backend,
    edit: Callable[[list[Phase1Contribution]], list[Phase1Contribution]],
) -> None:
    """Write ``source`` with its contribution records transformed by ``edit``."""
    with SectionFile(source, b"ptau", 1) as ptau:
        records = read_contributions(ptau, backend)
    body = contributions_section(edit(records), backend)
    replace_section(source, target, b"ptau", 7, body)


def edit_zkey_params(
    source: Path, target: Path, backend: Backend, edit: Callable[[MpcParams], MpcParams]
) -> None:
    """Write ``source`` with its section-10 transcript transformed by ``edit``."""
    with SectionFile(source, b"zkey", 2) as zkey:
        params = read_mpc_params(zkey, backend)
    replace_section(source, target, b"zkey", 10, mpc_params_section(edit(params), backend))


def append_bytes(source: Path, target: Path, tail: bytes) -> None:
    """Write ``source`` followed by ``tail`` (bytes after the last section)."""
    target.write_bytes(source.read_bytes() + tail)


def add_section(source: Path, target: Path, magic: bytes, kind: int, body: bytes) -> None:
    """Write ``source`` plus one more section ``kind`` (an unknown or a repeated id)."""
    parts = [(k, [b]) for k, b in _sections(source, magic)] + [(kind, [body])]
    write_container(target, magic, 1, parts)


def section_bytes(source: Path, magic: bytes, kind: int) -> bytes:
    """Return the body of section ``kind`` of ``source``."""
    return dict(_sections(source, magic))[kind]


def cut_before_section(source: Path, target: Path, kind: int) -> None:
    """Write ``source`` cut just before section ``kind``'s header (the section count kept)."""
    data = source.read_bytes()
    pos = 12
    while pos < len(data):
        found, size = struct.unpack_from("<IQ", data, pos)
        if found == kind:
            target.write_bytes(data[:pos])
            return
        pos += 12 + size
    raise ValueError(f"{source} has no section {kind}")
