"""Contribution secrets, their proofs of knowledge (snarkjs's ``keypair``) and their RNGs.

For a secret x the contributor publishes a random G1 point s, s·x, and s'·x where
``s' = hashToG2(Blake2b(personalization ‖ challenge ‖ s ‖ s·x))`` (phase 1; personalization
0/1/2 for τ/α/β) or ``s' = hashToG2(transcript)`` (phase 2). Anyone checks
``e(s, s'·x) = e(s·x, s')`` and then uses (s', s'·x) to check the accumulator moved by x
(eprint 2017/1050 §3). Secrets come from a ChaCha stream seeded with BLAKE2b-512 of 64
OS-random bytes and the participant's entropy, or — for a beacon — with SHA-256 iterated
``2^iterations_exp`` times over the public beacon value, so anyone can re-derive it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from algebra.backend import Backend
from algebra.encoding import fr_to_bytes, g1_to_bytes, g2_to_bytes
from algebra.errors import MalformedInputError
from prover.ceremony.chacha import ChaCha
from prover.ceremony.params import Beacon, beacon_problem
from prover.ceremony.points import uncompressed
from prover.ceremony.ptau_file import PtauKey
from prover.ceremony.rng_points import fr_from_rng, g1_from_rng, hash_to_g2


def entropy_rng(entropy: str | None) -> ChaCha:
    """Return a stream seeded from the OS CSPRNG, mixed with the optional user entropy."""
    digest = hashlib.blake2b(os.urandom(64) + (entropy or "").encode("utf-8")).digest()
    return ChaCha.from_digest(digest)


def check_beacon(beacon: Beacon) -> None:
    """Raise MalformedInputError unless the beacon has 1–255 bytes and 10 ≤ exp ≤ 30."""
    if (problem := beacon_problem(beacon)) is not None:
        raise MalformedInputError(problem)


def beacon_rng(beacon: Beacon) -> ChaCha:
    """Return the stream of a beacon: SHA-256 applied ``2^iterations_exp`` times, then ChaCha."""
    value = beacon.hash
    for _ in range(1 << beacon.iterations_exp):
        value = hashlib.sha256(value).digest()
    return ChaCha.from_digest(value)


def scale_g1(backend: Backend, point: bytes, scalar: int) -> bytes:
    """Return ``scalar·P`` for one canonical G1 point."""
    return backend.g1_scale(point, fr_to_bytes(scalar))


def scale_g2(backend: Backend, point: bytes, scalar: int) -> bytes:
    """Return ``scalar·Q`` for one canonical G2 point."""
    return backend.g2_scale(point, fr_to_bytes(scalar))


def ptau_g2_sp(personalization: int, challenge: bytes, g1_s: bytes, g1_sx: bytes) -> bytes:
    """Return the hashed G2 point s' of a phase-1 proof of knowledge (canonical)."""
    digest = hashlib.blake2b(
        bytes([personalization]) + challenge + uncompressed(g1_s + g1_sx, 1)
    ).digest()
    return g2_to_bytes(hash_to_g2(digest))


@dataclass(frozen=True, repr=False)
class PtauSecrets:
    """A phase-1 contribution's toxic waste; never stored, dropped after use."""

    tau: int
    alpha: int
    beta: int


def create_ptau_key(challenge: bytes, rng: ChaCha, backend: Backend) -> tuple[PtauSecrets, PtauKey]:
    """Draw τ, α, β and their proofs of knowledge for ``challenge`` (snarkjs's draw order)."""
    secrets = PtauSecrets(fr_from_rng(rng), fr_from_rng(rng), fr_from_rng(rng))
    g1: list[bytes] = []
    g2: list[bytes] = []
    for personalization, secret in enumerate((secrets.tau, secrets.alpha, secrets.beta)):
        s = g1_to_bytes(g1_from_rng(rng))
        sx = scale_g1(backend, s, secret)
        g1 += [s, sx]
        g2.append(scale_g2(backend, ptau_g2_sp(personalization, challenge, s, sx), secret))
    return secrets, PtauKey(g1=tuple(g1), g2=tuple(g2))  # type: ignore[arg-type]
