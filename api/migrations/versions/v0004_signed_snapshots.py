"""Signed snapshots: the oracles' registered Ed25519 signing keys, and the signed metadata,
market inputs and policy kept beside each snapshot.

Existing snapshots keep NULL in the new columns (they were posted unsigned); nothing is
rewritten. A signing key belongs to one oracle API key (``api_key_id``), so a snapshot is
accepted only from the key its signer was registered for.

Revision ID: v0004
Revises: v0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0004"
down_revision = "v0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
SNAPSHOT_COLUMNS = ("signer_key_id", "signed_metadata", "market_inputs", "policy")


def upgrade() -> None:
    op.create_table(
        "oracle_signing_keys",
        sa.Column("signer_key_id", sa.String(32), primary_key=True),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("api_key_id", sa.String(32), sa.ForeignKey("api_keys.key_id"), nullable=False),
        sa.Column("registered_by", sa.String(32), nullable=False),
        sa.Column("registered_at", TZ, nullable=False),
    )
    op.create_index("ix_oracle_signing_keys_api_key_id", "oracle_signing_keys", ["api_key_id"])
    # Plain ADD COLUMN (not a batch copy), as in v0002: SQLite adds these in place.
    op.add_column("snapshots", sa.Column("signer_key_id", sa.String(32), nullable=True))
    op.add_column("snapshots", sa.Column("signed_metadata", sa.Text(), nullable=True))
    op.add_column("snapshots", sa.Column("market_inputs", sa.Text(), nullable=True))
    op.add_column("snapshots", sa.Column("policy", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("snapshots") as batch:
        for column in SNAPSHOT_COLUMNS:
            batch.drop_column(column)
    op.drop_index("ix_oracle_signing_keys_api_key_id", table_name="oracle_signing_keys")
    op.drop_table("oracle_signing_keys")
