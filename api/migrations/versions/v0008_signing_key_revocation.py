"""Oracle signing-key revocation: a revoked key signs no snapshot the service accepts.

Two nullable columns on ``oracle_signing_keys``, as v0003 added to ``api_keys``:
``revoked_at`` (when the admin revoked it) and ``revoked_by`` (the admin's key id, or
``operator``). Existing keys stay valid (both NULL); no stored snapshot changes.

Revision ID: v0008
Revises: v0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0008"
down_revision = "v0007"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("oracle_signing_keys", sa.Column("revoked_at", TZ, nullable=True))
    op.add_column("oracle_signing_keys", sa.Column("revoked_by", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("oracle_signing_keys") as batch:
        batch.drop_column("revoked_by")
        batch.drop_column("revoked_at")
