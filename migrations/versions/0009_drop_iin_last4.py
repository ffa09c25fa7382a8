"""Drop ``iin_last4``: with the birth date it rebuilt a voter's IIN without ``IIN_HASH_KEY``.

Signatures and voter-roll entries kept the birth date and the last four digits of the IIN,
which leave only the sex digit and one serial digit unknown; the check digit cuts those 20
combinations to two or three IINs (issue 13). Matching uses the keyed hash and age checks the
birth date, so the column goes from signatures, voter-roll entries and misuse reports. People
compare rows by a prefix of the keyed hash instead. The downgrade brings the column back empty
('????'): what it held cannot be restored.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("signatures", "voter_roll_entries", "misuse_reports")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_signatures_last4_digits"), "signatures", type_="check")
    # A plain DROP COLUMN (SQLite has it since 3.35): rebuilding these large tables is not needed.
    for table in TABLES:
        op.drop_column(table, "iin_last4")


def downgrade():
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("iin_last4", sa.String(length=4), nullable=False, server_default="????"),
        )
