"""Who hears what, and what was sent: notification rules, deliveries, follows and webhook endpoints.

An ``Event`` (``recall.models.outbox``) is fanned out into one ``Delivery`` per recipient and
channel. The unique key (event, channel, recipient) makes fan-out idempotent: running it twice
creates nothing new. A delivery is claimed (``sending``) before it is sent, so two runs of the
same delivery job cannot both send it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recall.extensions import db
from recall.models.base import TimestampMixin, UTCDateTime, enum_column
from recall.models.outbox import Event
from recall.models.user import Organization, User


class Channel(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for a delivery job
    SENDING = "sending"  # claimed by a job; a claim older than the lease is abandoned
    SENT = "sent"
    FAILED = "failed"  # permanent refusal or retries exhausted; an admin can send it again


class Recipient(StrEnum):
    """Recipient types a rule can name; each maps to a resolver in ``recall.notifications.recipients``."""

    SIGNER = "signer"  # the subject signature's e-mail
    PETITION_INITIATORS = "petition_initiators"  # initiator and confirmed initiative members
    DEPUTY = "deputy"  # the deputy concerned (contact_email)
    BODY_COMMISSION = "body_commission"  # commissioners of the petition's body
    DEPUTY_FOLLOWERS = "deputy_followers"
    PETITION_FOLLOWERS = "petition_followers"
    ORGANIZATION_WEBHOOKS = "organization_webhooks"  # every active webhook endpoint
    PAYLOAD_USER = "payload_user"  # the user named by payload["user_id"]
    MISUSE_REPORTER = "misuse_reporter"  # the e-mail on the subject misuse report
    APPEAL_FOLLOWERS = "appeal_followers"  # followers of the subject appeal
    BODY_FOLLOWERS = "body_followers"  # followers of the subject body (its monthly report card)


class FollowTarget(StrEnum):
    DEPUTY = "deputy"
    PETITION = "petition"
    APPEAL = "appeal"
    BODY = "body"  # a body's monthly report card (issue 14)


class FollowChannel(StrEnum):
    EMAIL = "email"
    NONE = "none"


_ALL_FOLLOWERS = (Recipient.PETITION_FOLLOWERS, Recipient.DEPUTY_FOLLOWERS)
_HOOKS = (Recipient.ORGANIZATION_WEBHOOKS,)

# The default "who hears what" table: (event kind, recipient types). E-mail for people,
# webhook for organizations. Seeded by ``recall.notifications.rules.ensure_default_rules`` and
# importable without an app so a migration can seed the same rows.
_DEFAULTS: tuple[tuple[str, tuple[Recipient, ...]], ...] = (
    ("signature.confirmation_requested", (Recipient.SIGNER,)),
    ("signature.already_signed", (Recipient.SIGNER,)),
    ("signature.withdrawn", (Recipient.SIGNER,)),
    ("appeal_signature.confirmation_requested", (Recipient.SIGNER,)),
    ("initiative.invited", (Recipient.PAYLOAD_USER,)),
    ("account.confirmation_requested", (Recipient.PAYLOAD_USER,)),
    ("account.registration_attempted", (Recipient.PAYLOAD_USER,)),
    ("petition.opened", (Recipient.PETITION_INITIATORS, Recipient.DEPUTY_FOLLOWERS, *_HOOKS)),
    ("deputy.recall_openable", (Recipient.DEPUTY_FOLLOWERS, *_HOOKS)),
    (
        "petition.submitted",
        (Recipient.BODY_COMMISSION, Recipient.PETITION_INITIATORS, *_ALL_FOLLOWERS, *_HOOKS),
    ),
    (
        "petition.registered",
        (Recipient.DEPUTY, Recipient.PETITION_INITIATORS, *_ALL_FOLLOWERS, *_HOOKS),
    ),
    ("petition.rejected", (Recipient.PETITION_INITIATORS, *_ALL_FOLLOWERS, *_HOOKS)),
    ("petition.milestone", (Recipient.PETITION_INITIATORS, Recipient.PETITION_FOLLOWERS, *_HOOKS)),
    (
        "petition.threshold_met",
        (
            Recipient.PETITION_INITIATORS,
            Recipient.BODY_COMMISSION,
            Recipient.PETITION_FOLLOWERS,
            *_HOOKS,
        ),
    ),
    (
        "petition.threshold_lost",
        (Recipient.PETITION_INITIATORS, Recipient.PETITION_FOLLOWERS, *_HOOKS),
    ),
    (
        "petition.closed",
        (
            Recipient.BODY_COMMISSION,
            Recipient.PETITION_INITIATORS,
            Recipient.DEPUTY,
            *_ALL_FOLLOWERS,
            *_HOOKS,
        ),
    ),
    (
        "petition.verification_started",
        (Recipient.PETITION_INITIATORS, Recipient.PETITION_FOLLOWERS, *_HOOKS),
    ),
    (
        "petition.certified",
        (Recipient.PETITION_INITIATORS, Recipient.DEPUTY, *_ALL_FOLLOWERS, *_HOOKS),
    ),
    (
        "petition.vote_recorded",
        (Recipient.PETITION_INITIATORS, Recipient.DEPUTY, *_ALL_FOLLOWERS, *_HOOKS),
    ),
    ("promise.created", (Recipient.DEPUTY_FOLLOWERS, *_HOOKS)),
    ("promise.status_changed", (Recipient.DEPUTY, Recipient.DEPUTY_FOLLOWERS, *_HOOKS)),
    ("promise.disputed", (Recipient.DEPUTY_FOLLOWERS, *_HOOKS)),
    ("promise.dispute_resolved", (Recipient.DEPUTY_FOLLOWERS, *_HOOKS)),
    # The monthly report card of a followed deputy (issue 14), a digest for their followers.
    ("deputy.report_card", (Recipient.DEPUTY_FOLLOWERS,)),
    # ... and of a followed body, for the body's followers.
    ("body.report_card", (Recipient.BODY_FOLLOWERS,)),
    ("misuse_report.received", (Recipient.MISUSE_REPORTER, Recipient.BODY_COMMISSION)),
    # A source passed the flag share or rate on a petition in an hour (issue 18).
    ("petition.source_flagged", (Recipient.BODY_COMMISSION,)),
    # A watched IIN appeared on a petition: the address on the watch (issue 18).
    ("iin_watch.appeared", (Recipient.MISUSE_REPORTER,)),
    # A watch started: its stop link, to the address on the watch.
    ("iin_watch.started", (Recipient.MISUSE_REPORTER,)),
    # The audit chain's daily head, so copies of it are held outside the system (issue 19).
    ("audit.head_published", _HOOKS),
    ("petition.audit_head", (Recipient.PETITION_FOLLOWERS,)),
    # Appeals (constituent petitions): payload["user_id"] is the appeal's author.
    (
        "appeal.published",
        (Recipient.PAYLOAD_USER, Recipient.APPEAL_FOLLOWERS, Recipient.DEPUTY_FOLLOWERS, *_HOOKS),
    ),
    ("appeal.rejected", (Recipient.PAYLOAD_USER,)),
    # A duplicate merged in moderation: its author, with the link to the appeal to sign instead.
    ("appeal.merged", (Recipient.PAYLOAD_USER,)),
    (
        "appeal.threshold_reached",
        (Recipient.PAYLOAD_USER, Recipient.DEPUTY, Recipient.APPEAL_FOLLOWERS, *_HOOKS),
    ),
    (
        "appeal.answered",
        (Recipient.PAYLOAD_USER, Recipient.APPEAL_FOLLOWERS, Recipient.DEPUTY_FOLLOWERS, *_HOOKS),
    ),
    # Followers get initiators' updates in their daily digest (payload["user_id"] is the
    # follower), not a mail each (issue 15); the event of each update is for webhooks.
    ("appeal.update_published", _HOOKS),
    ("petition.update_published", _HOOKS),
    ("follower.updates_digest", (Recipient.PAYLOAD_USER,)),
    (
        "appeal.overdue",
        (
            Recipient.PAYLOAD_USER,
            Recipient.DEPUTY,
            Recipient.APPEAL_FOLLOWERS,
            Recipient.DEPUTY_FOLLOWERS,
            *_HOOKS,
        ),
    ),
)

#: ``(event_kind, recipient, channel)`` triples, as plain strings.
DEFAULT_RULES: tuple[tuple[str, str, str], ...] = tuple(
    (
        kind,
        recipient.value,
        (Channel.WEBHOOK if recipient == Recipient.ORGANIZATION_WEBHOOKS else Channel.EMAIL).value,
    )
    for kind, recipients in _DEFAULTS
    for recipient in recipients
)


class NotificationRule(TimestampMixin, db.Model):
    """One row of "who hears what": events of ``event_kind`` go to ``recipient`` over ``channel``."""

    __tablename__ = "notification_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_kind: Mapped[str] = mapped_column(sa.String(80), index=True)
    recipient: Mapped[Recipient] = mapped_column(
        enum_column(Recipient, name="notification_recipient")
    )
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, name="notification_channel"))
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        sa.UniqueConstraint(
            "event_kind", "recipient", "channel", name="uq_notification_rules_kind_recipient"
        ),
    )

    def __repr__(self) -> str:
        return f"<NotificationRule {self.event_kind} -> {self.recipient} by {self.channel}>"


class WebhookEndpoint(TimestampMixin, db.Model):
    """A URL an organization registered; every delivery to it is signed with ``secret``."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(sa.String(500))
    secret: Mapped[str] = mapped_column(sa.String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    organization: Mapped[Organization] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.url}>"


