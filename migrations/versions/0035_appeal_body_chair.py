"""The chair of a body, who hears about and answers the appeals addressed to the whole body
(issue 15): ``body_appeal_settings.chair_deputy_id``, set by an administrator.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("body_appeal_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chair_deputy_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_body_appeal_settings_chair_deputy_id_deputies",
            "deputies",
            ["chair_deputy_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("body_appeal_settings", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_body_appeal_settings_chair_deputy_id_deputies", type_="foreignkey"
        )
        batch_op.drop_column("chair_deputy_id")
