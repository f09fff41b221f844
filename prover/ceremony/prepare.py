"""``powersoftau prepare phase2``: add the Lagrange-basis sections 12–15 to a ``.ptau``.

For every k = 0 … power (and power + 1 for τ in G1, whose missing last power counts as
infinity), section 12/13/14/15 gets the inverse FFT of the first 2^k points of section
2/3/4/5, concatenated in increasing k (so the size-2^k basis starts at point 2^k − 1),
as ``snarkjs powersoftau prepare phase2`` writes them. Sections 1–7 are copied verbatim.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from algebra.backend import Backend
from algebra.errors import MalformedInputError
from prover.ceremony.point_fft import inverse_fft_points
from prover.ceremony.points import from_lem, point_size
from prover.ceremony.progress import Progress, silent
from prover.ceremony.ptau_file import read_contributions, read_header, section_points
from prover.container import SectionFile, write_container

LAGRANGE_SECTIONS = {12: 2, 13: 3, 14: 4, 15: 5}


def lagrange_section(
    backend: Backend, powers: bytes, group: int, top: int, progress: Progress, label: str
) -> list[bytes]:
    """Return the Lagrange bases of sizes 2^0 … 2^top of ``powers`` (padded with infinity)."""
    size = point_size(group)
    padded = powers + bytes(max(0, (1 << top) * size - len(powers)))
    return [
        inverse_fft_points(backend, padded[: (1 << k) * size], group, progress, f"{label} 2^{k}")
        for k in range(top + 1)
    ]


def prepare_phase2(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    backend: Backend,
    progress: Progress = silent,
) -> None:
    """Write ``target``: ``source`` plus its phase-2 Lagrange sections.

    Raises:
        FormatError: ``source`` is malformed.
        MalformedInputError: ``source`` has no contribution (a blank accumulator is unsafe).
    """
    with SectionFile(source, b"ptau", 1) as ptau:
        header = read_header(ptau)
        if not read_contributions(ptau, backend):
            raise MalformedInputError(f"{ptau.what} has no contribution; contribute first")
        copied = [(kind, [ptau.read(kind)]) for kind in range(1, 8)]
        groups = section_points(header.power)
        inputs = [
            (
                kind,
                groups[origin][0],
                from_lem(backend, ptau.read(origin), f"{ptau.what} section {origin}"),
                header.power + 1 if kind == 12 else header.power,
            )
            for kind, origin in LAGRANGE_SECTIONS.items()
        ]

    def section(kind: int, group: int, powers: bytes, top: int) -> list[bytes]:
        bases = lagrange_section(backend, powers, group, top, progress, f"section {kind}")
        return [backend.fq_to_montgomery(chunk) for chunk in bases]

    # Two sections at a time: the native transforms release the GIL, and the many small
    # transforms (sizes 2^0 … 2^10) leave a core idle when run one after another.
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            (kind, pool.submit(section, kind, group, powers, top))
            for kind, group, powers, top in inputs
        ]
        lagrange = [(kind, future.result()) for kind, future in futures]
    write_container(target, b"ptau", 1, copied + lagrange)
