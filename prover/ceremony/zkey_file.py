"""The ceremony parts of a snarkjs Groth16 ``.zkey``: δ in the header and the section-10 transcript.

Header (section 2) after ``n8q ‖ q ‖ n8r ‖ r ‖ nVars ‖ nPublic ‖ domainSize`` holds α₁, β₁,
β₂, γ₂, δ₁, δ₂ (LEM). Section 10 ("MPC params") is the circuit hash (64 bytes), ``u32``
count, then per contribution δ₁ after it, the key s and s·x (G1), s'·x (G2), the 64-byte
transcript hash, ``u32`` type and parameters (:mod:`prover.ceremony.params`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from algebra.backend import Backend
from algebra.constants import G1_BYTES, G2_BYTES
from algebra.errors import FormatError
from circuits.formats.binfile import SectionReader
from prover.ceremony.params import Beacon, decode_params, encode_params
from prover.ceremony.points import from_lem, uncompressed
from prover.container import SectionFile

DELTA_G1_OFFSET = 4 + 32 + 4 + 32 + 12 + 2 * G1_BYTES + 2 * G2_BYTES
DELTA_G2_OFFSET = DELTA_G1_OFFSET + G1_BYTES
HEADER_BYTES = DELTA_G2_OFFSET + G2_BYTES
_RECORD_BYTES = 3 * G1_BYTES + G2_BYTES


@dataclass(frozen=True)
class Phase2Contribution:
    """One record of section 10 (canonical points)."""

    delta_after: bytes
    g1_s: bytes
    g1_sx: bytes
    g2_spx: bytes
    transcript: bytes
    name: str | None
    beacon: Beacon | None

    def public_key(self) -> bytes:
        """Return what snarkjs's ``hashPubKey`` absorbs (four points, transcript)."""
        g1 = uncompressed(self.delta_after + self.g1_s + self.g1_sx, 1)
        return g1 + uncompressed(self.g2_spx, 2) + self.transcript

    def contribution_hash(self) -> bytes:
        """Return the hash a participant publishes to identify their contribution."""
        return hashlib.blake2b(self.public_key()).digest()


@dataclass(frozen=True)
class MpcParams:
    """Section 10: the circuit hash and the contributions so far."""

    circuit_hash: bytes
    contributions: list[Phase2Contribution]


def read_mpc_params(zkey: SectionFile, backend: Backend) -> MpcParams:
    """Return section 10 (FormatError if malformed)."""
    reader = SectionReader(zkey.read(10), f"{zkey.what} contributions")
    circuit_hash, count = reader.take(64), reader.u32()
    records = []
    for index in range(count):
        what = f"{zkey.what} contribution #{index + 1}"
        points = from_lem(backend, reader.take(_RECORD_BYTES), what)
        transcript, kind = reader.take(64), reader.u32()
        name, beacon = decode_params(reader, kind, what)
        records.append(
            Phase2Contribution(
                points[:64], points[64:128], points[128:192], points[192:], transcript, name, beacon
            )
        )
    reader.finish()
    return MpcParams(circuit_hash, records)


def mpc_params_section(params: MpcParams, backend: Backend) -> bytes:
    """Return section 10's body."""
    out = bytearray(params.circuit_hash + len(params.contributions).to_bytes(4, "little"))
    for record in params.contributions:
        points = record.delta_after + record.g1_s + record.g1_sx + record.g2_spx
        out += backend.fq_to_montgomery(points) + record.transcript
        out += (0 if record.beacon is None else 1).to_bytes(4, "little")
        out += encode_params(record.name, record.beacon)
    return bytes(out)


def read_delta(zkey: SectionFile, backend: Backend) -> tuple[bytes, bytes, bytes]:
    """Return ``(raw header, δ₁, δ₂)`` (canonical points) after checking the Groth16 protocol id."""
    if zkey.read(1) != (1).to_bytes(4, "little"):
        raise FormatError(f"{zkey.what}: not a Groth16 zkey")
    header = zkey.read(2)
    if len(header) != HEADER_BYTES:
        raise FormatError(f"{zkey.what}: the header has {len(header)} bytes, not {HEADER_BYTES}")
    delta = from_lem(backend, header[DELTA_G1_OFFSET:], f"{zkey.what} header")
    return header, delta[:G1_BYTES], delta[G1_BYTES:]


def with_delta(header: bytes, delta_g1: bytes, delta_g2: bytes, backend: Backend) -> bytes:
    """Return the header with δ₁, δ₂ replaced (canonical inputs)."""
    return header[:DELTA_G1_OFFSET] + backend.fq_to_montgomery(delta_g1 + delta_g2)
