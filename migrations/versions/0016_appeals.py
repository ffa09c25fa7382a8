"""Constituent petitions (appeals), their history and cited promises, per-body appeal terms,
and the moderator and deputy-account roles (issue 15).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=True),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "in_moderation",
                "rejected",
                "open",
                "response_due",
                "answered",
                "overdue",
                "closed",
                name="appeal_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ask", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderated_by_id", sa.Integer(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("threshold", sa.Integer(), nullable=True),
        sa.Column("response_days", sa.Integer(), nullable=True),
        sa.Column("constituent_count", sa.Integer(), nullable=False),
        sa.Column("supporter_count", sa.Integer(), nullable=False),
        sa.Column("threshold_reached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_text", sa.Text(), nullable=True),
        sa.Column("response_source", sa.String(length=500), nullable=True),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "constituent_count >= 0", name=op.f("ck_appeals_constituents_not_negative")
        ),
        sa.CheckConstraint(
            "deputy_id IS NOT NULL OR district_id IS NULL",
            name=op.f("ck_appeals_district_of_deputy"),
        ),
        sa.CheckConstraint("supporter_count >= 0", name=op.f("ck_appeals_supporters_not_negative")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_appeals_author_id_users")
        ),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], name=op.f("fk_appeals_body_id_bodies")),
        sa.ForeignKeyConstraint(
            ["deputy_id"], ["deputies.id"], name=op.f("fk_appeals_deputy_id_deputies")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_appeals_district_id_districts")
        ),
        sa.ForeignKeyConstraint(
            ["moderated_by_id"],
            ["users.id"],
            name=op.f("fk_appeals_moderated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["responded_by_id"],
            ["users.id"],
            name=op.f("fk_appeals_responded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_body_id"), ["body_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_closes_at"), ["closes_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_deputy_id"), ["deputy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_district_id"), ["district_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_appeals_response_due_at"), ["response_due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_appeals_state"), ["state"], unique=False)

    op.create_table(
        "body_appeal_settings",
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("open_months", sa.Integer(), nullable=False),
        sa.Column("threshold_count", sa.Integer(), nullable=True),
        sa.Column("threshold_share", sa.Numeric(precision=7, scale=6), nullable=True),
        sa.Column("response_days", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(threshold_count IS NULL) <> (threshold_share IS NULL)",
            name=op.f("ck_body_appeal_settings_one_threshold"),
        ),
        sa.CheckConstraint(
            "open_months BETWEEN 1 AND 36", name=op.f("ck_body_appeal_settings_open_months_range")
        ),
        sa.CheckConstraint(
            "response_days BETWEEN 1 AND 365",
            name=op.f("ck_body_appeal_settings_response_days_range"),
        ),
        sa.CheckConstraint(
            "threshold_count IS NULL OR threshold_count > 0",
            name=op.f("ck_body_appeal_settings_count_positive"),
        ),
        sa.CheckConstraint(
            "threshold_share IS NULL OR (threshold_share > 0 AND threshold_share <= 1)",
            name=op.f("ck_body_appeal_settings_share_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["bodies.id"],
            name=op.f("fk_body_appeal_settings_body_id_bodies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_body_appeal_settings_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("body_id", name=op.f("pk_body_appeal_settings")),
    )
    op.create_table(
        "appeal_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_appeal_history_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_history_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_history")),
    )
    with op.batch_alter_table("appeal_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appeal_history_appeal_id"), ["appeal_id"], unique=False
        )

    op.create_table(
        "appeal_promises",
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"],
            ["appeals.id"],
            name=op.f("fk_appeal_promises_appeal_id_appeals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"],
            ["promises.id"],
            name=op.f("fk_appeal_promises_promise_id_promises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("appeal_id", "promise_id", name=op.f("pk_appeal_promises")),
    )
    with op.batch_alter_table("appeal_promises", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_appeal_promises_promise_id"), ["promise_id"], unique=False
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_moderator", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("deputy_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_deputy_id"), ["deputy_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_users_deputy_id_deputies"), "deputies", ["deputy_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_deputy_id_deputies"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_users_deputy_id"), type_="unique")
        batch_op.drop_column("deputy_id")
        batch_op.drop_column("is_moderator")

    with op.batch_alter_table("appeal_promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_promises_promise_id"))

    op.drop_table("appeal_promises")
    with op.batch_alter_table("appeal_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_history_appeal_id"))

    op.drop_table("appeal_history")
    op.drop_table("body_appeal_settings")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_state"))
        batch_op.drop_index(batch_op.f("ix_appeals_response_due_at"))
        batch_op.drop_index(batch_op.f("ix_appeals_district_id"))
        batch_op.drop_index(batch_op.f("ix_appeals_deputy_id"))
        batch_op.drop_index(batch_op.f("ix_appeals_closes_at"))
        batch_op.drop_index(batch_op.f("ix_appeals_body_id"))
        batch_op.drop_index(batch_op.f("ix_appeals_author_id"))

    op.drop_table("appeals")
