"""Signatures record every signing channel a rule may allow.

Besides ``online`` (e-mail link or digital signature: ``identity_provider`` tells them apart) and
``paper``: ``in_person``, ``post`` and ``proxy``, which the commission enters with the channel
recorded (UK Recall of MPs Act 2015, s. 11). Only the CHECK constraint on ``signatures.source`` changes;
downgrading refuses while rows use the new channels (they would have no value to go back to).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_OLD = ("online", "paper")
_NEW = ("online", "paper", "in_person", "post", "proxy")


def _source_type(values):
    return sa.Enum(
        *values, name="signature_source", native_enum=False, create_constraint=True, length=32
    )


def _retype(old, new):
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        if op.get_bind().dialect.name == "postgresql":
            batch_op.drop_constraint(op.f("ck_signatures_signature_source"), type_="check")
            batch_op.create_check_constraint("signature_source", sa.column("source").in_(new))
        else:
            # SQLite rebuilds the table; the new type carries its own CHECK constraint.
            batch_op.alter_column(
                "source", existing_type=_source_type(old), type_=_source_type(new)
            )


def upgrade():
    _retype(_OLD, _NEW)


def downgrade():
    used = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM signatures WHERE source NOT IN ('online', 'paper')")
    )
    if used:
        raise RuntimeError(
            f"{used} signatures came through channels older versions do not know; "
            "delete them before downgrading"
        )
    _retype(_NEW, _OLD)
