"""Appeal signing takes claims instead of decoys (issue 13's rule, issue 15's "the same signing"):
``appeal_signature_claims``. Decoys already handed out keep answering (their table stays).

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

STATES = ("pending", "won", "void", "contest")


def upgrade():
    op.create_table(
        "appeal_signature_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                *STATES,
                name="appeal_claim_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("is_constituent", sa.Boolean(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("confirm_nonce", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["appeal_signatures.id"],
            name="fk_appeal_signature_claims_signature_id_appeal_signatures",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name="fk_appeal_signature_claims_appeal_id_appeals",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name="fk_appeal_signature_claims_district_id_districts",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_appeal_signature_claims"),
        sa.UniqueConstraint("receipt_hash", name="uq_appeal_signature_claims_receipt_hash"),
        sa.UniqueConstraint("confirm_nonce", name="uq_appeal_signature_claims_confirm_nonce"),
    )
    op.create_index(
        "ix_appeal_signature_claims_signature_id", "appeal_signature_claims", ["signature_id"]
    )


def downgrade():
    op.drop_index("ix_appeal_signature_claims_signature_id", table_name="appeal_signature_claims")
    op.drop_table("appeal_signature_claims")
