"""Initiators' updates reach followers in a daily digest, each exactly once (issue 15):
``update_digest_entries`` records which update went into which follower's digest. The followers'
rules of ``appeal.update_published`` and ``petition.update_published`` go (the event stays, for
webhooks): a follower now gets the update in the digest, not in a mail of its own.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-03

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None

_FOLLOWER_RULES = (
    ("appeal.update_published", "appeal_followers"),
    ("petition.update_published", "petition_followers"),
)


def upgrade():
    op.create_table(
        "update_digest_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("update_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_update_digest_entries_event_id_events"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["update_id"],
            ["initiator_updates.id"],
            name=op.f("fk_update_digest_entries_update_id_initiator_updates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_update_digest_entries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_digest_entries")),
        sa.UniqueConstraint("update_id", "user_id", name="uq_update_digest_entries_update_user"),
    )
    with op.batch_alter_table("update_digest_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_update_digest_entries_user_id"), ["user_id"], unique=False
        )
    for kind, recipient in _FOLLOWER_RULES:
        op.execute(
            sa.text(
                "DELETE FROM notification_rules WHERE event_kind = :kind AND recipient = :recipient"
            ).bindparams(kind=kind, recipient=recipient)
        )


def downgrade():
    rules = sa.table(
        "notification_rules",
        sa.column("event_kind", sa.String),
        sa.column("recipient", sa.String),
        sa.column("channel", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        rules,
        [
            {
                "event_kind": kind,
                "recipient": recipient,
                "channel": "email",
                "active": True,
                "created_at": datetime.now(UTC),
            }
            for kind, recipient in _FOLLOWER_RULES
        ],
    )
    with op.batch_alter_table("update_digest_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_update_digest_entries_user_id"))
    op.drop_table("update_digest_entries")