class Follow(TimestampMixin, db.Model):
    """A user following a deputy, a body, a petition or an appeal; ``channel`` none keeps the
    follow but sends nothing."""

    __tablename__ = "follows"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[FollowTarget] = mapped_column(
        enum_column(FollowTarget, name="follow_target")
    )
    target_id: Mapped[int] = mapped_column()
    channel: Mapped[FollowChannel] = mapped_column(
        enum_column(FollowChannel, name="follow_channel"), default=FollowChannel.EMAIL
    )

    user: Mapped[User] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "target_type", "target_id", name="uq_follows_user_target"),
        sa.Index("ix_follows_target", "target_type", "target_id"),
    )


class Delivery(TimestampMixin, db.Model):
    """One message of one event to one recipient over one channel."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, name="delivery_channel"))
    # The address for e-mail, "webhook:<endpoint id>" for webhooks: the idempotency key's last part.
    recipient: Mapped[str] = mapped_column(sa.String(254))
    recipient_kind: Mapped[Recipient] = mapped_column(
        enum_column(Recipient, name="delivery_recipient_kind")
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    endpoint_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    follow_id: Mapped[int | None] = mapped_column(sa.ForeignKey("follows.id", ondelete="SET NULL"))
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, name="delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()
    endpoint: Mapped[WebhookEndpoint | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint(
            "event_id", "channel", "recipient", name="uq_deliveries_event_channel_recipient"
        ),
        sa.Index("ix_deliveries_status_created", "status", "created_at"),
    )

    def __repr__(self) -> str:
        return f"<Delivery {self.id} event={self.event_id} {self.channel}:{self.recipient} {self.status}>"
