"""Read and write iden3 ``.r1cs`` files (version 1), as produced by circom and read by snarkjs.

Spec: iden3 "Binary format for R1CS" (r1csfile/doc/r1cs_bin_format.md). Sections:
1 header (field size 32, prime r, nWires, nPubOut, nPubIn, nPrvIn, nLabels u64,
mConstraints), 2 constraints (per row three linear combinations ``u32 n ‖ n × (u32 wire
‖ 32-byte coefficient)``, coefficients in normal form), 3 wire → label id (nWires × u64).
Sections may come in any order; unknown types are ignored; custom gates (types 4 and
5, PLONK only) are rejected because Groth16 cannot use them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import FormatError, MalformedInputError
from circuits.formats.binfile import (
    SectionReader,
    build_container,
    check_field_header,
    field_header,
    parse_container,
    unique_section,
)
from circuits.r1cs import R1CS, Constraint, LinearCombination

MAGIC = b"r1cs"
VERSION = 1
HEADER, CONSTRAINTS, WIRE_TO_LABEL, CUSTOM_GATES_LIST, CUSTOM_GATES_USES = 1, 2, 3, 4, 5


@dataclass
class R1csFile(R1CS):
    """An :class:`R1CS` read from a file, keeping the header's label count for a faithful rewrite.

    Attributes:
        n_labels: circom's total signal count (labels), including signals optimised away.
    """

    n_labels: int = 0


@dataclass(frozen=True)
class _Header:
    n_wires: int
    n_public_outputs: int
    n_public_inputs: int
    n_private_inputs: int
    n_labels: int
    n_constraints: int


def _read_header(body: bytes, what: str) -> _Header:
    reader = SectionReader(body, f"{what}: header section")
    check_field_header(reader, SCALAR_FIELD_R, what)
    header = _Header(
        reader.u32(), reader.u32(), reader.u32(), reader.u32(), reader.u64(), reader.u32()
    )
    reader.finish()
    n_inputs = 1 + header.n_public_outputs + header.n_public_inputs + header.n_private_inputs
    if n_inputs > header.n_wires:
        raise FormatError(f"{what}: {n_inputs} input wires exceed nWires = {header.n_wires}")
    return header


def _read_lc(reader: SectionReader, n_wires: int, row: int, what: str) -> LinearCombination:
    lc: LinearCombination = {}
    for _ in range(reader.u32()):
        wire, coeff = reader.u32(), reader.uint(32)
        if wire >= n_wires:
            raise FormatError(f"{what}: constraint {row} uses wire {wire} ≥ nWires = {n_wires}")
        if coeff >= SCALAR_FIELD_R:
            raise FormatError(f"{what}: constraint {row} has a coefficient ≥ r")
        if wire in lc:
            raise FormatError(f"{what}: constraint {row} repeats wire {wire}")
        if coeff:
            lc[wire] = coeff
    return lc


def _read_constraints(body: bytes, header: _Header, what: str) -> list[Constraint]:
    reader = SectionReader(body, f"{what}: constraints section")
    rows = []
    for row in range(header.n_constraints):
        a = _read_lc(reader, header.n_wires, row, what)
        b = _read_lc(reader, header.n_wires, row, what)
        c = _read_lc(reader, header.n_wires, row, what)
        rows.append(Constraint(a, b, c))
    reader.finish()
    return rows


def _read_wire_map(body: bytes, header: _Header, what: str) -> list[int]:
    if len(body) != 8 * header.n_wires:
        raise FormatError(f"{what}: wire-to-label section must hold {header.n_wires} u64 ids")
    return list(struct.unpack(f"<{header.n_wires}Q", body))


def parse_r1cs(data: bytes, what: str = ".r1cs") -> R1csFile:
    """Decode the bytes of a ``.r1cs`` file.

    Raises:
        FormatError: wrong magic, version, field or prime; truncation; out-of-range values.
    """
    sections = parse_container(data, MAGIC, VERSION, what)
    if CUSTOM_GATES_LIST in sections or CUSTOM_GATES_USES in sections:
        raise FormatError(f"{what}: custom gates (PLONK) are not supported by Groth16")
    header = _read_header(_required(sections, HEADER, what), what)
    constraints = _read_constraints(_required(sections, CONSTRAINTS, what), header, what)
    map_body = unique_section(sections, WIRE_TO_LABEL, what, required=False)
    wire_map = None if map_body is None else _read_wire_map(map_body, header, what)
    return R1csFile(
        n_wires=header.n_wires,
        n_public_outputs=header.n_public_outputs,
        n_public_inputs=header.n_public_inputs,
        n_private_inputs=header.n_private_inputs,
        constraints=constraints,
        wire_to_label=wire_map,
        n_labels=header.n_labels,
    )


def _required(sections: dict[int, list[bytes]], kind: int, what: str) -> bytes:
    body = unique_section(sections, kind, what)
    assert body is not None  # unique_section raises when a required section is missing
    return body


def read_r1cs(path: str | PathLike[str]) -> R1csFile:
    """Read an iden3 ``.r1cs`` v1 file over the BN254 scalar field."""
    return parse_r1cs(Path(path).read_bytes(), what=str(path))


def _lc_bytes(lc: LinearCombination) -> bytes:
    out = bytearray(struct.pack("<I", len(lc)))
    for wire in sorted(lc):
        out += struct.pack("<I", wire) + lc[wire].to_bytes(32, "little")
    return bytes(out)


def _n_labels(r1cs: R1CS, wire_map: list[int]) -> int:
    if isinstance(r1cs, R1csFile) and r1cs.n_labels:
        return r1cs.n_labels
    return max(wire_map, default=-1) + 1


def _check_encodable(r1cs: R1CS) -> None:
    for index, row in enumerate(r1cs.constraints):
        for lc in (row.a, row.b, row.c):
            for wire, value in lc.items():
                if not 0 <= wire < r1cs.n_wires or not 0 <= value < SCALAR_FIELD_R:
                    raise MalformedInputError(
                        f"constraint {index}: wire {wire} or its coefficient is out of range"
                    )
    if r1cs.wire_to_label is not None and len(r1cs.wire_to_label) != r1cs.n_wires:
        raise MalformedInputError(
            f"wire_to_label has {len(r1cs.wire_to_label)} entries for {r1cs.n_wires} wires"
        )


def r1cs_to_bytes(r1cs: R1CS) -> bytes:
    """Encode an R1CS as ``.r1cs`` v1 bytes (wire map = identity when the R1CS has none).

    Raises:
        MalformedInputError: a coefficient is not canonical, a wire is out of range, or the
            wire map does not have one entry per wire.
    """
    _check_encodable(r1cs)
    wire_map = r1cs.wire_to_label if r1cs.wire_to_label is not None else list(range(r1cs.n_wires))
    header = field_header(SCALAR_FIELD_R) + struct.pack(
        "<IIIIQI",
        r1cs.n_wires,
        r1cs.n_public_outputs,
        r1cs.n_public_inputs,
        r1cs.n_private_inputs,
        _n_labels(r1cs, wire_map),
        r1cs.n_constraints,
    )
    body = b"".join(_lc_bytes(c.a) + _lc_bytes(c.b) + _lc_bytes(c.c) for c in r1cs.constraints)
    labels = struct.pack(f"<{len(wire_map)}Q", *wire_map)
    return build_container(
        MAGIC, VERSION, [(HEADER, header), (CONSTRAINTS, body), (WIRE_TO_LABEL, labels)]
    )


def write_r1cs(r1cs: R1CS, path: str | PathLike[str]) -> None:
    """Write ``r1cs`` as an iden3 ``.r1cs`` v1 file that circom tooling and snarkjs accept."""
    Path(path).write_bytes(r1cs_to_bytes(r1cs))
