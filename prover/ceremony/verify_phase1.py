"""Verify a ``.ptau`` transcript: proofs of knowledge, powers, hashes and Lagrange bases.

Checks, as ``snarkjs powersoftau verify`` does and a little more:

1. each contribution's three proofs of knowledge against the previous challenge, and that it
   moved τ·G1, τ·G2, α·G1, β·G1, β·G2 by the proven secrets (beacons: the key re-derived);
2. the sections hold consecutive powers of the last τ (random folding + one pairing each),
   start with the generators and agree with the last record;
3. the last record's response hash covers the sections' compressed points and its next
   challenge their uncompressed points (snarkjs only checks the latter); every earlier
   record's hash state has the right length and tail, and is checked whole when its
   contributor's output file is given;
4. if prepared for phase 2, each Lagrange basis is the inverse FFT of the powers:
   ``Σ r_j τ^j·G = Σ FFT(r)_i L_i(τ)·G`` for random r.

5. the largest τG1 basis encodes an honest τ^{2n−1} slot (issue 19), beacons use an
   exponent the tools make, and the file has only known sections and no trailing bytes.

Every point is validated (on the curve, G2 in the subgroup) before any pairing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

from algebra.backend import Backend
from algebra.constants import G1_BYTES, G2_BYTES
from algebra.errors import FormatError
from prover.ceremony.blake2 import Blake2b512
from prover.ceremony.keys import beacon_rng, create_ptau_key, ptau_g2_sp
from prover.ceremony.params import beacon_problem
from prover.ceremony.phase1 import G1_ONE, G2_ONE, first_challenge
from prover.ceremony.points import compressed, from_lem, point_size, uncompressed, validate
from prover.ceremony.progress import Progress, silent
from prover.ceremony.ptau_file import (
    Phase1Contribution,
    PtauKey,
    read_contributions,
    read_header,
    section_points,
)
from prover.ceremony.ratio import fold_consecutive, same_ratio
from prover.ceremony.verdict import Verdict
from prover.ceremony.verify_lagrange import verify_lagrange_sections
from prover.ceremony.verify_layout import check_ptau_layout
from prover.ceremony.verify_responses import partial_hash_is_consistent
from prover.container import SectionFile


def _initial(ceremony_power: int) -> Phase1Contribution:
    key = PtauKey(g1=(G1_ONE,) * 6, g2=(G2_ONE,) * 3)
    return Phase1Contribution(
        G1_ONE,
        G2_ONE,
        G1_ONE,
        G1_ONE,
        G2_ONE,
        key,
        b"",
        first_challenge(ceremony_power),
        None,
        None,
    )


def _validate_record(backend: Backend, record: Phase1Contribution, what: str) -> None:
    g1 = record.tau_g1 + record.alpha_g1 + record.beta_g1 + b"".join(record.key.g1)
    validate(backend, g1, 1, what)
    validate(backend, record.tau_g2 + record.beta_g2 + b"".join(record.key.g2), 2, what)


def _check_beacon(
    backend: Backend, cur: Phase1Contribution, challenge: bytes, verdict: Verdict, label: str
) -> None:
    if cur.beacon is None:
        return
    # Before deriving: an exponent outside the tools' range is refused, not iterated.
    if not verdict.check((problem := beacon_problem(cur.beacon)) is None, f"{label}: {problem}"):
        return
    _, expected = create_ptau_key(challenge, beacon_rng(cur.beacon), backend)
    verdict.check(expected == cur.key, f"{label}: the key was not derived from its beacon")


def check_contribution(
    backend: Backend,
    cur: Phase1Contribution,
    prev: Phase1Contribution,
    verdict: Verdict,
    label: str,
) -> None:
    """Record whether ``cur`` proves knowledge of its secrets and applied them to ``prev``."""
    _check_beacon(backend, cur, prev.next_challenge, verdict, label)
    g1, g2 = cur.key.g1, cur.key.g2
    sp = [ptau_g2_sp(i, prev.next_challenge, g1[2 * i], g1[2 * i + 1]) for i in range(3)]
    for i, secret in enumerate(("tau", "alpha", "beta")):
        verdict.check(
            same_ratio(backend, g1[2 * i], g1[2 * i + 1], sp[i], g2[i]),
            f"{label}: invalid proof of knowledge of {secret}",
        )
    pairs = [
        (prev.tau_g1, cur.tau_g1, sp[0], g2[0], "tau*G1"),
        (g1[0], g1[1], prev.tau_g2, cur.tau_g2, "tau*G2"),
        (prev.alpha_g1, cur.alpha_g1, sp[1], g2[1], "alpha*G1"),
        (prev.beta_g1, cur.beta_g1, sp[2], g2[2], "beta*G1"),
        (g1[4], g1[5], prev.beta_g2, cur.beta_g2, "beta*G2"),
    ]
    for a, b, c, d, what in pairs:
        verdict.check(
            same_ratio(backend, a, b, c, d), f"{label}: {what} does not follow the previous one"
        )


def _read_sections(
    backend: Backend, ptau: SectionFile, power: int, progress: Progress
) -> dict[int, bytes]:
    out = {}
    for kind, (group, count) in section_points(power).items():
        size = point_size(group)
        if ptau.size(kind) != count * size:
            raise FormatError(f"{ptau.what}: section {kind} should hold {count} points")
        points = from_lem(backend, ptau.read(kind), f"{ptau.what} section {kind}")
        validate(backend, points, group, f"{ptau.what} section {kind}")
        out[kind] = points
        progress("reading powers", kind - 1, 5)
    return out


def _check_powers(
    backend: Backend, sections: dict[int, bytes], last: Phase1Contribution, verdict: Verdict
) -> None:
    tau_g1, tau_g2 = sections[2], sections[3]
    r1, r2 = fold_consecutive(backend, tau_g1, 1)
    verdict.check(same_ratio(backend, r1, r2, G2_ONE, last.tau_g2), "tauG1: not powers of tau")
    verdict.check(tau_g1[:G1_BYTES] == G1_ONE, "tauG1: the first point is not the generator")
    verdict.check(
        tau_g1[G1_BYTES : 2 * G1_BYTES] == last.tau_g1, "tauG1: disagrees with the record"
    )
    q1, q2 = fold_consecutive(backend, tau_g2, 2)
    verdict.check(same_ratio(backend, G1_ONE, last.tau_g1, q1, q2), "tauG2: not powers of tau")
    verdict.check(tau_g2[:G2_BYTES] == G2_ONE, "tauG2: the first point is not the generator")
    verdict.check(
        tau_g2[G2_BYTES : 2 * G2_BYTES] == last.tau_g2, "tauG2: disagrees with the record"
    )
    for kind, first, what in ((4, last.alpha_g1, "alphaTauG1"), (5, last.beta_g1, "betaTauG1")):
        s1, s2 = fold_consecutive(backend, sections[kind], 1)
        verdict.check(same_ratio(backend, s1, s2, G2_ONE, last.tau_g2), f"{what}: not powers")
        verdict.check(sections[kind][:G1_BYTES] == first, f"{what}: disagrees with the record")
    verdict.check(sections[6] == last.beta_g2, "betaG2: disagrees with the record")


def _check_hashes(
    sections: dict[int, bytes], last: Phase1Contribution, prev_challenge: bytes, verdict: Verdict
) -> None:
    groups = {kind: point_size(1) if kind in (2, 4, 5) else point_size(2) for kind in sections}
    groups = {kind: 1 if size == G1_BYTES else 2 for kind, size in groups.items()}
    response = Blake2b512().update(prev_challenge)
    for kind in range(2, 7):
        response.update(compressed(sections[kind], groups[kind]))
    recomputed = response.update(last.key.uncompressed()).digest()
    response_hash = last.response_hash()
    verdict.check(recomputed == response_hash, "the last response hash does not cover the points")
    challenge = hashlib.blake2b(response_hash)
    for kind in range(2, 7):
        challenge.update(uncompressed(sections[kind], groups[kind]))
    verdict.check(
        challenge.digest() == last.next_challenge,
        "the last next-challenge hash does not match the points",
    )


def _check_earlier(
    backend: Backend,
    records: list[Phase1Contribution],
    earlier: Sequence[str | os.PathLike[str]],
    verdict: Verdict,
) -> None:
    """Record whether each earlier output file verifies and its records prefix ``records``."""
    authenticated = set()
    for path in earlier:
        sub = verify_ptau(path, backend=backend)
        for failure in sub.failures:
            verdict.check(False, f"{path}: {failure}")
        with SectionFile(path, b"ptau", 1) as ptau:
            mine = read_contributions(ptau, backend)
        if verdict.check(
            records[: len(mine)] == mine and len(mine) <= len(records),
            f"{path}: its contributions are not a prefix of the final transcript's",
        ):
            authenticated.add(len(mine))
    unchecked = [i for i in range(1, len(records)) if i not in authenticated]
    if unchecked:
        listed = ", ".join(f"#{i}" for i in unchecked)
        verdict.notes.append(
            f"response hashes of contributions {listed} are checked only in form; pass "
            "their output files to check them whole"
        )


def verify_ptau(
    path: str | os.PathLike[str],
    *,
    backend: Backend,
    progress: Progress = silent,
    earlier: Sequence[str | os.PathLike[str]] = (),
) -> Verdict:
    """Return the verdict on the ``.ptau`` at ``path``.

    ``earlier``: output files of earlier contributions (e.g. ``pot_0001.ptau``); each is
    verified and must be a prefix of this transcript, which authenticates the response
    hash of its last contribution (:mod:`prover.ceremony.verify_responses`).

    Raises:
        FormatError: the file is malformed (bad container, header, sizes or points), has
            bytes after its last section, or a section id outside the allow-list.
    """
    verdict = Verdict()
    with SectionFile(path, b"ptau", 1) as ptau:
        check_ptau_layout(ptau)
        header = read_header(ptau)
        records = read_contributions(ptau, backend)
        if not verdict.check(bool(records), "the file has no contribution"):
            return verdict
        for index, record in enumerate(records):
            _validate_record(backend, record, f"{ptau.what} contribution #{index + 1}")
            verdict.check(
                partial_hash_is_consistent(record, header.ceremony_power),
                f"#{index + 1}: the response hash does not count a power-"
                f"{header.ceremony_power} response ending in its beta*G2",
            )
        chain = [_initial(header.ceremony_power), *records]
        for index in range(1, len(chain)):
            check_contribution(backend, chain[index], chain[index - 1], verdict, f"#{index}")
            progress("contributions", index, len(records))
        sections = _read_sections(backend, ptau, header.power, progress)
        _check_powers(backend, sections, records[-1], verdict)
        if header.power == header.ceremony_power:
            _check_hashes(sections, records[-1], chain[-2].next_challenge, verdict)
        reduced = header.power < header.ceremony_power
        verify_lagrange_sections(
            backend, ptau, header.power, sections, verdict, progress, reduced=reduced
        )
    _check_earlier(backend, records, earlier, verdict)
    return verdict
