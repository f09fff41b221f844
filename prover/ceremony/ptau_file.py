"""The ceremony parts of snarkjs's ``.ptau`` (iden3 container, magic ``ptau``, version 1).

Section 1 is ``n8 = 32 ‖ q ‖ power ‖ ceremonyPower``; 2 τ^i·G1 (2^{power+1} − 1 points),
3 τ^i·G2, 4 ατ^i·G1, 5 βτ^i·G1 (2^power each), 6 β·G2, all in LEM form. Section 7 is
the transcript: ``u32 count`` then per contribution τ·G1, τ·G2, α·G1, β·G1, β·G2 (LEM),
the public key (six G1 then three G2 points, LEM), the 216-byte partial response hash,
the 64-byte next challenge, ``u32 type`` (1 = beacon) and its parameters
(:mod:`prover.ceremony.params`). Sections 12–15 (phase-2 Lagrange bases) are described
in :mod:`prover.ptau`.
"""

from __future__ import annotations

from dataclasses import dataclass

from algebra.backend import Backend
from algebra.constants import FIELD_MODULUS_Q, G1_BYTES, G2_BYTES
from algebra.errors import FormatError
from circuits.formats.binfile import SectionReader, field_header
from prover.ceremony.blake2 import PARTIAL_BYTES, Blake2b512
from prover.ceremony.params import Beacon, decode_params, encode_params
from prover.ceremony.points import from_lem, uncompressed
from prover.container import SectionFile

MAX_POWER = 27
KEY_BYTES = 6 * G1_BYTES + 3 * G2_BYTES


@dataclass(frozen=True)
class PtauKey:
    """A phase-1 contribution's public key (canonical encodings).

    ``g1`` holds ``(τ s, τ s·x, α s, α s·x, β s, β s·x)`` — for each secret x a random G1
    point s and s·x — and ``g2`` the three ``s'·x`` where s' is hashed from the transcript.
    """

    g1: tuple[bytes, bytes, bytes, bytes, bytes, bytes]
    g2: tuple[bytes, bytes, bytes]

    def raw(self) -> bytes:
        """Return the nine points concatenated in canonical form."""
        return b"".join(self.g1) + b"".join(self.g2)

    def uncompressed(self) -> bytes:
        """Return the 768-byte uncompressed encoding the response hash ends with."""
        return uncompressed(b"".join(self.g1), 1) + uncompressed(b"".join(self.g2), 2)


@dataclass(frozen=True)
class Phase1Contribution:
    """One record of section 7 (canonical points)."""

    tau_g1: bytes
    tau_g2: bytes
    alpha_g1: bytes
    beta_g1: bytes
    beta_g2: bytes
    key: PtauKey
    partial_hash: bytes
    next_challenge: bytes
    name: str | None
    beacon: Beacon | None

    def response_hash(self) -> bytes:
        """Return the contribution's response hash: the partial hash finished with its key."""
        return Blake2b512.from_partial(self.partial_hash).update(self.key.uncompressed()).digest()


@dataclass(frozen=True)
class PtauHeader:
    """Section 1: the file's power and the power of the ceremony it was cut from."""

    power: int
    ceremony_power: int


def read_header(ptau: SectionFile) -> PtauHeader:
    """Return section 1 (FormatError unless it is a BN254 header with 1 ≤ power ≤ ceremonyPower)."""
    reader = SectionReader(ptau.read(1), f"{ptau.what} header")
    if reader.u32() != 32 or reader.uint(32) != FIELD_MODULUS_Q:
        raise FormatError(f"{ptau.what}: not a BN254 powers-of-tau file")
    power, ceremony_power = reader.u32(), reader.u32()
    reader.finish()
    if not 1 <= power <= ceremony_power <= MAX_POWER + 1:
        raise FormatError(f"{ptau.what}: power {power} / ceremony power {ceremony_power} invalid")
    return PtauHeader(power, ceremony_power)


def header_section(power: int, ceremony_power: int) -> bytes:
    """Return section 1's body."""
    return (
        field_header(FIELD_MODULUS_Q)
        + power.to_bytes(4, "little")
        + ceremony_power.to_bytes(4, "little")
    )


def section_points(power: int) -> dict[int, tuple[int, int]]:
    """Return ``{section: (group, point count)}`` for sections 2–6 of a power-``power`` file."""
    n = 1 << power
    return {2: (1, 2 * n - 1), 3: (2, n), 4: (1, n), 5: (1, n), 6: (2, 1)}


_RECORD_POINTS = (G1_BYTES, G2_BYTES, G1_BYTES, G1_BYTES, G2_BYTES)


def _read_contribution(reader: SectionReader, backend: Backend, what: str) -> Phase1Contribution:
    points = from_lem(backend, reader.take(sum(_RECORD_POINTS) + KEY_BYTES), what)
    parts, pos = [], 0
    for size in (*_RECORD_POINTS, *([G1_BYTES] * 6), *([G2_BYTES] * 3)):
        parts.append(points[pos : pos + size])
        pos += size
    partial, challenge, kind = reader.take(PARTIAL_BYTES), reader.take(64), reader.u32()
    name, beacon = decode_params(reader, kind, what)
    key = PtauKey(g1=tuple(parts[5:11]), g2=tuple(parts[11:14]))  # type: ignore[arg-type]
    tau_g1, tau_g2, alpha_g1, beta_g1, beta_g2 = parts[:5]
    return Phase1Contribution(
        tau_g1, tau_g2, alpha_g1, beta_g1, beta_g2, key, partial, challenge, name, beacon
    )


def read_contributions(ptau: SectionFile, backend: Backend) -> list[Phase1Contribution]:
    """Return the records of section 7 (FormatError if it is malformed)."""
    reader = SectionReader(ptau.read(7), f"{ptau.what} contributions")
    count = reader.u32()
    out = [
        _read_contribution(reader, backend, f"{ptau.what} contribution #{i + 1}")
        for i in range(count)
    ]
    reader.finish()
    return out


def contributions_section(records: list[Phase1Contribution], backend: Backend) -> bytes:
    """Return section 7's body for ``records``."""
    out = bytearray(len(records).to_bytes(4, "little"))
    for record in records:
        points = record.tau_g1 + record.tau_g2 + record.alpha_g1 + record.beta_g1 + record.beta_g2
        out += backend.fq_to_montgomery(points + record.key.raw())
        out += record.partial_hash + record.next_challenge
        out += (0 if record.beacon is None else 1).to_bytes(4, "little")
        out += encode_params(record.name, record.beacon)
    return bytes(out)
