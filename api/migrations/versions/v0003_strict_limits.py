"""Bounded invalid traffic, key revocation and rate limits shared by every worker.

- ``proofs.rejected_digest``: the statement digest of an invalid record (NULL otherwise);
  unique, so an invalid statement is stored once however many proofs are sent for it.
- ``proofs.invalid_slot``: 1, 2, … for the invalid records of an (account, epoch); unique
  per (account, epoch), so the cap on invalid records holds even when two workers insert
  at once (the loser's insert fails, and its rerun counts again).
- ``api_keys.revoked_at`` / ``revoked_by``: a revoked key authenticates no more.
- ``rate_windows``: request counts per limiter bucket (API key, or client address for
  failed authentications) and time window, shared by every worker of the service.

Only tables and nullable columns are added; existing rows keep their meaning.

Revision ID: v0003
Revises: v0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0003"
down_revision = "v0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("proofs", sa.Column("rejected_digest", sa.String(64), nullable=True))
    op.add_column("proofs", sa.Column("invalid_slot", sa.Integer(), nullable=True))
    op.create_index("ux_proofs_rejected_digest", "proofs", ["rejected_digest"], unique=True)
    op.create_index(
        "ux_proofs_invalid_slot", "proofs", ["account_id", "epoch", "invalid_slot"], unique=True
    )
    op.add_column("api_keys", sa.Column("revoked_at", TZ, nullable=True))
    op.add_column("api_keys", sa.Column("revoked_by", sa.String(32), nullable=True))
    op.create_table(
        "rate_windows",
        sa.Column("bucket", sa.String(80), primary_key=True),
        sa.Column("window", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hits", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_rate_windows_expires_at", "rate_windows", ["expires_at"])


def downgrade() -> None:
    op.drop_table("rate_windows")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("revoked_by")
        batch.drop_column("revoked_at")
    op.drop_index("ux_proofs_invalid_slot", table_name="proofs")
    op.drop_index("ux_proofs_rejected_digest", table_name="proofs")
    with op.batch_alter_table("proofs") as batch:
        batch.drop_column("invalid_slot")
        batch.drop_column("rejected_digest")
