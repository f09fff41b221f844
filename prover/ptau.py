"""Read the phase-2 Lagrange bases of a snarkjs powers-of-tau file (``.ptau``, magic ``ptau``).

Layout (iden3 container, points affine in little-endian Montgomery form like ``.zkey``):
section 1 is the header ``n8 ‖ q ‖ power ‖ ceremonyPower``; sections 2–6 hold τ^i·G1,
τ^i·G2, ατ^i·G1, βτ^i·G1 and β·G2; ``snarkjs powersoftau prepare phase2`` adds sections
12–15 with the same four series in the Lagrange basis, for every domain size 2^k,
k = 0 … power (section 12, τ in G1, goes to power + 1), concatenated in increasing k, so
the basis of size 2^k starts at point index 2^k − 1.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from algebra.backend import Backend
from algebra.constants import FIELD_MODULUS_Q, G1_BYTES, G2_BYTES
from algebra.errors import FormatError, MalformedInputError
from circuits.formats.binfile import SectionReader
from prover.container import SectionFile


@dataclass(frozen=True)
class Phase2Bases:
    """The Lagrange-basis points a Groth16 setup over a size-n domain needs (canonical encodings).

    Attributes:
        tau_g1, alpha_tau_g1, beta_tau_g1: n G1 points ``L_i(τ)``, ``α·L_i(τ)``, ``β·L_i(τ)``.
        tau_g2: n G2 points ``L_i(τ)``.
        h_odd: n G1 points ``L^{(2n)}_{2i+1}(τ)`` (the odd half of the 2n-domain basis).
        alpha_g1, beta_g1: 64-byte α and β in G1; beta_g2: 128-byte β in G2.
        tau_powers_g1: the monomial powers ``τ^0 … τ^{2n−2}`` in G1 (circuit hash, H check).
        tau_one_g2: ``τ·G2`` (to check a τ^{2n−1} slot by pairing).
        reduced: the file's power is below its ceremony's (cut from a larger ceremony).
    """

    tau_g1: bytes
    tau_g2: bytes
    alpha_tau_g1: bytes
    beta_tau_g1: bytes
    h_odd: bytes
    alpha_g1: bytes
    beta_g1: bytes
    beta_g2: bytes
    tau_powers_g1: bytes
    tau_one_g2: bytes
    reduced: bool


def _read_powers(ptau: SectionFile) -> tuple[int, int]:
    """Return ``(power, ceremony power)`` from section 1."""
    header = SectionReader(ptau.read(1), f"{ptau.what} header")
    if header.u32() != 32 or header.uint(32) != FIELD_MODULUS_Q:
        raise FormatError(f"{ptau.what}: not a BN254 powers-of-tau file")
    power, ceremony_power = header.u32(), header.u32()
    header.finish()
    return power, ceremony_power


def _convert(backend: Backend, ptau: SectionFile, raw: bytes, group: int) -> bytes:
    try:
        points = backend.fq_from_montgomery(raw)
        if group == 1:
            backend.g1_validate(points)
        else:
            backend.g2_validate(points)
    except MalformedInputError as error:
        raise FormatError(f"{ptau.what}: {error}") from error
    return points


def read_phase2_bases(
    path: str | os.PathLike[str], domain_size: int, backend: Backend
) -> Phase2Bases:
    """Return the size-``domain_size`` Lagrange bases of a phase-2-prepared ``.ptau``.

    Raises:
        FormatError: the file is malformed or was not prepared for phase 2.
        MalformedInputError: the ceremony's power is too small for ``domain_size``.
    """
    n = domain_size
    with SectionFile(path, b"ptau", 1) as ptau:
        power, ceremony_power = _read_powers(ptau)
        if not ptau.has(12):
            raise FormatError(
                f"{ptau.what}: not prepared for phase 2 (run `snarkjs powersoftau prepare phase2`)"
            )
        if n.bit_length() - 1 > power:
            raise MalformedInputError(
                f"the circuit needs a 2^{n.bit_length() - 1} domain; {ptau.what} has power {power}"
            )

        def g1(kind: int, start: int, count: int) -> bytes:
            raw = ptau.read(kind, start * G1_BYTES, count * G1_BYTES)
            return _convert(backend, ptau, raw, 1)

        both = np.frombuffer(g1(12, 2 * n - 1, 2 * n), dtype=np.uint8).reshape(n, 2, G1_BYTES)
        return Phase2Bases(
            tau_g1=g1(12, n - 1, n),
            tau_g2=_convert(backend, ptau, ptau.read(13, (n - 1) * G2_BYTES, n * G2_BYTES), 2),
            alpha_tau_g1=g1(14, n - 1, n),
            beta_tau_g1=g1(15, n - 1, n),
            h_odd=both[:, 1, :].tobytes(),
            alpha_g1=g1(4, 0, 1),
            beta_g1=g1(5, 0, 1),
            beta_g2=_convert(backend, ptau, ptau.read(6, 0, G2_BYTES), 2),
            tau_powers_g1=g1(2, 0, 2 * n - 1),
            tau_one_g2=_convert(backend, ptau, ptau.read(3, G2_BYTES, G2_BYTES), 2),
            reduced=n.bit_length() - 1 < power or power < ceremony_power,
        )
