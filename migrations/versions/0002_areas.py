"""Areas: notifications, promises, recall rules and petitions, signatures and counting, verification and audit.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_entries_seq")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_body_id"), ["body_id"], unique=False)
        batch_op.create_index(
            "ix_audit_entries_subject", ["subject_type", "subject_id"], unique=False
        )

    op.create_table(
        "notification_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_kind", sa.String(length=80), nullable=False),
        sa.Column(
            "recipient",
            sa.Enum(
                "signer",
                "petition_initiators",
                "deputy",
                "body_commission",
                "deputy_followers",
                "petition_followers",
                "organization_webhooks",
                "payload_user",
                "misuse_reporter",
                name="notification_recipient",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "webhook",
                name="notification_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_rules")),
        sa.UniqueConstraint(
            "event_kind", "recipient", "channel", name="uq_notification_rules_kind_recipient"
        ),
    )
    with op.batch_alter_table("notification_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_rules_event_kind"), ["event_kind"], unique=False
        )

    op.create_table(
        "promise_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_topics")),
        sa.UniqueConstraint("slug", name=op.f("uq_promise_topics_slug")),
    )
    op.create_table(
        "reason_codes",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('invalid', 'review')", name=op.f("ck_reason_codes_outcome_kind")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_reason_codes")),
    )
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "target_type",
            sa.Enum(
                "deputy",
                "petition",
                name="follow_target",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "none",
                name="follow_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_follows_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint("user_id", "target_type", "target_id", name="uq_follows_user_target"),
    )
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.create_index("ix_follows_target", ["target_type", "target_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follows_user_id"), ["user_id"], unique=False)

    op.create_table(
        "recall_rule_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("is_preset", sa.Boolean(), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["recall_rule_versions.id"],
            name=op.f("fk_recall_rule_versions_based_on_id_recall_rule_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_recall_rule_versions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_rule_versions")),
        sa.UniqueConstraint("key", "version", name="uq_recall_rule_versions_key_version"),
    )
    with op.batch_alter_table("recall_rule_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recall_rule_versions_key"), ["key"], unique=False)

    op.create_table(
        "voter_roll_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "loading",
                "active",
                "replaced",
                "failed",
                name="voter_roll_import_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("skip_invalid", sa.Boolean(), nullable=False),
        sa.Column("bytes_total", sa.BigInteger(), nullable=False),
        sa.Column("bytes_read", sa.BigInteger(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_loaded", sa.Integer(), nullable=False),
        sa.Column("rows_skipped", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("report_path", sa.String(length=500), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "NOT is_active OR status = 'active'", name=op.f("ck_voter_roll_imports_active_status")
        ),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["bodies.id"],
            name=op.f("fk_voter_roll_imports_body_id_bodies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_voter_roll_imports_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_roll_imports")),
    )
    with op.batch_alter_table("voter_roll_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voter_roll_imports_body_id"), ["body_id"], unique=False
        )
        batch_op.create_index(
            "uq_voter_roll_imports_one_active",
            ["body_id"],
            unique=True,
            postgresql_where=sa.text("is_active"),
            sqlite_where=sa.text("is_active = 1"),
        )

    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_webhook_endpoints_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_webhook_endpoints_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_endpoints_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "body_recall_rules",
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("rule_version_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_body_recall_rules_assigned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["bodies.id"],
            name=op.f("fk_body_recall_rules_body_id_bodies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_version_id"],
            ["recall_rule_versions.id"],
            name=op.f("fk_body_recall_rules_rule_version_id_recall_rule_versions"),
        ),
        sa.PrimaryKeyConstraint("body_id", name=op.f("pk_body_recall_rules")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "webhook",
                name="delivery_channel",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column(
            "recipient_kind",
            sa.Enum(
                "signer",
                "petition_initiators",
                "deputy",
                "body_commission",
                "deputy_followers",
                "petition_followers",
                "organization_webhooks",
                "payload_user",
                "misuse_reporter",
                name="delivery_recipient_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("endpoint_id", sa.Integer(), nullable=True),
        sa.Column("follow_id", sa.Integer(), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sending",
                "sent",
                "failed",
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_deliveries_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follow_id"],
            ["follows.id"],
            name=op.f("fk_deliveries_follow_id_follows"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_deliveries_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "event_id", "channel", "recipient", name="uq_deliveries_event_channel_recipient"
        ),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            "ix_deliveries_status_created", ["status", "created_at"], unique=False
        )

    op.create_table(
        "petitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("rule_version_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "gathering_group",
                "submitted",
                "rejected",
                "collecting",
                "closed",
                "under_verification",
                "qualified",
                "failed",
                "recalled",
                "not_recalled",
                name="petition_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("initiator_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registered_by_id", sa.Integer(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registered_voters", sa.Integer(), nullable=True),
        sa.Column("required_signatures", sa.Integer(), nullable=True),
        sa.Column("confirmed_count", sa.Integer(), nullable=False),
        sa.Column("threshold_met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("milestones_announced", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("final_state_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at",
            name=op.f("ck_petitions_period_order"),
        ),
        sa.CheckConstraint("confirmed_count >= 0", name=op.f("ck_petitions_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["body_id"], ["bodies.id"], name=op.f("fk_petitions_body_id_bodies")
        ),
        sa.ForeignKeyConstraint(
            ["deputy_id"], ["deputies.id"], name=op.f("fk_petitions_deputy_id_deputies")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_petitions_district_id_districts")
        ),
        sa.ForeignKeyConstraint(
            ["initiator_id"], ["users.id"], name=op.f("fk_petitions_initiator_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_id"],
            ["users.id"],
            name=op.f("fk_petitions_registered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["rule_version_id"],
            ["recall_rule_versions.id"],
            name=op.f("fk_petitions_rule_version_id_recall_rule_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petitions")),
    )
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_petitions_body_id"), ["body_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_petitions_closes_at"), ["closes_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_petitions_deputy_id"), ["deputy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_petitions_district_id"), ["district_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_petitions_initiator_id"), ["initiator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_petitions_state"), ["state"], unique=False)
        batch_op.create_index(
            "uq_petitions_one_active_per_deputy",
            ["deputy_id"],
            unique=True,
            postgresql_where=sa.text(
                "state NOT IN ('failed', 'not_recalled', 'recalled', 'rejected')"
            ),
            sqlite_where=sa.text("state NOT IN ('failed', 'not_recalled', 'recalled', 'rejected')"),
        )

    op.create_table(
        "promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deputy_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("source_url", sa.String(length=1000), nullable=False),
        sa.Column("quotation", sa.Text(), nullable=True),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "national",
                "regional",
                "local",
                name="promise_level",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "not_yet_rated",
                "in_the_works",
                "stalled",
                "compromise",
                "kept",
                "broken",
                name="promise_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "broken_reason",
            sa.Enum(
                "no_priority",
                "changed_position",
                "no_majority",
                "outside_powers",
                "other",
                name="promise_broken_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("distinct_confirmed", sa.Boolean(), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'broken') = (broken_reason IS NOT NULL)",
            name=op.f("ck_promises_broken_reason_iff_broken"),
        ),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR merged_into_id <> id",
            name=op.f("ck_promises_not_merged_into_self"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_promises_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deputy_id"],
            ["deputies.id"],
            name=op.f("fk_promises_deputy_id_deputies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["promises.id"],
            name=op.f("fk_promises_merged_into_id_promises"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_promises_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["promise_topics.id"], name=op.f("fk_promises_topic_id_promise_topics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promises")),
    )
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_promises_deputy_id"), ["deputy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_promises_made_on"), ["made_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_promises_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_promises_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_promises_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "voter_roll_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("iin_hash", sa.String(length=64), nullable=False),
        sa.Column("iin_last4", sa.String(length=4), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("district_number", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["voter_roll_imports.id"],
            name=op.f("fk_voter_roll_entries_import_id_voter_roll_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_roll_entries")),
    )
    with op.batch_alter_table("voter_roll_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_voter_roll_entries_import_district", ["import_id", "district_number"], unique=False
        )
        batch_op.create_index(
            "ix_voter_roll_entries_import_hash", ["import_id", "iin_hash"], unique=False
        )

    op.create_table(
        "certification_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("numbers", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('qualified', 'failed')",
            name=op.f("ck_certification_proposals_outcome_kind"),
        ),
        sa.CheckConstraint(
            "confirmed_by_id IS NULL OR confirmed_by_id <> proposed_by_id",
            name=op.f("ck_certification_proposals_two_people"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_certification_proposals_confirmed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_certification_proposals_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["users.id"],
            name=op.f("fk_certification_proposals_proposed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification_proposals")),
    )
    with op.batch_alter_table("certification_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_certification_proposals_petition_id"), ["petition_id"], unique=False
        )

    op.create_table(
        "initiative_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_initiative_members_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_initiative_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative_members")),
        sa.UniqueConstraint("petition_id", "user_id", name="uq_initiative_members_petition_user"),
    )
    with op.batch_alter_table("initiative_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiative_members_petition_id"), ["petition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_initiative_members_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "petition_count_shards",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_count_shards_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("petition_id", "shard", name=op.f("pk_petition_count_shards")),
    )
    op.create_table(
        "petition_day_counts",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_day_counts_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("petition_id", "day", "shard", name=op.f("pk_petition_day_counts")),
    )
    op.create_table(
        "petition_promises",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_petition_promises_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"],
            ["promises.id"],
            name=op.f("fk_petition_promises_promise_id_promises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("petition_id", "promise_id", name=op.f("pk_petition_promises")),
    )
    with op.batch_alter_table("petition_promises", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_petition_promises_promise_id"), ["promise_id"], unique=False
        )

    op.create_table(
        "promise_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("old_title", sa.String(length=200), nullable=False),
        sa.Column("new_title", sa.String(length=200), nullable=False),
        sa.Column("old_statement", sa.Text(), nullable=False),
        sa.Column("new_statement", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["users.id"],
            name=op.f("fk_promise_revisions_editor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_promise_revisions_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"],
            ["promises.id"],
            name=op.f("fk_promise_revisions_promise_id_promises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_revisions")),
    )
    with op.batch_alter_table("promise_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_promise_revisions_promise_id"), ["promise_id"], unique=False
        )

    op.create_table(
        "promise_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("quotation", sa.Text(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_promise_sources_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"],
            ["promises.id"],
            name=op.f("fk_promise_sources_promise_id_promises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_sources")),
    )
    with op.batch_alter_table("promise_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_promise_sources_promise_id"), ["promise_id"], unique=False
        )

    op.create_table(
        "promise_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_yet_rated",
                "in_the_works",
                "stalled",
                "compromise",
                "kept",
                "broken",
                name="promise_change_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "previous_status",
            sa.Enum(
                "not_yet_rated",
                "in_the_works",
                "stalled",
                "compromise",
                "kept",
                "broken",
                name="promise_change_previous_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "broken_reason",
            sa.Enum(
                "no_priority",
                "changed_position",
                "no_majority",
                "outside_powers",
                "other",
                name="promise_change_broken_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("monitor_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'broken') = (broken_reason IS NOT NULL)",
            name=op.f("ck_promise_status_changes_change_broken_reason_iff_broken"),
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["promise_status_changes.id"],
            name=op.f("fk_promise_status_changes_corrects_id_promise_status_changes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["monitor_id"],
            ["users.id"],
            name=op.f("fk_promise_status_changes_monitor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_promise_status_changes_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"],
            ["promises.id"],
            name=op.f("fk_promise_status_changes_promise_id_promises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_status_changes")),
    )
    with op.batch_alter_table("promise_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_promise_status_changes_organization_id"),
            ["organization_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_promise_status_changes_promise_id"), ["promise_id"], unique=False
        )

    op.create_table(
        "recall_vote_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("registered", sa.Integer(), nullable=False),
        sa.Column("turnout", sa.Integer(), nullable=False),
        sa.Column("yes", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("recalled", sa.Boolean(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_recall_vote_results_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_recall_vote_results_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_vote_results")),
        sa.UniqueConstraint("petition_id", name=op.f("uq_recall_vote_results_petition_id")),
    )
    op.create_table(
        "sample_draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.Integer(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("sampled_ids", sa.JSON(), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Integer(), nullable=True),
        sa.Column("duplicates", sa.Integer(), nullable=True),
        sa.Column("projected", sa.Integer(), nullable=True),
        sa.Column("formula", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("drawn_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["drawn_by_id"],
            ["users.id"],
            name=op.f("fk_sample_draws_drawn_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_sample_draws_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_draws")),
        sa.UniqueConstraint("petition_id", name=op.f("uq_sample_draws_petition_id")),
    )
    op.create_table(
        "signature_receipt_decoys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_signature_receipt_decoys_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature_receipt_decoys")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_signature_receipt_decoys_receipt_hash")),
    )
    with op.batch_alter_table("signature_receipt_decoys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signature_receipt_decoys_petition_id"), ["petition_id"], unique=False
        )

    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("iin_hash", sa.String(length=64), nullable=False),
        sa.Column("iin_last4", sa.String(length=4), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "online",
                "paper",
                name="signature_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("paper_sheet", sa.Integer(), nullable=True),
        sa.Column("paper_line", sa.Integer(), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "confirmed",
                "expired",
                "withdrawn",
                name="signature_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("email_count", sa.Integer(), nullable=False),
        sa.Column(
            "check_status",
            sa.Enum(
                "unchecked",
                "valid",
                "invalid",
                "review",
                name="check_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(source = 'paper') = (paper_sheet IS NOT NULL AND paper_line IS NOT NULL)",
            name=op.f("ck_signatures_paper_position"),
        ),
        # PostgreSQL only (regular expression); the model declares it with ddl_if(dialect="postgresql").
        *(
            [
                sa.CheckConstraint(
                    "iin_last4 ~ '^[0-9]{4}$'", name=op.f("ck_signatures_last4_digits")
                )
            ]
            if op.get_bind().dialect.name == "postgresql"
            else []
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_signatures_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_signatures_district_id_districts")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["signatures.id"],
            name=op.f("fk_signatures_duplicate_of_id_signatures"),
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["users.id"],
            name=op.f("fk_signatures_entered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_signatures_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
        sa.UniqueConstraint(
            "petition_id", "paper_sheet", "paper_line", name="uq_signatures_paper_position"
        ),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_signatures_receipt_hash")),
    )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signatures_petition_check", ["petition_id", "check_status"], unique=False
        )
        batch_op.create_index(
            "ix_signatures_petition_status", ["petition_id", "status"], unique=False
        )
        batch_op.create_index(
            "uq_signatures_one_per_voter",
            ["petition_id", "iin_hash"],
            unique=True,
            postgresql_where=sa.text("duplicate_of_id IS NULL"),
            sqlite_where=sa.text("duplicate_of_id IS NULL"),
        )

    op.create_table(
        "misuse_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("iin_hash", sa.String(length=64), nullable=False),
        sa.Column("iin_last4", sa.String(length=4), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["petition_id"],
            ["petitions.id"],
            name=op.f("fk_misuse_reports_petition_id_petitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_misuse_reports_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signatures.id"],
            name=op.f("fk_misuse_reports_signature_id_signatures"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_misuse_reports")),
    )
    with op.batch_alter_table("misuse_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_misuse_reports_petition_id"), ["petition_id"], unique=False
        )

    op.create_table(
        "promise_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "wording",
                "rating",
                "merge",
                name="promise_correction_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("status_change_id", sa.Integer(), nullable=True),
        sa.Column("made_by_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["made_by_id"],
            ["users.id"],
            name=op.f("fk_promise_corrections_made_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_promise_corrections_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"],
            ["promises.id"],
            name=op.f("fk_promise_corrections_promise_id_promises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["promise_revisions.id"],
            name=op.f("fk_promise_corrections_revision_id_promise_revisions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["status_change_id"],
            ["promise_status_changes.id"],
            name=op.f("fk_promise_corrections_status_change_id_promise_status_changes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_corrections")),
    )
    with op.batch_alter_table("promise_corrections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_promise_corrections_promise_id"), ["promise_id"], unique=False
        )

    op.create_table(
        "promise_disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("status_change_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("raised_by_organization_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "upheld",
                "corrected",
                name="promise_dispute_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_by_organization_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("correction_change_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(state = 'open') = (resolved_at IS NULL)",
            name=op.f("ck_promise_disputes_resolved_iff_not_open"),
        ),
        sa.ForeignKeyConstraint(
            ["correction_change_id"],
            ["promise_status_changes.id"],
            name=op.f("fk_promise_disputes_correction_change_id_promise_status_changes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["promise_id"],
            ["promises.id"],
            name=op.f("fk_promise_disputes_promise_id_promises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"],
            ["users.id"],
            name=op.f("fk_promise_disputes_raised_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_organization_id"],
            ["organizations.id"],
            name=op.f("fk_promise_disputes_raised_by_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_promise_disputes_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_organization_id"],
            ["organizations.id"],
            name=op.f("fk_promise_disputes_resolved_by_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["status_change_id"],
            ["promise_status_changes.id"],
            name=op.f("fk_promise_disputes_status_change_id_promise_status_changes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_disputes")),
    )
    with op.batch_alter_table("promise_disputes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_promise_disputes_promise_id"), ["promise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_promise_disputes_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_promise_disputes_status_change_id"), ["status_change_id"], unique=False
        )

    op.create_table(
        "review_claims",
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signatures.id"],
            name=op.f("fk_review_claims_signature_id_signatures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_review_claims_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("signature_id", name=op.f("pk_review_claims")),
    )
    with op.batch_alter_table("deputies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_email", sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table("deputies", schema=None) as batch_op:
        batch_op.drop_column("contact_email")

    op.drop_table("review_claims")
    with op.batch_alter_table("promise_disputes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promise_disputes_status_change_id"))
        batch_op.drop_index(batch_op.f("ix_promise_disputes_state"))
        batch_op.drop_index(batch_op.f("ix_promise_disputes_promise_id"))

    op.drop_table("promise_disputes")
    with op.batch_alter_table("promise_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promise_corrections_promise_id"))

    op.drop_table("promise_corrections")
    with op.batch_alter_table("misuse_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_misuse_reports_petition_id"))

    op.drop_table("misuse_reports")
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_signatures_one_per_voter",
            postgresql_where=sa.text("duplicate_of_id IS NULL"),
            sqlite_where=sa.text("duplicate_of_id IS NULL"),
        )
        batch_op.drop_index("ix_signatures_petition_status")
        batch_op.drop_index("ix_signatures_petition_check")

    op.drop_table("signatures")
    with op.batch_alter_table("signature_receipt_decoys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signature_receipt_decoys_petition_id"))

    op.drop_table("signature_receipt_decoys")
    op.drop_table("sample_draws")
    op.drop_table("recall_vote_results")
    with op.batch_alter_table("promise_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promise_status_changes_promise_id"))
        batch_op.drop_index(batch_op.f("ix_promise_status_changes_organization_id"))

    op.drop_table("promise_status_changes")
    with op.batch_alter_table("promise_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promise_sources_promise_id"))

    op.drop_table("promise_sources")
    with op.batch_alter_table("promise_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promise_revisions_promise_id"))

    op.drop_table("promise_revisions")
    with op.batch_alter_table("petition_promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petition_promises_promise_id"))

    op.drop_table("petition_promises")
    op.drop_table("petition_day_counts")
    op.drop_table("petition_count_shards")
    with op.batch_alter_table("initiative_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_members_user_id"))
        batch_op.drop_index(batch_op.f("ix_initiative_members_petition_id"))

    op.drop_table("initiative_members")
    with op.batch_alter_table("certification_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certification_proposals_petition_id"))

    op.drop_table("certification_proposals")
    with op.batch_alter_table("voter_roll_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_voter_roll_entries_import_hash")
        batch_op.drop_index("ix_voter_roll_entries_import_district")

    op.drop_table("voter_roll_entries")
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promises_topic_id"))
        batch_op.drop_index(batch_op.f("ix_promises_status"))
        batch_op.drop_index(batch_op.f("ix_promises_organization_id"))
        batch_op.drop_index(batch_op.f("ix_promises_made_on"))
        batch_op.drop_index(batch_op.f("ix_promises_deputy_id"))

    op.drop_table("promises")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_petitions_one_active_per_deputy",
            postgresql_where=sa.text(
                "state NOT IN ('failed', 'not_recalled', 'recalled', 'rejected')"
            ),
            sqlite_where=sa.text("state NOT IN ('failed', 'not_recalled', 'recalled', 'rejected')"),
        )
        batch_op.drop_index(batch_op.f("ix_petitions_state"))
        batch_op.drop_index(batch_op.f("ix_petitions_initiator_id"))
        batch_op.drop_index(batch_op.f("ix_petitions_district_id"))
        batch_op.drop_index(batch_op.f("ix_petitions_deputy_id"))
        batch_op.drop_index(batch_op.f("ix_petitions_closes_at"))
        batch_op.drop_index(batch_op.f("ix_petitions_body_id"))

    op.drop_table("petitions")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_status_created")
        batch_op.drop_index(batch_op.f("ix_deliveries_event_id"))

    op.drop_table("deliveries")
    op.drop_table("body_recall_rules")
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoints_organization_id"))

    op.drop_table("webhook_endpoints")
    with op.batch_alter_table("voter_roll_imports", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_voter_roll_imports_one_active",
            postgresql_where=sa.text("is_active"),
            sqlite_where=sa.text("is_active = 1"),
        )
        batch_op.drop_index(batch_op.f("ix_voter_roll_imports_body_id"))

    op.drop_table("voter_roll_imports")
    with op.batch_alter_table("recall_rule_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recall_rule_versions_key"))

    op.drop_table("recall_rule_versions")
    with op.batch_alter_table("follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follows_user_id"))
        batch_op.drop_index("ix_follows_target")

    op.drop_table("follows")
    op.drop_table("reason_codes")
    op.drop_table("promise_topics")
    with op.batch_alter_table("notification_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_rules_event_kind"))

    op.drop_table("notification_rules")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_subject")
        batch_op.drop_index(batch_op.f("ix_audit_entries_body_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_action"))

    op.drop_table("audit_entries")
    op.drop_table("audit_chain_head")
