"""The parameters closing a contribution record (``.ptau`` section 7, ``.zkey`` section 10).

``u32 length`` then entries sorted by type: 1 = name (u8 length, UTF-8, at most 64
characters), 2 = beacon iterations exponent (u8), 3 = beacon hash (u8 length, bytes).
Beacon entries appear exactly when the record's type is 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from algebra.errors import FormatError
from circuits.formats.binfile import SectionReader

MAX_NAME_CHARS = 64
MIN_BEACON_EXP, MAX_BEACON_EXP = 10, 30
"""The beacon exponents zkm makes and accepts. snarkjs allows up to 63, but a verifier must
iterate SHA-256 2^exp times (2^30 ≈ half an hour in CPython; 2^63 never ends), so a larger
exponent would let a transcript hang every verifier; exp 0 would make grinding free."""


@dataclass(frozen=True)
class Beacon:
    """A public randomness beacon: ``hash`` iterated ``2^iterations_exp`` times with SHA-256."""

    hash: bytes
    iterations_exp: int


def beacon_problem(beacon: Beacon) -> str | None:
    """Return why ``beacon`` is outside what the tools make (1–255 bytes, exp 10–30), or None."""
    if not 1 <= len(beacon.hash) <= 255:
        return "the beacon hash must have 1 to 255 bytes"
    if not MIN_BEACON_EXP <= beacon.iterations_exp <= MAX_BEACON_EXP:
        return (
            f"the beacon iteration exponent is {beacon.iterations_exp}, "
            f"not between {MIN_BEACON_EXP} and {MAX_BEACON_EXP}"
        )
    return None


def encode_params(name: str | None, beacon: Beacon | None) -> bytes:
    """Return the ``u32 length ‖ entries`` encoding of a record's name and beacon."""
    entries = bytearray()
    if name:
        data = name[:MAX_NAME_CHARS].encode("utf-8")
        entries += bytes([1, len(data)]) + data
    if beacon is not None:
        entries += bytes([2, beacon.iterations_exp, 3, len(beacon.hash)]) + beacon.hash
    return len(entries).to_bytes(4, "little") + bytes(entries)


def _entries(body: bytes, what: str) -> dict[int, bytes | int]:
    found: dict[int, bytes | int] = {}
    pos, last = 0, 0
    try:
        while pos < len(body):
            tag = body[pos]
            if tag <= last or tag > 3:
                raise FormatError(f"{what}: parameter {tag} is unknown or out of order")
            last = tag
            if tag == 2:
                found[tag], pos = body[pos + 1], pos + 2
            else:
                size = body[pos + 1]
                found[tag], pos = body[pos + 2 : pos + 2 + size], pos + 2 + size
    except IndexError as error:
        raise FormatError(f"{what}: parameters are truncated") from error
    if pos != len(body):
        raise FormatError(f"{what}: parameters are truncated")
    return found


def decode_params(reader: SectionReader, kind: int, what: str) -> tuple[str | None, Beacon | None]:
    """Read the parameters of a record of type ``kind`` (0 contribution, 1 beacon).

    Raises:
        FormatError: unknown, unsorted or truncated entries, or a type that disagrees with them.
    """
    found = _entries(reader.take(reader.u32()), what)
    name: str | None = None
    if isinstance(raw := found.get(1), bytes):
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FormatError(f"{what}: the contributor name is not UTF-8") from error
    if kind not in (0, 1) or (kind == 1) != (2 in found and 3 in found):
        raise FormatError(f"{what}: contribution type {kind} does not match its parameters")
    digest, exp = found.get(3), found.get(2)
    if kind == 0:
        return name, None
    assert isinstance(digest, bytes) and isinstance(exp, int)
    return name, Beacon(digest, exp)
