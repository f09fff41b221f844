"""Phase 1 (powers of tau): start an accumulator and apply contributions or a beacon to it.

A contribution with secrets (τ', α', β') multiplies point i of τ^i·G1 and τ^i·G2 by τ'^i,
of ατ^i·G1 by α'τ'^i, of βτ^i·G1 by β'τ'^i, and β·G2 by β' (eprint 2017/1050 §3), on the
native ``g1_scale``/``g2_scale`` kernels with the power vector computed once per chunk.
Its response hash is BLAKE2b-512(challenge ‖ compressed new points ‖ public key) and the
next challenge BLAKE2b-512(response ‖ uncompressed new points), as in snarkjs.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from algebra.backend import Backend
from algebra.constants import G1_GENERATOR, G2_GENERATOR, SCALAR_FIELD_R
from algebra.encoding import g1_to_bytes, g2_to_bytes
from algebra.errors import MalformedInputError
from prover.ceremony.blake2 import Blake2b512
from prover.ceremony.chacha import ChaCha
from prover.ceremony.keys import PtauSecrets, beacon_rng, check_beacon, create_ptau_key
from prover.ceremony.params import Beacon
from prover.ceremony.points import compressed, from_lem, point_size, uncompressed
from prover.ceremony.progress import Progress, silent
from prover.ceremony.ptau_file import (
    MAX_POWER,
    Phase1Contribution,
    contributions_section,
    header_section,
    read_contributions,
    read_header,
    section_points,
)
from prover.container import SectionFile, write_container

R = SCALAR_FIELD_R
CHUNK = 1 << 16
G1_ONE = g1_to_bytes(G1_GENERATOR)
G2_ONE = g2_to_bytes(G2_GENERATOR)


def first_challenge(power: int) -> bytes:
    """Return the challenge of the first contribution: the hash of the blank accumulator."""
    digest = hashlib.blake2b(hashlib.blake2b(b"").digest())
    one = {1: uncompressed(G1_ONE, 1), 2: uncompressed(G2_ONE, 2)}
    for group, count in section_points(power).values():
        block = one[group] * min(count, CHUNK)
        for start in range(0, count, CHUNK):
            digest.update(block[: min(CHUNK, count - start) * len(one[group])])
    return digest.digest()


def new_ptau(power: int, path: str | os.PathLike[str], *, backend: Backend) -> bytes:
    """Write a blank accumulator (every point a generator) and return its first challenge.

    Raises:
        MalformedInputError: power outside 1 … 27.
    """
    if not 1 <= power <= MAX_POWER:
        raise MalformedInputError(f"power must be between 1 and {MAX_POWER}, not {power}")
    generators = {1: G1_ONE, 2: G2_ONE}
    sections: list[tuple[int, list[bytes]]] = [(1, [header_section(power, power)])]
    for kind, (group, count) in section_points(power).items():
        sections.append((kind, [backend.fq_to_montgomery(generators[group]) * count]))
    sections.append((7, [bytes(4)]))
    write_container(path, b"ptau", 1, sections)
    return first_challenge(power)


@dataclass(frozen=True)
class ContributionResult:
    """What a participant publishes after contributing: both hashes of their contribution."""

    response_hash: bytes
    next_challenge: bytes
    contributions: int


def _powers(first: int, inc: int, start: int, count: int) -> bytes:
    value = first * pow(inc, start, R) % R
    out = bytearray(32 * count)
    for index in range(count):
        out[32 * index : 32 * index + 32] = value.to_bytes(32, "little")
        value = value * inc % R
    return bytes(out)


def _scale_section(
    backend: Backend,
    ptau: SectionFile,
    kind: int,
    group: int,
    count: int,
    scalars: tuple[int, int],
    progress: Progress,
) -> list[bytes]:
    """Return the canonical chunks of section ``kind`` multiplied by ``first·inc^i``."""
    size = point_size(group)
    scale = backend.g1_scale if group == 1 else backend.g2_scale
    chunks = []
    for start in range(0, count, CHUNK):
        n = min(CHUNK, count - start)
        raw = from_lem(backend, ptau.read(kind, start * size, n * size), ptau.what)
        chunks.append(scale(raw, _powers(*scalars, start, n)))
        progress(f"section {kind}", start + n, count)
    return chunks


def _apply(
    backend: Backend,
    ptau: SectionFile,
    power: int,
    secrets: PtauSecrets,
    response: Blake2b512,
    progress: Progress,
) -> dict[int, list[bytes]]:
    """Return the new sections 2–6 (canonical chunks), absorbed compressed into ``response``."""
    tau, alpha, beta = secrets.tau, secrets.alpha, secrets.beta
    scalars = {2: (1, tau), 3: (1, tau), 4: (alpha, tau), 5: (beta, tau), 6: (beta, tau)}
    out = {}
    for kind, (group, count) in section_points(power).items():
        chunks = _scale_section(backend, ptau, kind, group, count, scalars[kind], progress)
        for chunk in chunks:
            response.update(compressed(chunk, group))
        out[kind] = chunks
    return out


def contribute(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    name: str | None,
    rng: ChaCha,
    backend: Backend,
    beacon: Beacon | None = None,
    progress: Progress = silent,
) -> ContributionResult:
    """Apply one contribution (secrets drawn from ``rng``) to ``source`` and write ``target``.

    The output drops any phase-2 sections (they must be prepared again).

    Raises:
        FormatError: ``source`` is not a well-formed ``.ptau``.
        MalformedInputError: ``source`` was reduced from a bigger ceremony.
    """
    with SectionFile(source, b"ptau", 1) as ptau:
        header = read_header(ptau)
        if header.power != header.ceremony_power:
            raise MalformedInputError(f"{ptau.what} was reduced; contribute to the full file")
        records = read_contributions(ptau, backend)
        challenge = records[-1].next_challenge if records else first_challenge(header.power)
        secrets, key = create_ptau_key(challenge, rng, backend)
        rng.wipe()  # the stream could re-derive τ, α, β: drop it before the long scaling pass
        response = Blake2b512().update(challenge)
        sections = _apply(backend, ptau, header.power, secrets, response, progress)
    del secrets
    partial = response.partial()
    response_hash = response.update(key.uncompressed()).digest()
    next_hash = hashlib.blake2b(response_hash)
    for kind, (group, _) in section_points(header.power).items():
        for chunk in sections[kind]:
            next_hash.update(uncompressed(chunk, group))
    record = Phase1Contribution(
        tau_g1=sections[2][0][64:128],
        tau_g2=sections[3][0][128:256],
        alpha_g1=sections[4][0][:64],
        beta_g1=sections[5][0][:64],
        beta_g2=sections[6][0][:128],
        key=key,
        partial_hash=partial,
        next_challenge=next_hash.digest(),
        name=name,
        beacon=beacon,
    )
    body = [(1, [header_section(header.power, header.power)])]
    body += [(kind, [backend.fq_to_montgomery(c) for c in sections[kind]]) for kind in sections]
    body.append((7, [contributions_section([*records, record], backend)]))
    write_container(target, b"ptau", 1, body)
    return ContributionResult(response_hash, record.next_challenge, len(records) + 1)


def apply_beacon(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    name: str | None,
    beacon: Beacon,
    backend: Backend,
    progress: Progress = silent,
) -> ContributionResult:
    """Apply the contribution derived from a public beacon (anyone can recompute its secrets).

    Raises:
        MalformedInputError: the beacon is outside snarkjs's limits.
    """
    check_beacon(beacon)
    return contribute(
        source,
        target,
        name=name,
        rng=beacon_rng(beacon),
        backend=backend,
        beacon=beacon,
        progress=progress,
    )
