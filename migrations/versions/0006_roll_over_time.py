"""The voter roll over time, and the electorate basis of a petition (issue 10).

Imports keep their entries (earlier rolls are history a signature is judged against);
``voter_roll_districts`` holds each accepted import's per-district count, so the roll in force
for a district on a day, and the district's electorate on that day, are one lookup. An import
records its mode (replace / partial), the under-18 rows left out and its per-district preview.
Districts get the electorate at the deputy's election; petitions the basis and date of their
electorate figure and whether the required number is still provisional.

Existing data: the active import of each body gets one row per district of the body (its
entries counted, 0 where it has none), which is what it meant until now.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "voter_roll_districts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("district_number", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("voters", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["bodies.id"],
            name=op.f("fk_voter_roll_districts_body_id_bodies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["voter_roll_imports.id"],
            name=op.f("fk_voter_roll_districts_import_id_voter_roll_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_roll_districts")),
        sa.UniqueConstraint(
            "body_id", "district_number", "as_of", name="uq_voter_roll_districts_day"
        ),
    )
    with op.batch_alter_table("voter_roll_districts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voter_roll_districts_import_id"), ["import_id"], unique=False
        )
    with op.batch_alter_table("voter_roll_imports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mode", sa.String(length=10), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("rows_minor", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("preview", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("voter_roll_imports", schema=None) as batch_op:
        batch_op.alter_column("mode", server_default=None)
        batch_op.alter_column("rows_minor", server_default=None)
        batch_op.alter_column("preview", server_default=None)
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voters_at_election", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("election_date", sa.Date(), nullable=True))
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("electorate_basis", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("electorate_as_of", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "required_provisional", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.alter_column("required_provisional", server_default=None)
    op.execute(
        "INSERT INTO voter_roll_districts (import_id, body_id, district_number, as_of, voters)"
        " SELECT i.id, i.body_id, d.number, i.as_of,"
        " (SELECT count(*) FROM voter_roll_entries e"
        "  WHERE e.import_id = i.id AND e.district_number = d.number)"
        " FROM voter_roll_imports i JOIN districts d ON d.body_id = i.body_id"
        " WHERE i.is_active"
    )


def downgrade():
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_column("required_provisional")
        batch_op.drop_column("electorate_as_of")
        batch_op.drop_column("electorate_basis")
    with op.batch_alter_table("districts", schema=None) as batch_op:
        batch_op.drop_column("election_date")
        batch_op.drop_column("voters_at_election")
    with op.batch_alter_table("voter_roll_imports", schema=None) as batch_op:
        batch_op.drop_column("preview")
        batch_op.drop_column("rows_minor")
        batch_op.drop_column("mode")
    with op.batch_alter_table("voter_roll_districts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voter_roll_districts_import_id"))
    op.drop_table("voter_roll_districts")
