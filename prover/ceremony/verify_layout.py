"""Strict container layout for the ceremony verifiers: one transcript, one file, one hash.

The iden3 container lets a file carry bytes after its last section and sections nobody
reads, so many files (and file hashes) could stand for one transcript. The verifiers
refuse both: each file type has an explicit allow-list of the section ids snarkjs 0.7.6
and zkm write, every section must appear once, and nothing may follow the last one. A
truncated file is refused by :class:`prover.container.SectionFile` itself (a section that
runs past the end) or here (missing sections never come from an honest tool).
"""

from __future__ import annotations

from algebra.errors import FormatError
from prover.container import SectionFile
from prover.zkey import METADATA_SECTION

PTAU_SECTIONS = frozenset({1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15})
"""Header, τG1, τG2, ατG1, βτG1, βG2, contributions; 12–15 the phase-2 Lagrange bases."""
PTAU_REQUIRED = frozenset(range(1, 8))
ZKEY_SECTIONS = frozenset({*range(1, 11), METADATA_SECTION})
"""Protocol, header, IC, coefficients, A, B1, B2, L, H, contributions; zkm's metadata."""
ZKEY_REQUIRED = frozenset(range(1, 11))


def check_layout(container: SectionFile, allowed: frozenset[int], required: frozenset[int]) -> None:
    """Raise FormatError unless ``container`` holds each required section once, no others, no tail.

    Raises:
        FormatError: trailing bytes, an unknown, duplicated or missing section.
    """
    what = container.what
    if container.trailing_bytes:
        raise FormatError(f"{what}: {container.trailing_bytes} bytes after the last section")
    for kind, places in sorted(container.sections.items()):
        if kind not in allowed:
            raise FormatError(f"{what}: section id {kind} is not one snarkjs or zkm writes")
        if len(places) > 1:
            raise FormatError(f"{what}: section {kind} appears {len(places)} times")
    missing = sorted(required - container.sections.keys())
    if missing:
        raise FormatError(f"{what}: truncated (sections {missing} are missing)")


def check_ptau_layout(ptau: SectionFile) -> None:
    """Raise FormatError unless ``ptau`` has a strict ``.ptau`` layout (12–15 all or none)."""
    check_layout(ptau, PTAU_SECTIONS, PTAU_REQUIRED)
    lagrange = PTAU_SECTIONS - PTAU_REQUIRED
    present = lagrange & ptau.sections.keys()
    if present and present != lagrange:
        missing = sorted(lagrange - present)
        raise FormatError(f"{ptau.what}: truncated (phase-2 sections {missing} are missing)")


def check_zkey_layout(zkey: SectionFile) -> None:
    """Raise FormatError unless ``zkey`` has a strict Groth16 ``.zkey`` layout."""
    check_layout(zkey, ZKEY_SECTIONS, ZKEY_REQUIRED)
