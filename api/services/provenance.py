"""A registered key's provenance and the record that backs it.

A ``zkm_provenance`` field in a key file is only its author's word. The service counts a key
as ``ceremony-verified`` only with a record: either it ran ``zkm zkey verify`` itself on the
transcript (final ``.zkey``), ``.r1cs`` and ``.ptau`` found in its ``ceremony_dir``, and the
transcript's key is the key being registered; or the registering admin attests having run
that verification offline, naming the transcript's SHA-256 (recorded with the admin's key id).
Any other key is unsafe — someone may know its trapdoor — and is refused at registration
unless the server runs with ``--allow-unsafe-keys``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from algebra.backend import Backend
from algebra.errors import ZkError
from api.auth import Principal
from api.models import utc_now
from api.schemas import CeremonyEvidence, CircuitCreate, Verdict
from api.services.errors import ServiceError, StatementError
from verifier.keys import VerifyingKey
from verifier.provenance import KeyProvenance, parse_provenance


class UnsafeKeyError(ServiceError):
    """The key is not ceremony-verified with a record and the server refuses unsafe keys."""

    status_code = 422


def unsafe_warning(circuit_id: str, provenance: str) -> str:
    """Return the UNSAFE label of verdicts under a key whose trapdoor someone may know."""
    return (
        f"UNSAFE: circuit {circuit_id} has a {provenance} key, not a verified ceremony's;"
        " whoever made it can forge proofs, so this verdict proves nothing outside a demo"
    )


def verdict_of(circuit_id: str, fingerprint: str, provenance: str) -> Verdict:
    """Return what a verdict under ``circuit_id`` rests on, UNSAFE-labelled if it is."""
    known = KeyProvenance(provenance)
    return Verdict(
        circuit_id=circuit_id,
        fingerprint=fingerprint,
        provenance=known.value,
        unsafe=known.is_unsafe,
        warning=unsafe_warning(circuit_id, known.value) if known.is_unsafe else None,
    )


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _claimed(body: CircuitCreate) -> KeyProvenance:
    in_file = body.verifying_key.zkm_provenance
    if body.provenance is None:
        return parse_provenance(in_file) if in_file is not None else KeyProvenance.DEV
    claimed = parse_provenance(body.provenance)
    if in_file is not None and parse_provenance(in_file) is not claimed:
        raise StatementError(
            f"provenance {claimed.value} contradicts the key file's zkm_provenance {in_file}"
        )
    return claimed


def provenance_record(
    *,
    body: CircuitCreate,
    vk: VerifyingKey,
    principal: Principal,
    ceremony_dir: str | None,
    allow_unsafe: bool,
    backend: Backend,
) -> tuple[KeyProvenance, dict[str, Any]]:
    """Return the key's provenance and the record backing it.

    Raises:
        StatementError: a ``ceremony-verified`` claim without valid evidence, or evidence for
            another key.
        UnsafeKeyError: an unsafe key while the server does not allow them.
    """
    claimed = _claimed(body)
    if claimed is KeyProvenance.CEREMONY_VERIFIED:
        if body.ceremony is None:
            raise StatementError(
                "a ceremony-verified key needs a provenance record: name the transcript, r1cs"
                " and ptau in the server's ceremony directory, or attest an offline"
                " `zkm zkey verify` with the transcript's sha256"
            )
        return claimed, _ceremony_record(body.ceremony, vk, principal, ceremony_dir, backend)
    if body.ceremony is not None:
        raise StatementError(f"ceremony evidence given for a {claimed.value} key")
    if not allow_unsafe:
        raise UnsafeKeyError(
            f"circuit {body.circuit_id} has an unsafe ({claimed.value}) key and this server"
            " refuses unsafe keys (start it with --allow-unsafe-keys for a demo)"
        )
    return claimed, {"method": "unsafe-allowed", "registered_by": principal.key_id}


def _ceremony_record(
    evidence: CeremonyEvidence,
    vk: VerifyingKey,
    principal: Principal,
    ceremony_dir: str | None,
    backend: Backend,
) -> dict[str, Any]:
    files = (evidence.zkey, evidence.r1cs, evidence.ptau)
    if any(name is not None for name in files):
        if any(name is None for name in files):
            raise StatementError("name all of zkey, r1cs and ptau for the service to verify")
        record = _verified_by_service(evidence, vk, ceremony_dir, backend)
        return {**record, "requested_by": principal.key_id}
    if not evidence.attested_offline or evidence.transcript_sha256 is None:
        raise StatementError(
            "an offline attestation needs attested_offline=true and the transcript_sha256"
        )
    return {
        "method": "admin-attested",
        "transcript_sha256": evidence.transcript_sha256,
        "attested_by": principal.key_id,
        "attested_at": utc_now().isoformat(),
    }


def _in_directory(directory: Path, name: str) -> Path:
    path = (directory / name).resolve()
    if path.parent != directory or not path.is_file():
        raise StatementError(f"no ceremony file {name!r} in the server's ceremony directory")
    return path


def _verified_by_service(
    evidence: CeremonyEvidence, vk: VerifyingKey, ceremony_dir: str | None, backend: Backend
) -> dict[str, Any]:
    from prover.ceremony.verify_phase2 import verify_zkey
    from prover.zkey import read_zkey

    if ceremony_dir is None:
        raise StatementError("this server has no ceremony directory to verify files from")
    directory = Path(ceremony_dir).resolve()
    assert evidence.zkey is not None and evidence.r1cs is not None and evidence.ptau is not None
    zkey, r1cs, ptau = (_in_directory(directory, n) for n in (evidence.zkey, evidence.r1cs,
                                                                evidence.ptau))  # fmt: skip
    transcript = sha256_file(zkey)
    if evidence.transcript_sha256 not in (None, transcript):
        raise StatementError("the transcript's sha256 differs from the one given")
    try:
        verdict = verify_zkey(r1cs, ptau, zkey, backend=backend)
        ceremony_vk = read_zkey(zkey, backend=backend).vk
    except ZkError as error:
        raise StatementError(f"zkm zkey verify failed: {error}") from error
    if not verdict.ok:
        raise StatementError(f"zkm zkey verify failed: {'; '.join(verdict.failures[:3])}")
    if verdict.notes:
        raise StatementError(f"the transcript is not a finished ceremony: {verdict.notes[0]}")
    if ceremony_vk.fingerprint() != vk.fingerprint():
        raise StatementError("the transcript's verifying key is not the key being registered")
    return {
        "method": "verified-by-service",
        "transcript_sha256": transcript,
        "r1cs_sha256": sha256_file(r1cs),
        "ptau_sha256": sha256_file(ptau),
        "verified_at": utc_now().isoformat(),
    }
