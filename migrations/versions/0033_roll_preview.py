"""Voter-roll uploads wait for confirmation: a loaded roll shows its preview and goes live only
when a commissioner confirms it (issue 14).

Two statuses join ``voter_roll_import_status``: ``preview`` (loaded, inactive, waiting for the
commissioner's yes) and ``discarded`` (the commissioner said no; its entries are gone), and
``confirm_first`` marks the imports that wait (uploads on the page; the command line still
activates at once). Only the CHECK constraint and one column change; downgrading refuses while
rows use the new statuses.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

_OLD = ("loading", "active", "replaced", "failed")
_NEW = (*_OLD, "preview", "discarded")


def _status_type(values):
    return sa.Enum(
        *values,
        name="voter_roll_import_status",
        native_enum=False,
        create_constraint=True,
        length=32,
    )


def _retype(old, new):
    with op.batch_alter_table("voter_roll_imports", schema=None) as batch_op:
        if op.get_bind().dialect.name == "postgresql":
            batch_op.drop_constraint(
                op.f("ck_voter_roll_imports_voter_roll_import_status"), type_="check"
            )
            batch_op.create_check_constraint(
                "voter_roll_import_status", sa.column("status").in_(new)
            )
        else:
            # SQLite rebuilds the table; the new type carries its own CHECK constraint.
            batch_op.alter_column(
                "status", existing_type=_status_type(old), type_=_status_type(new)
            )


def upgrade():
    _retype(_OLD, _NEW)
    with op.batch_alter_table("voter_roll_imports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("confirm_first", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    used = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM voter_roll_imports WHERE status IN ('preview', 'discarded')")
    )
    if used:
        raise RuntimeError(
            f"{used} voter roll imports wait for confirmation or were discarded; "
            "delete them before downgrading"
        )
    with op.batch_alter_table("voter_roll_imports", schema=None) as batch_op:
        batch_op.drop_column("confirm_first")
    _retype(_NEW, _OLD)
