"""Index every signature of a petition by IIN hash, duplicates included.

The only index on (petition_id, iin_hash) was the partial one-signature-per-voter index
(``WHERE duplicate_of_id IS NULL``), which the automatic checks' duplicate step cannot use: it
looks at all of a voter's signatures (issue 17). Misuse reports are looked up by signature
(the checks' misuse step, each review item). Signatures that are duplicates are indexed by the
one they duplicate: deleting signatures (a petition's cascade) checks that foreign key per row.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signatures_petition_iin", ["petition_id", "iin_hash"], unique=False
        )
        batch_op.create_index(
            "ix_signatures_duplicate_of",
            ["duplicate_of_id"],
            unique=False,
            postgresql_where=sa.text("duplicate_of_id IS NOT NULL"),
            sqlite_where=sa.text("duplicate_of_id IS NOT NULL"),
        )
    with op.batch_alter_table("misuse_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_misuse_reports_signature_id"), ["signature_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("misuse_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_misuse_reports_signature_id"))
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_signatures_duplicate_of")
        batch_op.drop_index("ix_signatures_petition_iin")
