"""Check a ``.ptau``'s phase-2 sections against its powers (last step of ``verify``).

τ^j = Σ_i ω^{ij} L_i(τ) on the size-n subgroup, so for random r the MSM of the powers
with r must equal the MSM of the Lagrange basis with FFT(r); a wrong basis point passes
with probability ≤ 2^-127 per size.

The largest τG1 basis (size 2^{power+1}) is the transform of powers whose last one,
τ^{2^{power+1}−1}, is not in the file. Its value X = Σ_i ω^{i(N−1)} B_i is recovered from
the basis and must be what an honest ``prepare phase2`` writes (∞, or τ^{N−1}·G1 in a
file cut from a larger ceremony, :func:`prover.ptau_check.top_power_is_honest`); every
slot, that one included, then gets a non-zero random weight. Leaving X unchecked lets a
coordinator poison the H query (issue 19).
"""

from __future__ import annotations

from algebra.backend import Backend
from algebra.constants import G2_BYTES
from algebra.errors import FormatError
from prover.ceremony.points import from_lem, point_size, validate
from prover.ceremony.progress import Progress
from prover.ceremony.ratio import encode_scalars, random_weights
from prover.ceremony.verdict import Verdict
from prover.container import SectionFile
from prover.ptau_check import top_power_is_honest

_SOURCES = {12: (2, 1), 13: (3, 2), 14: (4, 1), 15: (5, 1)}


def _msm(backend: Backend, group: int, points: bytes, scalars: bytes) -> bytes:
    if group == 1:
        return backend.g1_msm(backend.g1_load_bases(points), scalars)
    return backend.g2_msm(backend.g2_load_bases(points), scalars)


def _top_power(backend: Backend, block: bytes) -> bytes:
    """Return X = Σ_i ω^{i(N−1)}·B_i, the last power the size-N G1 basis ``block`` encodes."""
    count = len(block) // point_size(1)
    unit = encode_scalars([0] * (count - 1) + [1])
    return _msm(backend, 1, block, backend.fr_ntt(unit))


def _check_size(
    backend: Backend, powers: bytes, block: bytes, group: int, top: bytes | None
) -> bool:
    """Return whether ``block`` is the inverse FFT of ``powers`` (then ``top``, if not None)."""
    size, n = point_size(group), len(block) // point_size(group)
    weights = [weight or 1 for weight in random_weights(n)]
    available = n if top is None else n - 1
    lhs = _msm(backend, group, powers[: available * size], encode_scalars(weights[:available]))
    if top is not None and top != bytes(size):
        lhs = backend.g1_add(lhs, backend.g1_scale(top, encode_scalars(weights[-1:])))
    rhs = _msm(backend, group, block, backend.fr_ntt(encode_scalars(weights)))
    return lhs == rhs


def _check_top_block(
    backend: Backend, powers: bytes, block: bytes, tau_g2: bytes, reduced: bool
) -> str | None:
    """Return why the size-2^{power+1} τG1 basis is wrong, or None if it is honest."""
    top = _top_power(backend, block)
    below = powers[: (len(block) // point_size(1) - 1) * point_size(1)]
    if not top_power_is_honest(backend, top, below, tau_g2, reduced=reduced):
        return (
            "section 12: the largest Lagrange basis encodes a τ^(2n−1) point that no honest "
            "`prepare phase2` writes (a poisoned H query: anyone could prove false statements)"
        )
    if not _check_size(backend, powers, block, 1, top):
        return "section 12: the largest Lagrange basis does not match the powers"
    return None


def verify_lagrange_sections(
    backend: Backend,
    ptau: SectionFile,
    power: int,
    sections: dict[int, bytes],
    verdict: Verdict,
    progress: Progress,
    *,
    reduced: bool,
) -> None:
    """Record whether sections 12–15, when present, are the Lagrange bases of sections 2–5.

    ``reduced``: the file's power is below its ceremony's, so the largest τG1 basis may
    carry the true τ^{2^{power+1}−1} (:func:`_check_top_block`).
    """
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
        size = point_size(group)
        for k in range(top + 1):
            block = bases[((1 << k) - 1) * size : ((2 << k) - 1) * size]
            if k == power + 1:
                tau_g2 = sections[3][G2_BYTES : 2 * G2_BYTES]
                failure = _check_top_block(backend, sections[origin], block, tau_g2, reduced)
                verdict.check(failure is None, failure or "")
                continue
            verdict.check(
                _check_size(backend, sections[origin], block, group, None),
                f"section {kind}: the size-2^{k} Lagrange basis does not match the powers",
            )
        progress("Lagrange bases", kind - 11, 4)
