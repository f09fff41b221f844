"""Phase 2 (BGM17, eprint 2017/1050 §4): a contribution x multiplies δ by x and L, H by x⁻¹.

The proof of knowledge binds x to the transcript: ``s`` random in G1, ``s·x``, and
``s'·x`` with ``s' = hashToG2(Blake2b(circuit hash ‖ previous public keys ‖ s ‖ s·x))``.
Sections 3–7 are copied verbatim, L and H rescaled with one native ``g1_scale`` pass.
"""

from __future__ import annotations

import hashlib
import os

from algebra.backend import Backend
from algebra.constants import G1_BYTES, SCALAR_FIELD_R
from algebra.encoding import g1_to_bytes, g2_to_bytes
from prover.ceremony.chacha import ChaCha
from prover.ceremony.keys import beacon_rng, check_beacon, scale_g1, scale_g2
from prover.ceremony.params import Beacon
from prover.ceremony.points import from_lem, uncompressed
from prover.ceremony.progress import Progress, silent
from prover.ceremony.rng_points import fr_from_rng, g1_from_rng, hash_to_g2
from prover.ceremony.zkey_file import (
    MpcParams,
    Phase2Contribution,
    mpc_params_section,
    read_delta,
    read_mpc_params,
    with_delta,
)
from prover.container import SectionFile, write_container

R = SCALAR_FIELD_R
CHUNK = 1 << 16


def transcript_prefix(params: MpcParams) -> hashlib.blake2b:
    """Return the hasher that has absorbed the circuit hash and every previous public key."""
    hasher = hashlib.blake2b(params.circuit_hash)
    for record in params.contributions:
        hasher.update(record.public_key())
    return hasher


def delta_key(
    params: MpcParams, rng: ChaCha, backend: Backend
) -> tuple[int, bytes, bytes, bytes, bytes]:
    """Draw x and its proof of knowledge ``(x, s, s·x, s'·x, transcript)`` in snarkjs's order."""
    secret = fr_from_rng(rng)
    g1_s = g1_to_bytes(g1_from_rng(rng))
    g1_sx = scale_g1(backend, g1_s, secret)
    hasher = transcript_prefix(params)
    hasher.update(uncompressed(g1_s + g1_sx, 1))
    transcript = hasher.digest()
    g2_spx = scale_g2(backend, g2_to_bytes(hash_to_g2(transcript)), secret)
    return secret, g1_s, g1_sx, g2_spx, transcript


def _rescale(
    backend: Backend, zkey: SectionFile, kind: int, factor: bytes, progress: Progress
) -> list[bytes]:
    total = zkey.size(kind) // G1_BYTES
    out = []
    for start in range(0, total, CHUNK):
        n = min(CHUNK, total - start)
        raw = from_lem(backend, zkey.read(kind, start * G1_BYTES, n * G1_BYTES), zkey.what)
        out.append(backend.fq_to_montgomery(backend.g1_scale(raw, factor * n)))
        progress(f"section {kind}", start + n, total)
    return out


def contribute_zkey(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    name: str | None,
    rng: ChaCha,
    backend: Backend,
    beacon: Beacon | None = None,
    progress: Progress = silent,
) -> Phase2Contribution:
    """Apply one δ contribution to ``source`` and write ``target``; return the new record.

    ``source`` must pass :func:`prover.ceremony.contribution_input.check_key_structure`
    (not a dev key, metadata or not; an intact δ chain); callers that hold the circuit's
    r1cs and the ptau should also run ``check_against_ceremony`` first.

    Raises:
        FormatError: ``source`` is not a well-formed Groth16 zkey.
        NotACeremonyKeyError: ``source`` is an UNSAFE dev-setup key or its δ chain is broken.
    """
    # Imported here: contribution_input uses the verifier, which imports this module.
    from prover.ceremony.contribution_input import check_key_structure

    check_key_structure(source, backend=backend)
    with SectionFile(source, b"zkey", 2) as zkey:
        header, delta_g1, delta_g2 = read_delta(zkey, backend)
        params = read_mpc_params(zkey, backend)
        secret, g1_s, g1_sx, g2_spx, transcript = delta_key(params, rng, backend)
        rng.wipe()  # the stream could re-derive x: drop it before the long rescaling pass
        new_g1, new_g2 = scale_g1(backend, delta_g1, secret), scale_g2(backend, delta_g2, secret)
        inverse = pow(secret, R - 2, R).to_bytes(32, "little")
        del secret
        scaled = {kind: _rescale(backend, zkey, kind, inverse, progress) for kind in (8, 9)}
        copied = {kind: [zkey.read(kind)] for kind in (1, 3, 4, 5, 6, 7)}
    record = Phase2Contribution(new_g1, g1_s, g1_sx, g2_spx, transcript, name, beacon)
    updated = MpcParams(params.circuit_hash, [*params.contributions, record])
    body = {**copied, **scaled, 2: [with_delta(header, new_g1, new_g2, backend)]}
    body[10] = [mpc_params_section(updated, backend)]
    write_container(target, b"zkey", 1, [(kind, body[kind]) for kind in range(1, 11)])
    return record


def beacon_zkey(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    name: str | None,
    beacon: Beacon,
    backend: Backend,
    progress: Progress = silent,
) -> Phase2Contribution:
    """Apply the δ contribution derived from a public beacon (anyone can re-derive it)."""
    check_beacon(beacon)
    return contribute_zkey(
        source,
        target,
        name=name,
        rng=beacon_rng(beacon),
        backend=backend,
        beacon=beacon,
        progress=progress,
    )
