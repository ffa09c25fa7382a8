"""Claims on a signature: later signing attempts with the same IIN (issue 13).

Whoever signed first with an IIN no longer owns it: a later attempt is a claim with its own
receipt and confirmation link (the first link followed wins), or a "contested IIN" item for the
commission when the signature is already confirmed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signature_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "won",
                "void",
                "contest",
                name="claim_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("confirm_nonce", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_signature_claims_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signatures.id"],
            name=op.f("fk_signature_claims_signature_id_signatures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature_claims")),
        sa.UniqueConstraint("confirm_nonce", name=op.f("uq_signature_claims_confirm_nonce")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_signature_claims_receipt_hash")),
    )
    with op.batch_alter_table("signature_claims", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signature_claims_signature_id"), ["signature_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("signature_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signature_claims_signature_id"))
    op.drop_table("signature_claims")
