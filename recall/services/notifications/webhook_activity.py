"""What an organization sees of its webhooks at work: a test delivery on demand, recent statuses.

A test delivery is a real one through the delivery engine (signed, retried, recorded): an event
``webhook.test`` about the endpoint and one delivery to that endpoint only, created here rather
than by fan-out (no rule sends ``webhook.test`` to anyone else). One test at a time per endpoint:
another is refused while the last is still on its way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Conflict
from recall.extensions import db
from recall.models.base import utcnow
from recall.models.notifications import (
    Channel,
    Delivery,
    DeliveryStatus,
    Recipient,
    WebhookEndpoint,
)
from recall.models.outbox import Event
from recall.models.user import User
from recall.notifications.dispatch import schedule_delivery
from recall.services.notifications.endpoints import list_endpoints, owned_endpoint
from recall.services.outbox import record_event

TEST_KIND = "webhook.test"
RECENT_PER_ENDPOINT = 10
_UNFINISHED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


@dataclass(frozen=True)
class DeliveryRow:
    """One delivery as its organization sees it (a webhook's error quotes no one's data)."""

    id: int
    endpoint_id: int
    event_kind: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def send_test_delivery(actor: User, endpoint_id: int) -> Delivery:
    """Queue a signed test POST to one of the actor's organization's active endpoints.

    Raises ``Forbidden``, ``NotFound`` and ``Conflict`` (inactive, or a test still on its way).
    The delivery is sent after the caller commits. Flushes.
    """
    endpoint = owned_endpoint(actor, endpoint_id)
    if not endpoint.active:
        raise Conflict(_("This webhook is inactive."))
    waiting = db.session.scalar(
        sa.select(Delivery.id)
        .join(Event, Event.id == Delivery.event_id)
        .where(
            Delivery.endpoint_id == endpoint.id,
            Event.kind == TEST_KIND,
            Delivery.status.in_(_UNFINISHED),
        )
        .limit(1)
    )
    if waiting is not None:
        raise Conflict(_("A test delivery to this webhook is still on its way."))
    event = record_event(
        TEST_KIND,
        "webhook_endpoint",
        endpoint.id,
        {"endpoint_id": endpoint.id, "test": True},
        actor_id=actor.id,
    )
    event.fanned_out_at = utcnow()  # its one delivery is made here, not by fan-out
    delivery = Delivery(
        event_id=event.id,
        channel=Channel.WEBHOOK,
        recipient=f"webhook:{endpoint.id}",
        recipient_kind=Recipient.ORGANIZATION_WEBHOOKS,
        endpoint_id=endpoint.id,
        status=DeliveryStatus.PENDING,
        attempts=0,
    )
    db.session.add(delivery)
    db.session.flush()
    schedule_delivery(delivery.id)
    return delivery


def recent_deliveries(
    actor: User, endpoints: list[WebhookEndpoint], per_endpoint: int = RECENT_PER_ENDPOINT
) -> dict[int, list[DeliveryRow]]:
    """The latest deliveries of each endpoint, newest first (one query for all endpoints)."""
    ids = [e.id for e in endpoints]
    if not ids:
        return {}
    rank = (
        sa.func.row_number()
        .over(partition_by=Delivery.endpoint_id, order_by=Delivery.id.desc())
        .label("rank")
    )
    latest = sa.select(Delivery.id, rank).where(Delivery.endpoint_id.in_(ids)).subquery("latest")
    rows = db.session.execute(
        sa.select(
            Delivery.id,
            Delivery.endpoint_id,
            Event.kind,
            Delivery.status,
            Delivery.attempts,
            Delivery.last_error,
            Delivery.created_at,
            Delivery.sent_at,
        )
        .join(latest, latest.c.id == Delivery.id)
        .join(Event, Event.id == Delivery.event_id)
        .where(latest.c.rank <= per_endpoint)
        .order_by(Delivery.endpoint_id, Delivery.id.desc())
    )
    found: dict[int, list[DeliveryRow]] = {i: [] for i in ids}
    for row in rows:
        found[row.endpoint_id].append(
            DeliveryRow(
                row.id,
                row.endpoint_id,
                row.kind,
                str(row.status),
                row.attempts,
                row.last_error,
                row.created_at,
                row.sent_at,
            )
        )
    return found


@dataclass(frozen=True)
class WebhookOverview:
    endpoints: list[WebhookEndpoint]
    deliveries: dict[int, list[DeliveryRow]]


def webhook_overview(actor: User) -> WebhookOverview:
    """The actor's organization's endpoints with their recent deliveries (the webhooks page)."""
    endpoints = list_endpoints(actor)
    return WebhookOverview(endpoints, recent_deliveries(actor, endpoints))


def endpoint_deliveries(actor: User, endpoint_id: int) -> list[DeliveryRow]:
    """Recent deliveries of one of the actor's organization's endpoints."""
    endpoint = owned_endpoint(actor, endpoint_id)
    return recent_deliveries(actor, [endpoint])[endpoint.id]
