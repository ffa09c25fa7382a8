"""Voter roll entries lose the foreign key to their import (issue 17: a national roll).

The key's check ran once per loaded row (a lookup and a share lock on the import row): 2.5 s of
a 1,000,000-row load, a third of the database's work. Entries are written only by the importer,
under the import row it has just created in the same transaction, and import rows are never
deleted (earlier rolls are history), so the check guarded nothing the code can break.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

FK = "fk_voter_roll_entries_import_id_voter_roll_imports"


def upgrade():
    with op.batch_alter_table("voter_roll_entries", schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")


def downgrade():
    op.execute(
        "DELETE FROM voter_roll_entries WHERE import_id NOT IN (SELECT id FROM voter_roll_imports)"
    )
    with op.batch_alter_table("voter_roll_entries", schema=None) as batch_op:
        batch_op.create_foreign_key(
            FK, "voter_roll_imports", ["import_id"], ["id"], ondelete="CASCADE"
        )
