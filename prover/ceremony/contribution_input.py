"""Refuse to contribute to a key that is not a ceremony key, so a dev key cannot be laundered.

A phase-2 contribution makes any key *look* like a ceremony key (a transcript record, a
fresh δ), so ``zkm zkey contribute`` checks its input first, at two levels:

1. From the file alone (always, a few pairings): the key is not ``dev`` — by its metadata
   or, since deleting that section is free, by its structure. Every phase-2 key has
   γ₂ = G2 (``zkm groth16 setup`` and snarkjs's fix it; contributions never change it),
   its δ₁ is the end of the transcript's chain of proven steps starting at G1, and δ₂
   matches δ₁. Every key ``zkm groth16 setup --dev`` makes fails the first test, with or
   without its metadata.
2. Against the circuit's ``.r1cs`` and the ``.ptau`` (when given): the key is exactly the
   ceremony's initial key (no contribution yet), or its transcript passes
   :func:`prover.ceremony.verify_phase2.verify_zkey`.

Level 1 cannot refuse a key made by someone who knows τ and set γ = δ = G2 on purpose
(it is structurally an initial key); only level 2 can, because the ptau's transcript shows
τ came from a ceremony. The CLI says so whenever level 2 is skipped.
"""

from __future__ import annotations

import os

from algebra.backend import Backend
from algebra.errors import MalformedInputError
from circuits.formats.r1cs_file import read_r1cs
from prover.ceremony.phase1 import G1_ONE, G2_ONE
from prover.ceremony.progress import Progress, silent
from prover.ceremony.ratio import same_ratio
from prover.ceremony.verdict import Verdict
from prover.ceremony.verify_phase2 import check_transcript, same_matrix, verify_zkey
from prover.ceremony.zkey_file import read_delta, read_mpc_params
from prover.container import SectionFile
from prover.keys import ProvingKey
from prover.setup import setup_from_ptau
from prover.zkey import read_zkey, read_zkey_summary
from verifier.provenance import KeyProvenance


class NotACeremonyKeyError(MalformedInputError):
    """The key given to contribute to is not (or cannot be shown to be) a ceremony's key."""


def check_key_structure(zkey_path: str | os.PathLike[str], *, backend: Backend) -> int:
    """Check level 1 (module docstring); return the number of contributions already made.

    Raises:
        NotACeremonyKeyError: a dev key (by metadata or γ₂ ≠ G2) or a broken δ chain.
        FormatError: the file is not a well-formed Groth16 zkey.
    """
    summary = read_zkey_summary(zkey_path, backend=backend)
    if summary.provenance is KeyProvenance.DEV:
        raise NotACeremonyKeyError(
            f"{os.fspath(zkey_path)} is an UNSAFE dev-setup key (its metadata says so or its "
            "γ is not the generator); start phase 2 from `zkm groth16 setup <r1cs> <ptau>`"
        )
    with SectionFile(zkey_path, b"zkey", 2) as zkey:
        _, delta_g1, delta_g2 = read_delta(zkey, backend)
        params = read_mpc_params(zkey, backend)
        what = zkey.what
    verdict = Verdict()
    last_delta = check_transcript(backend, params, verdict)
    verdict.check(delta_g1 == last_delta, "δ₁ is not the end of the contribution chain")
    verdict.check(same_ratio(backend, G1_ONE, delta_g1, G2_ONE, delta_g2), "δ₂ does not match δ₁")
    if not verdict.ok:
        raise NotACeremonyKeyError(
            f"{what} is not a phase-2 ceremony key: {verdict.failures[0]} (an UNSAFE key?)"
        )
    return len(params.contributions)


def check_against_ceremony(
    zkey_path: str | os.PathLike[str],
    r1cs_path: str | os.PathLike[str],
    ptau_path: str | os.PathLike[str],
    *,
    backend: Backend,
    progress: Progress = silent,
) -> None:
    """Check levels 1 and 2: the key descends, contribution by proven contribution, from the
    initial key of this circuit and ceremony.

    Raises:
        NotACeremonyKeyError: the key is not this circuit's ceremony key.
        FormatError: a file is malformed; MalformedInputError: the ptau is too small.
    """
    if check_key_structure(zkey_path, backend=backend):
        verdict = verify_zkey(r1cs_path, ptau_path, zkey_path, backend=backend, progress=progress)
        failures = verdict.failures
    else:
        initial = setup_from_ptau(read_r1cs(r1cs_path), ptau_path, backend=backend)
        failures = _differences(initial, read_zkey(zkey_path, backend=backend))
    if failures:
        raise NotACeremonyKeyError(
            f"{os.fspath(zkey_path)} does not verify against {os.fspath(r1cs_path)} and "
            f"{os.fspath(ptau_path)}: {failures[0]}"
        )


def _differences(initial: ProvingKey, key: ProvingKey) -> list[str]:
    """Return what differs between the ceremony's initial key and an uncontributed ``key``."""
    fields = (
        ("verifying key", initial.vk, key.vk),
        ("β₁", initial.beta_g1, key.beta_g1),
        ("δ₁", initial.delta_g1, key.delta_g1),
        ("shape", (initial.n_wires, initial.domain_size), (key.n_wires, key.domain_size)),
        ("A query", initial.a_query, key.a_query),
        ("B₁ query", initial.b_g1_query, key.b_g1_query),
        ("B₂ query", initial.b_g2_query, key.b_g2_query),
        ("H query", initial.h_query, key.h_query),
        ("L query", initial.l_query, key.l_query),
        ("circuit hash", initial.contributions, key.contributions),
    )
    out = [f"the {name} differs from the ceremony's initial key" for name, a, b in fields if a != b]
    if not out and not (
        same_matrix(initial.a_matrix, key.a_matrix) and same_matrix(initial.b_matrix, key.b_matrix)
    ):
        out.append("the coefficient section differs from the circuit's")
    return out
