"""Margin circuit shapes: ``circuits.margin_shape`` records the slot counts a margin circuit
was set up with (``zkm margin setup --tier-slots …``), so the snapshot budget admits
snapshots of registered custom shapes and proofs are checked against their circuit's shape.

Only a nullable column is added; existing circuits keep NULL (shape not recorded: any
snapshot shape, as before).

Revision ID: v0005
Revises: v0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0005"
down_revision = "v0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (not a batch copy), as in v0002: SQLite adds it in place.
    op.add_column("circuits", sa.Column("margin_shape", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("circuits") as batch:
        batch.drop_column("margin_shape")
