"""Solvency circuit policy: which circuit (and key fingerprint) counts for venues' solvency
bundles at an epoch — the solvency twin of :mod:`api.services.policy`.

The admin declares a registered, non-retired ``SolvencyChunk`` circuit (``margin: false``)
for one epoch or a range (``to_epoch`` None: onward); the latest declaration covering an
epoch decides it. A bundle under any other circuit is refused, and so is every bundle of an
epoch no declaration covers — as margin proofs are — so a venue cannot have its verdict
verified under a key of its own making (an UNSAFE dev key it registered or found left
behind). Declarations are append-only and audit-logged (``policy.declare_solvency``); one may
not move an epoch that already has stored bundles to another circuit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, or_, select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.models import Circuit, SolvencyCircuitPolicy, SolvencyRecord
from api.schemas import CircuitPolicyCreate
from api.services.errors import ConflictError, StatementError
from api.services.policy import Declared, record_declaration
from api.services.verification import CircuitCache
from api.writer import GroupCommitter
from verifier.provenance import KeyProvenance


class UndeclaredSolvencyCircuitError(StatementError):
    """A solvency bundle names a circuit that does not count for its epoch (422).

    ``declared`` is the circuit declared for the epoch (None: none is declared).
    """

    code = "solvency_circuit_not_declared"

    def __init__(self, message: str, *, declared: str | None) -> None:
        self.declared = declared
        super().__init__(message)

    def body_extra(self) -> dict[str, Any]:
        """Return ``code`` and ``declared_circuit`` (None: none is declared for the epoch)."""
        return {"code": self.code, "declared_circuit": self.declared}


_DECLARED_AT = (
    select(
        SolvencyCircuitPolicy.circuit_id,
        SolvencyCircuitPolicy.fingerprint,
        Circuit.provenance,
        Circuit.retired_at,
    )
    .join(Circuit, Circuit.circuit_id == SolvencyCircuitPolicy.circuit_id)
    .order_by(SolvencyCircuitPolicy.id.desc())
    .limit(1)
)


def declared_solvency_circuit(connection: Connection | Session, epoch: int) -> Declared | None:
    """Return the solvency circuit declared for ``epoch`` (the latest declaration covering
    it), or None."""
    query = _DECLARED_AT.where(
        SolvencyCircuitPolicy.from_epoch <= epoch,
        or_(SolvencyCircuitPolicy.to_epoch.is_(None), SolvencyCircuitPolicy.to_epoch >= epoch),
    )
    row = connection.execute(query).first()
    if row is None:
        return None
    return Declared(row[0], row[1], row[2], row[3] is not None)


def declare_solvency_circuit(
    *,
    writer: GroupCommitter,
    principal: Principal,
    body: CircuitPolicyCreate,
    cache: CircuitCache,
    allow_unsafe: bool,
) -> SolvencyCircuitPolicy:
    """Record that ``body.circuit_id`` counts for solvency bundles over the epoch range.

    Raises:
        StatementError: unknown, margin or retired circuit, wrong fingerprint, or an empty
            range.
        UnsafeKeyError: the circuit's key is unsafe and the server refuses unsafe keys.
        ConflictError: an epoch of the range already has a bundle under another circuit.
    """
    return record_declaration(
        SolvencyCircuitPolicy, writer=writer, principal=principal, body=body, cache=cache,
        allow_unsafe=allow_unsafe, margin=False, refuse_moving=_refuse_moving_bundles,
        action="policy.declare_solvency",
    )  # fmt: skip


def _refuse_moving_bundles(session: Session, body: CircuitPolicyCreate) -> None:
    query = select(SolvencyRecord.epoch, SolvencyRecord.circuit_id).where(
        SolvencyRecord.epoch >= body.from_epoch, SolvencyRecord.circuit_id != body.circuit_id
    )
    if body.to_epoch is not None:
        query = query.where(SolvencyRecord.epoch <= body.to_epoch)
    clash = session.execute(query.order_by(SolvencyRecord.epoch).limit(1)).first()
    if clash is not None:
        raise ConflictError(
            f"epoch {clash[0]} already has solvency bundles under circuit {clash[1]};"
            " its circuit cannot change"
        )


def list_solvency_declarations(*, session: Session) -> Sequence[SolvencyCircuitPolicy]:
    """Return every solvency declaration, oldest first."""
    return session.scalars(select(SolvencyCircuitPolicy).order_by(SolvencyCircuitPolicy.id)).all()


def require_declared_solvency(
    connection: Connection | Session, *, circuit_id: str, epoch: int, allow_unsafe: bool
) -> Declared:
    """Return the declaration admitting a solvency bundle under ``circuit_id`` at ``epoch``.

    Raises:
        UndeclaredSolvencyCircuitError: no circuit is declared for the epoch, or another one.
        StatementError: the declared circuit is retired, or its key unsafe on a server
            refusing them.
    """
    declared = declared_solvency_circuit(connection, epoch)
    if declared is None:
        raise UndeclaredSolvencyCircuitError(
            f"no circuit is declared for solvency bundles at epoch {epoch}"
            " (the admin declares one: POST /v1/policy/solvency-circuits)",
            declared=None,
        )
    if declared.circuit_id != circuit_id:
        raise UndeclaredSolvencyCircuitError(
            f"circuit {circuit_id!r} does not count for solvency bundles at epoch {epoch}"
            f" (declared: {declared.circuit_id})",
            declared=declared.circuit_id,
        )
    if declared.retired:
        raise StatementError(f"circuit {circuit_id!r} is retired: it takes no new bundles")
    if KeyProvenance(declared.provenance).is_unsafe and not allow_unsafe:
        raise StatementError(
            f"circuit {circuit_id!r} has an unsafe key and this server refuses unsafe keys"
        )
    return declared
