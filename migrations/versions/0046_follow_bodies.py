"""Bodies can be followed, and their followers are a recipient kind: the monthly report card of a
body goes to them as a digest (issue 14). Only the CHECK constraints change.

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None

_RECIPIENTS = (
    "signer",
    "petition_initiators",
    "deputy",
    "body_commission",
    "deputy_followers",
    "petition_followers",
    "organization_webhooks",
    "payload_user",
    "misuse_reporter",
    "appeal_followers",
)
# (table, column, enum name, values before, values after)
_ENUMS = (
    (
        "follows",
        "target_type",
        "follow_target",
        ("deputy", "petition", "appeal"),
        ("deputy", "petition", "appeal", "body"),
    ),
    (
        "deliveries",
        "recipient_kind",
        "delivery_recipient_kind",
        _RECIPIENTS,
        (*_RECIPIENTS, "body_followers"),
    ),
    (
        "notification_rules",
        "recipient",
        "notification_recipient",
        _RECIPIENTS,
        (*_RECIPIENTS, "body_followers"),
    ),
)


def _enum(name, values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _retype(table, column, name, old, new):
    with op.batch_alter_table(table, schema=None) as batch_op:
        if op.get_bind().dialect.name == "postgresql":
            batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
            batch_op.create_check_constraint(name, sa.column(column).in_(new))
        else:
            # SQLite rebuilds the table; the new type carries its own CHECK constraint.
            batch_op.alter_column(column, existing_type=_enum(name, old), type_=_enum(name, new))


def upgrade():
    for table, column, name, old, new in _ENUMS:
        _retype(table, column, name, old, new)


def downgrade():
    # Rows naming a body go first: the narrower constraint would refuse them.
    op.execute("DELETE FROM follows WHERE target_type = 'body'")
    op.execute("DELETE FROM deliveries WHERE recipient_kind = 'body_followers'")
    op.execute("DELETE FROM notification_rules WHERE recipient = 'body_followers'")
    for table, column, name, old, new in _ENUMS:
        _retype(table, column, name, new, old)
