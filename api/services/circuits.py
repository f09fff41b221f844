"""Registering and reading circuits (verifying keys); a circuit is immutable once registered."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from algebra.backend import Backend
from api.auth import Principal
from api.models import Circuit, utc_now
from api.schemas import CircuitCreate, CircuitPublic
from api.services.audit import record_write
from api.services.errors import ConflictError, NotFoundError, StatementError
from api.services.policy_lock import lock_policy
from api.services.provenance import provenance_record
from api.services.verification import CircuitCache
from api.writer import GroupCommitter
from verifier.keys import VerifyingKey, prepare_verifying_key
from verifier.provenance import KeyProvenance
from verifier.snarkjs_json import g1_to_json, g2_to_json, verifying_key_from_json

MARGIN_PUBLIC_INPUTS = 4
"""A margin circuit's public inputs: ``[C, snapshot_hash, requirement_kind, buffer_ppm]``."""


def _parse_key(body: CircuitCreate, backend: Backend) -> VerifyingKey:
    vk = verifying_key_from_json(body.verifying_key.model_dump(exclude_none=True))
    if body.verifying_key.nPublic != vk.n_public:
        raise StatementError(
            f"nPublic is {body.verifying_key.nPublic} but IC has {vk.n_public + 1} points"
        )
    if body.margin and vk.n_public != MARGIN_PUBLIC_INPUTS:
        raise StatementError(
            f"a margin circuit has {MARGIN_PUBLIC_INPUTS} public inputs, this key has {vk.n_public}"
        )
    prepare_verifying_key(vk, backend)
    return vk


def margin_shape_of(body: CircuitCreate) -> str | None:
    """Return the circuit's recorded shape as canonical JSON (None when not given).

    The shape comes from ``margin_shape`` or the key file's ``zkm_margin_shape``.

    Raises:
        StatementError: both are given and differ, or a non-margin circuit names a shape.
    """
    explicit, in_file = body.margin_shape, body.verifying_key.zkm_margin_shape
    if explicit is not None and in_file is not None and explicit != in_file:
        raise StatementError("margin_shape contradicts the key file's zkm_margin_shape")
    shape = explicit if explicit is not None else in_file
    if shape is None:
        return None
    if not body.margin:
        raise StatementError("only a margin circuit has a margin_shape")
    return json.dumps(shape.model_dump(), sort_keys=True)


def canonical_key_json(vk: VerifyingKey, body: CircuitCreate) -> dict[str, Any]:
    """Return snarkjs's JSON for ``vk`` in canonical form (``vk_alphabeta_12`` kept if given)."""
    canonical: dict[str, Any] = {
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.n_public,
        "vk_alpha_1": g1_to_json(vk.alpha_g1),
        "vk_beta_2": g2_to_json(vk.beta_g2),
        "vk_gamma_2": g2_to_json(vk.gamma_g2),
        "vk_delta_2": g2_to_json(vk.delta_g2),
        "IC": [g1_to_json(point) for point in vk.gamma_abc_g1],
    }
    alphabeta = body.verifying_key.vk_alphabeta_12
    if alphabeta is not None:
        canonical["vk_alphabeta_12"] = [
            [[str(int(c)) for c in fq2] for fq2 in half] for half in alphabeta
        ]
    return canonical


