"""Solvency circuit policy: which circuit counts for venues' solvency bundles at each epoch.

A new table, ``solvency_circuit_policy``, shaped as ``circuit_policy`` (v0002). Carries a
v0006 database forward without changing a stored bundle, as v0002 did for margin proofs:
each epoch whose stored solvency bundles all name one circuit gets a declaration of that
circuit for that epoch (by ``migration``), so their verdicts keep counting; an epoch with
bundles under several circuits gets none (its bundles read back with ``declared: false``
and it takes no new bundle until the admin declares which circuit counts).

Revision ID: v0007
Revises: v0006
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "v0007"
down_revision = "v0006"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TZ = sa.DateTime(timezone=True)
MIGRATION = "migration"


def upgrade() -> None:
    op.create_table(
        "solvency_circuit_policy",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column(
            "circuit_id", sa.String(64), sa.ForeignKey("circuits.circuit_id"), nullable=False
        ),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("from_epoch", sa.BigInteger(), nullable=False),
        sa.Column("to_epoch", sa.BigInteger(), nullable=True),
        sa.Column("declared_by", sa.String(32), nullable=False),
        sa.Column("declared_at", TZ, nullable=False),
    )
    _declare_used_circuits()


def _declare_used_circuits() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT s.epoch, MIN(s.circuit_id), MIN(c.verifying_key) FROM solvency_bundles s"
            " JOIN circuits c ON c.circuit_id = s.circuit_id"
            " GROUP BY s.epoch HAVING COUNT(DISTINCT s.circuit_id) = 1 ORDER BY s.epoch"
        )
    ).all()
    if not rows:
        return
    from verifier.snarkjs_json import verifying_key_from_json

    policy = sa.table("solvency_circuit_policy", sa.column("circuit_id"),
                      sa.column("fingerprint"), sa.column("from_epoch"), sa.column("to_epoch"),
                      sa.column("declared_by"), sa.column("declared_at"))  # fmt: skip
    from api.models import utc_now

    fingerprints: dict[str, str] = {}
    for epoch, circuit_name, key_json in rows:
        circuit_id = str(circuit_name)
        if circuit_id not in fingerprints:
            vk = verifying_key_from_json(json.loads(str(key_json)))
            fingerprints[circuit_id] = vk.fingerprint()
        bind.execute(
            policy.insert().values(
                circuit_id=circuit_id,
                fingerprint=fingerprints[circuit_id],
                from_epoch=epoch,
                to_epoch=epoch,
                declared_by=MIGRATION,
                declared_at=utc_now(),
            )
        )


def downgrade() -> None:
    op.drop_table("solvency_circuit_policy")
