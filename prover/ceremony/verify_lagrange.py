"""Check a ``.ptau``'s phase-2 sections against its powers (last step of ``verify``).

τ^j = Σ_i ω^{ij} L_i(τ) on the size-n subgroup, so for random r the MSM of the powers
with r must equal the MSM of the Lagrange basis with FFT(r); a wrong basis point passes
with probability ≤ 2^-127 per size.
"""

from __future__ import annotations

from algebra.backend import Backend
from algebra.errors import FormatError
from prover.ceremony.points import from_lem, point_size, validate
from prover.ceremony.progress import Progress
from prover.ceremony.ratio import encode_scalars, random_weights
from prover.ceremony.verdict import Verdict
from prover.container import SectionFile

_SOURCES = {12: (2, 1), 13: (3, 2), 14: (4, 1), 15: (5, 1)}


def _msm(backend: Backend, group: int, points: bytes, scalars: bytes) -> bytes:
    if group == 1:
        return backend.g1_msm(backend.g1_load_bases(points), scalars)
    return backend.g2_msm(backend.g2_load_bases(points), scalars)


def _check_size(
    backend: Backend, powers: bytes, bases: bytes, group: int, k: int, last_missing: bool
) -> bool:
    size, n = point_size(group), 1 << k
    weights = random_weights(n)
    if last_missing:
        weights[-1] = 0
    available = min(n, len(powers) // size)
    lhs = _msm(backend, group, powers[: available * size], encode_scalars(weights[:available]))
    transformed = backend.fr_ntt(encode_scalars(weights))
    rhs = _msm(backend, group, bases[(n - 1) * size : (2 * n - 1) * size], transformed)
    return lhs == rhs


def verify_lagrange_sections(
    backend: Backend,
    ptau: SectionFile,
    power: int,
    sections: dict[int, bytes],
    verdict: Verdict,
    progress: Progress,
) -> None:
    """Record whether sections 12–15, when present, are the Lagrange bases of sections 2–5."""
    present = [kind for kind in _SOURCES if ptau.has(kind)]
    if not present:
        verdict.notes.append("not prepared for phase 2 (no Lagrange sections)")
        return
    if not verdict.check(len(present) == 4, "only some of the phase-2 sections 12–15 exist"):
        return
    for kind, (origin, group) in _SOURCES.items():
        top = power + 1 if kind == 12 else power
        expected = ((1 << (top + 1)) - 1) * point_size(group)
        if ptau.size(kind) != expected:
            raise FormatError(f"{ptau.what}: section {kind} has the wrong size")
        bases = from_lem(backend, ptau.read(kind), f"{ptau.what} section {kind}")
        validate(backend, bases, group, f"{ptau.what} section {kind}")
        for k in range(top + 1):
            verdict.check(
                _check_size(backend, sections[origin], bases, group, k, k == power + 1),
                f"section {kind}: the size-2^{k} Lagrange basis does not match the powers",
            )
        progress("Lagrange bases", kind - 11, 4)
