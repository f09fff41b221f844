"""Round-trip and rejection tests for the .r1cs (v1) and .wtns (v2) readers and writers."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from algebra.constants import FIELD_MODULUS_Q, SCALAR_FIELD_R
from algebra.errors import FormatError, MalformedInputError
from circuits.formats import (
    R1csFile,
    parse_r1cs,
    parse_wtns,
    r1cs_to_bytes,
    read_r1cs,
    read_wtns,
    write_r1cs,
    write_wtns,
    wtns_to_bytes,
)
from circuits.formats.binfile import build_container, parse_container
from circuits.r1cs import R1CS, Constraint

R = SCALAR_FIELD_R


def _multiplier() -> R1CS:
    """w = [1, out, x, y, xy]: xy = x·y, out = xy + 3, (−x)·(−y) = out − 3 (coefficients ≥ r/2)."""
    return R1CS(
        n_wires=5,
        n_public_outputs=1,
        n_public_inputs=1,
        n_private_inputs=1,
        constraints=[
            Constraint({2: 1}, {3: 1}, {4: 1}),
            Constraint({4: 1, 0: 3}, {0: 1}, {1: 1}),
            Constraint({2: R - 1}, {3: R - 1}, {1: 1, 0: R - 3}),
        ],
        wire_to_label=[0, 1, 2, 3, 5],
    )


def test_r1cs_round_trip_preserves_every_field(tmp_path: Path) -> None:
    path = tmp_path / "m.r1cs"
    write_r1cs(_multiplier(), path)
    back = read_r1cs(path)
    original = _multiplier()
    assert back.constraints == original.constraints
    assert (back.n_wires, back.n_public_outputs, back.n_public_inputs, back.n_private_inputs) == (
        5,
        1,
        1,
        1,
    )
    assert back.wire_to_label == [0, 1, 2, 3, 5]
    assert back.n_labels == 6
    assert r1cs_to_bytes(back) == path.read_bytes()


def test_r1cs_without_wire_map_gets_the_identity_map() -> None:
    r1cs = _multiplier()
    r1cs.wire_to_label = None
    back = parse_r1cs(r1cs_to_bytes(r1cs))
    assert back.wire_to_label == [0, 1, 2, 3, 4]
    assert back.n_labels == 5


def test_r1cs_header_layout_matches_the_spec() -> None:
    data = r1cs_to_bytes(_multiplier())
    assert data[:4] == b"r1cs"
    assert struct.unpack_from("<II", data, 4) == (1, 3)
    assert struct.unpack_from("<IQ", data, 12) == (1, 64)
    assert struct.unpack_from("<I", data, 24) == (32,)
    assert int.from_bytes(data[28:60], "little") == R
    assert struct.unpack_from("<IIIIQI", data, 60) == (5, 1, 1, 1, 6, 3)


def test_r1cs_reader_accepts_sections_in_any_order_and_ignores_unknown_ones() -> None:
    sections = parse_container(r1cs_to_bytes(_multiplier()), b"r1cs", 1, "test")
    shuffled = [(3, sections[3][0]), (99, b"extra"), (2, sections[2][0]), (1, sections[1][0])]
    back = parse_r1cs(build_container(b"r1cs", 1, shuffled))
    assert back.constraints == _multiplier().constraints


def test_r1cs_satisfaction_after_round_trip() -> None:
    back = parse_r1cs(r1cs_to_bytes(_multiplier()))
    x, y = 6, R - 2
    witness = [1, (x * y + 3) % R, x, y, x * y % R]
    assert back.is_satisfied(witness)
    witness[4] = (witness[4] + 1) % R
    assert back.which_is_unsatisfied(witness) == (0, "")


@pytest.mark.parametrize(
    ("offset", "patch", "message"),
    [
        (0, b"r1cx", "magic"),
        (4, struct.pack("<I", 2), "version"),
        (24, struct.pack("<I", 48), "field size"),
        (28, (FIELD_MODULUS_Q).to_bytes(32, "little"), "prime"),
    ],
)
def test_r1cs_reader_rejects_bad_headers(offset: int, patch: bytes, message: str) -> None:
    data = bytearray(r1cs_to_bytes(_multiplier()))
    data[offset : offset + len(patch)] = patch
    with pytest.raises(FormatError, match=message):
        parse_r1cs(bytes(data))


@pytest.mark.parametrize("cut", [3, 11, 20, 70, 200])
def test_r1cs_reader_rejects_truncation(cut: int) -> None:
    data = r1cs_to_bytes(_multiplier())
    with pytest.raises(FormatError):
        parse_r1cs(data[: len(data) - cut])


def _with_section(kind: int, body: bytes) -> bytes:
    sections = parse_container(r1cs_to_bytes(_multiplier()), b"r1cs", 1, "test")
    parts = [(k, b) for k, bodies in sections.items() for b in bodies if k != kind]
    return build_container(b"r1cs", 1, [*parts, (kind, body)])


def test_r1cs_reader_rejects_a_coefficient_ge_r() -> None:
    lc = struct.pack("<II", 1, 0) + R.to_bytes(32, "little")
    empty = struct.pack("<I", 0)
    body = lc + empty + empty + (empty * 3) * 2
    with pytest.raises(FormatError, match="coefficient"):
        parse_r1cs(_with_section(2, body))


def test_r1cs_reader_rejects_a_wire_out_of_range() -> None:
    lc = struct.pack("<II", 1, 5) + (1).to_bytes(32, "little")
    empty = struct.pack("<I", 0)
    with pytest.raises(FormatError, match="wire 5"):
        parse_r1cs(_with_section(2, lc + empty * 8))


def test_r1cs_reader_rejects_custom_gates_and_duplicate_sections() -> None:
    with pytest.raises(FormatError, match="custom gates"):
        parse_r1cs(_with_section(4, b""))
    data = r1cs_to_bytes(_multiplier())
    sections = parse_container(data, b"r1cs", 1, "test")
    doubled = [(1, sections[1][0]), (1, sections[1][0]), (2, sections[2][0])]
    with pytest.raises(FormatError, match="appears 2 times"):
        parse_r1cs(build_container(b"r1cs", 1, doubled))


def test_r1cs_writer_rejects_non_canonical_coefficients() -> None:
    bad = R1CS(2, 0, 1, 0, [Constraint({1: R}, {0: 1}, {1: 1})])
    with pytest.raises(MalformedInputError):
        r1cs_to_bytes(bad)


def test_read_r1cs_returns_an_r1cs_with_the_label_count(tmp_path: Path) -> None:
    path = tmp_path / "x.r1cs"
    write_r1cs(R1csFile(3, 0, 1, 0, [Constraint({1: 1}, {1: 1}, {2: 1})], n_labels=7), path)
    back = read_r1cs(path)
    assert isinstance(back, R1CS)
    assert back.n_labels == 7


# --- .wtns --------------------------------------------------------------------------------


def test_wtns_round_trip_with_edge_values(tmp_path: Path) -> None:
    witness = [1, 0, R - 1, 2**200, 12345]
    path = tmp_path / "w.wtns"
    write_wtns(witness, path)
    assert read_wtns(path) == witness


def test_wtns_layout_matches_snarkjs() -> None:
    data = wtns_to_bytes([1, 2])
    assert data[:4] == b"wtns"
    assert struct.unpack_from("<II", data, 4) == (2, 2)
    assert struct.unpack_from("<IQI", data, 12) == (1, 40, 32)
    assert int.from_bytes(data[28:60], "little") == R
    assert struct.unpack_from("<IIQ", data, 60) == (2, 2, 64)
    assert len(data) == 76 + 64


def test_wtns_reader_rejects_a_value_ge_r() -> None:
    data = bytearray(wtns_to_bytes([1, 2]))
    data[-32:] = R.to_bytes(32, "little")
    with pytest.raises(FormatError, match="#1"):
        parse_wtns(bytes(data))


@pytest.mark.parametrize(
    ("offset", "patch", "message"),
    [(0, b"wtnx", "magic"), (4, struct.pack("<I", 1), "version"), (28, bytes(32), "prime")],
)
def test_wtns_reader_rejects_bad_headers(offset: int, patch: bytes, message: str) -> None:
    data = bytearray(wtns_to_bytes([1, 2, 3]))
    data[offset : offset + len(patch)] = patch
    with pytest.raises(FormatError, match=message):
        parse_wtns(bytes(data))


def test_wtns_reader_rejects_truncation_and_count_mismatch() -> None:
    data = wtns_to_bytes([1, 2, 3])
    with pytest.raises(FormatError):
        parse_wtns(data[:-1])
    lying = bytearray(data)
    lying[60:64] = struct.pack("<I", 4)  # header claims 4 values, section holds 3
    with pytest.raises(FormatError, match="4"):
        parse_wtns(bytes(lying))


def test_wtns_writer_rejects_values_outside_fr() -> None:
    with pytest.raises(MalformedInputError, match="#1"):
        wtns_to_bytes([1, R])
    with pytest.raises(MalformedInputError):
        wtns_to_bytes([1, -1])
