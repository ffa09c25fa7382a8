"""Street names per language on localities (issue 11): ``localities.street_names``.

A street or micro-district gets its name in kk/ru/en like the locality's ``names``
(``flask districts import-localities`` columns ``street_kk``, ``street_ru``, ``street_en``); the
``street`` column stays the name as the file spells it. Existing rows get ``{}`` and keep their
search keys (the key adds the street's names only when there are some).

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("localities") as batch:
        batch.add_column(
            sa.Column("street_names", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade():
    with op.batch_alter_table("localities") as batch:
        batch.drop_column("street_names")
