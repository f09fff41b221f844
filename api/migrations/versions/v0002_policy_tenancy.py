"""Circuit policy and provenance, venue/market tenancy, opened epochs, voiding, unique C per epoch.

Carries a v0001 database forward without losing a row:

- existing venue keys act for venue ``default`` and existing oracle keys serve market
  ``default``; every account seen in a commitment or proof belongs to venue ``default``;
- every epoch that has a snapshot, commitment or proof is recorded as opened (market
  ``default``, by ``migration``);
- existing circuits are marked ``dev`` with a ``migrated`` provenance record: nothing
  proves where their keys came from, so they are unsafe until re-registered with a record;
- each epoch whose margin proofs all name one circuit gets a policy declaring that circuit,
  so its verdicts stay as they were; an epoch with proofs under several circuits gets none
  (its status is ``missing`` until the admin declares which circuit counts).

Refuses to upgrade (with a message naming the epoch) a database in which one commitment
value is registered for two accounts of the same epoch: that is exactly the state the new
unique index forbids, and only an operator can decide which registration was wrong.

Revision ID: v0002
Revises: v0001
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "v0002"
down_revision = "v0001"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TZ = sa.DateTime(timezone=True)
DEFAULT = "default"
MIGRATION = "migration"


def upgrade() -> None:
    _check_unique_commitments()
    # Plain ADD COLUMN (not a batch copy): SQLite adds these in place, and a batch copy
    # would drop `circuits`, which `proofs` references.
    op.add_column("api_keys", sa.Column("venue_id", sa.String(64), nullable=True))
    op.add_column("api_keys", sa.Column("markets", sa.Text(), nullable=True))
    op.add_column(
        "circuits",
        sa.Column("provenance", sa.String(32), nullable=False, server_default=sa.text("'dev'")),
    )
    op.add_column(
        "circuits",
        sa.Column("provenance_record", sa.Text(), nullable=False, server_default=sa.text("'{}'")),
    )
    op.add_column("circuits", sa.Column("retired_at", TZ, nullable=True))
    op.add_column("circuits", sa.Column("retired_by", sa.String(32), nullable=True))
    for table in ("snapshots", "commitments"):
        op.add_column(table, sa.Column("posted_by", sa.String(32), nullable=True))
    op.create_index(
        "uq_commitments_epoch_commitment", "commitments", ["epoch", "commitment"], unique=True
    )
    _create_tables()
    _carry_forward()


def _check_unique_commitments() -> None:
    duplicate = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT epoch, commitment FROM commitments GROUP BY epoch, commitment"
                " HAVING COUNT(*) > 1"
            )
        )
        .first()
    )
    if duplicate is not None:
        raise RuntimeError(
            f"cannot upgrade: epoch {duplicate[0]} has one commitment value registered for"
            " several accounts; remove the wrong registrations, then upgrade"
        )


def _create_tables() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(128), primary_key=True),
        sa.Column("venue_id", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_accounts_venue_id", "accounts", ["venue_id"])
    op.create_table(
        "epochs",
        sa.Column("epoch", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("market", sa.String(64), nullable=False),
        sa.Column("opened_by", sa.String(32), nullable=False),
        sa.Column("opened_at", TZ, nullable=False),
    )
    op.create_table(
        "circuit_policy",
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
    op.create_table(
        "voided_registrations",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.String(128), nullable=True),
        sa.Column("value", sa.String(80), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("posted_by", sa.String(32), nullable=True),
        sa.Column("posted_at", TZ, nullable=False),
        sa.Column("voided_by", sa.String(32), nullable=False),
        sa.Column("voided_at", TZ, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
    )


def _carry_forward() -> None:
    bind = op.get_bind()
    now = sa.func.now() if bind.dialect.name == "postgresql" else sa.text("CURRENT_TIMESTAMP")
    bind.execute(
        sa.text("UPDATE api_keys SET venue_id = :venue WHERE role = 'venue'"), {"venue": DEFAULT}
    )
    bind.execute(
        sa.text("UPDATE api_keys SET markets = :markets WHERE role = 'oracle'"),
        {"markets": json.dumps([DEFAULT])},
    )
    bind.execute(
        sa.text("UPDATE circuits SET provenance = 'dev', provenance_record = :record"),
        {"record": json.dumps({"method": "migrated", "note": "registered before v0002"})},
    )
    accounts = sa.table("accounts", sa.column("account_id"), sa.column("venue_id"),
                        sa.column("created_by"), sa.column("created_at"))  # fmt: skip
    seen = sa.union(
        sa.select(sa.column("account_id")).select_from(sa.table("commitments")),
        sa.select(sa.column("account_id")).select_from(sa.table("proofs")),
    ).subquery()
    bind.execute(
        accounts.insert().from_select(
            ["account_id", "venue_id", "created_by", "created_at"],
            sa.select(seen.c.account_id, sa.literal(DEFAULT), sa.literal(MIGRATION), now),
        )
    )
    epochs = sa.table("epochs", sa.column("epoch"), sa.column("market"),
                      sa.column("opened_by"), sa.column("opened_at"))  # fmt: skip
    used = sa.union(
        *(sa.select(sa.column("epoch")).select_from(sa.table(t))
          for t in ("snapshots", "commitments", "proofs"))
    ).subquery()  # fmt: skip
    bind.execute(
        epochs.insert().from_select(
            ["epoch", "market", "opened_by", "opened_at"],
            sa.select(used.c.epoch, sa.literal(DEFAULT), sa.literal(MIGRATION), now),
        )
    )
    _declare_used_circuits()


def _declare_used_circuits() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT p.epoch, MIN(p.circuit_id), MIN(c.verifying_key) FROM proofs p"
            " JOIN circuits c ON c.circuit_id = p.circuit_id WHERE c.margin"
            " GROUP BY p.epoch HAVING COUNT(DISTINCT p.circuit_id) = 1"
        )
    ).all()
    if not rows:
        return
    from verifier.snarkjs_json import verifying_key_from_json

    policy = sa.table("circuit_policy", sa.column("circuit_id"), sa.column("fingerprint"),
                      sa.column("from_epoch"), sa.column("to_epoch"), sa.column("declared_by"),
                      sa.column("declared_at"))  # fmt: skip
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
    for table in ("voided_registrations", "circuit_policy", "epochs"):
        op.drop_table(table)
    op.drop_index("ix_accounts_venue_id", table_name="accounts")
    op.drop_table("accounts")
    op.drop_index("uq_commitments_epoch_commitment", table_name="commitments")
    for table, column in (
        ("commitments", "posted_by"),
        ("snapshots", "posted_by"),
        ("circuits", "retired_by"),
        ("circuits", "retired_at"),
        ("circuits", "provenance_record"),
        ("circuits", "provenance"),
        ("api_keys", "markets"),
        ("api_keys", "venue_id"),
    ):
        op.drop_column(table, column)  # SQLite >= 3.35 drops in place
