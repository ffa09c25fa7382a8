"""Signatures on appeals (one per voter, constituent or supporter), decoy receipts for repeated
attempts, and confirmed signatures per appeal and district; appeals can be followed (a new
follow target and recipient kind: only the CHECK constraints change) (issue 15).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_RECIPIENTS = (
    "signer",
    "petition_initiators",
    "deputy",
    "body_commission",
    "deputy_followers",
    "petition_followers",
    "organization_webhooks",
    "payload_user",
    "misuse_reporter",
)
# (table, column, enum name, values before, values after)
_ENUMS = (
    (
        "follows",
        "target_type",
        "follow_target",
        ("deputy", "petition"),
        ("deputy", "petition", "appeal"),
    ),
    (
        "deliveries",
        "recipient_kind",
        "delivery_recipient_kind",
        _RECIPIENTS,
        (*_RECIPIENTS, "appeal_followers"),
    ),
    (
        "notification_rules",
        "recipient",
        "notification_recipient",
        _RECIPIENTS,
        (*_RECIPIENTS, "appeal_followers"),
    ),
)


def _enum(name, values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _retype(table, column, name, old, new):
    with op.batch_alter_table(table, schema=None) as batch_op:
        if op.get_bind().dialect.name == "postgresql":
            batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
            batch_op.create_check_constraint(name, sa.column(column).in_(new))
        else:
            # SQLite rebuilds the table; the new type carries its own CHECK constraint.
            batch_op.alter_column(column, existing_type=_enum(name, old), type_=_enum(name, new))


def upgrade():
    for table, column, name, old, new in _ENUMS:
        _retype(table, column, name, old, new)
    op.create_table(
        "appeal_district_counts",
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_district_counts_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_appeal_district_counts_district_id_districts"),
        ),
        sa.PrimaryKeyConstraint("appeal_id", "district_id", name=op.f("pk_appeal_district_counts")),
    )
    op.create_table(
        "appeal_receipt_decoys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_receipt_decoys_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_receipt_decoys")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_appeal_receipt_decoys_receipt_hash")),
    )
    with op.batch_alter_table("appeal_receipt_decoys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appeal_receipt_decoys_appeal_id"), ["appeal_id"], unique=False
        )

    op.create_table(
        "appeal_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("iin_hash", sa.String(length=64), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("is_constituent", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "confirmed",
                "expired",
                "withdrawn",
                name="appeal_signature_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("confirm_nonce", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_signatures_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_appeal_signatures_district_id_districts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_signatures")),
        sa.UniqueConstraint("appeal_id", "iin_hash", name="uq_appeal_signatures_one_per_voter"),
        sa.UniqueConstraint("confirm_nonce", name=op.f("uq_appeal_signatures_confirm_nonce")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_appeal_signatures_receipt_hash")),
    )
    with op.batch_alter_table("appeal_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appeal_signatures_district_id"), ["district_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_appeal_signatures_expires_at"), ["expires_at"], unique=False
        )


def downgrade():
    op.execute("DELETE FROM follows WHERE target_type = 'appeal'")
    op.execute("DELETE FROM deliveries WHERE recipient_kind = 'appeal_followers'")
    op.execute("DELETE FROM notification_rules WHERE recipient = 'appeal_followers'")
    for table, column, name, old, new in _ENUMS:
        _retype(table, column, name, new, old)
    with op.batch_alter_table("appeal_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_signatures_expires_at"))
        batch_op.drop_index(batch_op.f("ix_appeal_signatures_district_id"))

    op.drop_table("appeal_signatures")
    with op.batch_alter_table("appeal_receipt_decoys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_receipt_decoys_appeal_id"))

    op.drop_table("appeal_receipt_decoys")
    op.drop_table("appeal_district_counts")