def register_circuit(
    *,
    writer: GroupCommitter,
    principal: Principal,
    body: CircuitCreate,
    backend: Backend,
    allow_unsafe: bool = False,
    ceremony_dir: str | None = None,
) -> tuple[Circuit, bool]:
    """Store ``body``'s circuit; return (record, created). Identical re-registration is a no-op.

    The key's provenance is established first (:func:`provenance_record`): an unsafe key is
    refused unless ``allow_unsafe``.

    Raises:
        MalformedInputError: the verifying key is malformed (a point off the curve, …).
        StatementError: nPublic disagrees with IC, a margin key lacks 4 public inputs, a
            ceremony-verified claim lacks valid evidence, or the margin shape is inconsistent.
        UnsafeKeyError: an unsafe key while the server refuses them.
        ConflictError: the id is taken by a different key, flag, description or provenance.
    """
    vk = _parse_key(body, backend)
    provenance, evidence = provenance_record(
        body=body,
        vk=vk,
        principal=principal,
        ceremony_dir=ceremony_dir,
        allow_unsafe=allow_unsafe,
        backend=backend,
    )
    content = (
        json.dumps(canonical_key_json(vk, body), sort_keys=True),
        body.margin,
        body.description,
        provenance.value,
        margin_shape_of(body),
    )

    def job(session: Session) -> tuple[Circuit, bool]:
        existing = session.get(Circuit, body.circuit_id)
        if existing is not None:
            stored = (
                existing.verifying_key,
                existing.margin,
                existing.description,
                existing.provenance,
                existing.margin_shape,
            )
            if stored != content:
                raise ConflictError(
                    f"circuit {body.circuit_id!r} is already registered differently"
                )
            return existing, False
        record = Circuit(
            circuit_id=body.circuit_id,
            verifying_key=content[0],
            n_public=vk.n_public,
            margin=body.margin,
            description=body.description,
            created_at=utc_now(),
            provenance=provenance.value,
            provenance_record=json.dumps(evidence, sort_keys=True),
            margin_shape=content[4],
        )
        session.add(record)
        record_write(
            session=session,
            key_id=principal.key_id,
            role=principal.role.value,
            action="circuit.register",
            target=f"circuit={body.circuit_id}",
            detail={
                "fingerprint": vk.fingerprint(),
                "margin": body.margin,
                "provenance": provenance.value,
                "provenance_record": evidence,
                "margin_shape": None if content[4] is None else json.loads(content[4]),
            },
        )
        return record, True

    return writer.run(job)


def retire_circuit(*, writer: GroupCommitter, principal: Principal, circuit_id: str) -> Circuit:
    """Retire ``circuit_id``: it takes no new proofs; its records keep their verdicts.

    Retiring a retired circuit is a no-op.

    Raises:
        NotFoundError: no such circuit.
    """

    def job(session: Session) -> Circuit:
        record = session.get(Circuit, circuit_id)
        if record is None:
            raise NotFoundError(f"circuit {circuit_id!r} is not registered")
        if record.retired_at is None:
            # Stores in flight under the circuit finish first: none is dated after this.
            lock_policy(session, margin=record.margin, exclusive=True)
            record.retired_at = utc_now()
            record.retired_by = principal.key_id
            record_write(
                session=session,
                key_id=principal.key_id,
                role=principal.role.value,
                action="circuit.retire",
                target=f"circuit={circuit_id}",
                detail={},
            )
        return record

    return writer.run(job)


def list_circuits(*, session: Session) -> Sequence[Circuit]:
    """Return every registered circuit, by id."""
    return session.scalars(select(Circuit).order_by(Circuit.circuit_id)).all()


def circuit_public(*, session: Session, cache: CircuitCache, circuit_id: str) -> CircuitPublic:
    """Return the public view of circuit ``circuit_id`` (NotFoundError when unknown)."""
    loaded = cache.get(session=session, circuit_id=circuit_id)
    # Retirement is the one change a circuit row sees, so it is read fresh, not cached.
    retired_at = session.scalar(select(Circuit.retired_at).where(Circuit.circuit_id == circuit_id))
    return to_public(loaded.record, loaded.vk, retired_at=retired_at)


def to_public(
    record: Circuit, vk: VerifyingKey, *, retired_at: datetime | None = None
) -> CircuitPublic:
    """Return the public view of a circuit record."""
    return CircuitPublic(
        circuit_id=record.circuit_id,
        n_public=record.n_public,
        margin=record.margin,
        description=record.description,
        fingerprint=vk.fingerprint(),
        created_at=record.created_at,
        verifying_key=json.loads(record.verifying_key),
        provenance=KeyProvenance(record.provenance).value,
        provenance_record=json.loads(record.provenance_record),
        unsafe=KeyProvenance(record.provenance).is_unsafe,
        retired_at=retired_at if retired_at is not None else record.retired_at,
        margin_shape=None if record.margin_shape is None else json.loads(record.margin_shape),
    )
