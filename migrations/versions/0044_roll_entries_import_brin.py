"""Voter roll entries: a block-range index on the import instead of a B-tree on (import, district)
(issue 17: a national roll).

Every loaded row updated ``ix_voter_roll_entries_import_district``, about a tenth of the
database's work in a million-row import, and no query needs it: every lookup of a voter goes
through ``ix_voter_roll_entries_import_hash``, and the importer's own statements (counts per
district, minors, deleting a refused import) read all rows of one import. An import's rows are
written together by COPY, so they fill adjacent blocks of the table and a BRIN index on
``import_id`` (a few kilobytes, maintained per block range, not per row) finds them.
Other databases get a plain index on ``import_id``.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-03

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("voter_roll_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_voter_roll_entries_import_district")
        batch_op.create_index(
            "ix_voter_roll_entries_import", ["import_id"], unique=False, postgresql_using="brin"
        )


def downgrade():
    with op.batch_alter_table("voter_roll_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_voter_roll_entries_import")
        batch_op.create_index(
            "ix_voter_roll_entries_import_district", ["import_id", "district_number"], unique=False
        )
