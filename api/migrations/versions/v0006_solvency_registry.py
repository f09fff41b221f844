"""Venue-level solvency (issue #18): registry freezes per (venue, epoch) and the verified
solvency bundles venues post.

Both tables are new; nothing existing is rewritten.

Revision ID: v0006
Revises: v0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0006"
down_revision = "v0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
DECIMAL = sa.String(80)


def upgrade() -> None:
    op.create_table(
        "registry_freezes",
        sa.Column("venue_id", sa.String(64), primary_key=True),
        sa.Column("epoch", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("frozen_at", TZ, nullable=False),
        sa.Column("frozen_by", sa.String(32), nullable=False),
        sa.Column("n_commitments", sa.BigInteger(), nullable=False),
        sa.Column("list_sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "solvency_bundles",
        sa.Column("venue_id", sa.String(64), primary_key=True),
        sa.Column("epoch", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column(
            "circuit_id", sa.String(64), sa.ForeignKey("circuits.circuit_id"), nullable=False
        ),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("chunks", sa.Text(), nullable=False),
        sa.Column("list_root", DECIMAL, nullable=False),
        sa.Column("totals", sa.Text(), nullable=False),
        sa.Column("reserves", DECIMAL, nullable=False),
        sa.Column("insurance", DECIMAL, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("posted_by", sa.String(32), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("solvency_bundles")
    op.drop_table("registry_freezes")
