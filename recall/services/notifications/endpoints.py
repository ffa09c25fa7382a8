"""Webhook endpoints that organizations register, and the administrators' view of failed deliveries."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.models.notifications import Delivery, DeliveryStatus, Recipient, WebhookEndpoint
from recall.models.petition import Petition
from recall.models.user import Role, User
from recall.notifications.dispatch import schedule_delivery
from recall.notifications.webhooks import is_private_url
from recall.rules.masking import mask_email, mask_emails_in
from recall.rules.numbers import int_or_none
from recall.services.pagination import Page, paginate

MAX_ENDPOINTS_PER_ORGANIZATION = 10


def _check_monitor(actor: User) -> None:
    if not (actor.has_role(Role.MONITOR) or actor.has_role(Role.ADMIN)):
        raise Forbidden(_("Only members of an organization can manage its webhooks."))


def list_endpoints(actor: User) -> list[WebhookEndpoint]:
    """The endpoints the actor may see: their organization's; an administrator sees all."""
    _check_monitor(actor)
    query = sa.select(WebhookEndpoint).order_by(WebhookEndpoint.id)
    if not actor.has_role(Role.ADMIN):
        query = query.where(WebhookEndpoint.organization_id == actor.organization_id)
    return list(db.session.scalars(query))


def register_endpoint(actor: User, url: str) -> WebhookEndpoint:
    """Register a webhook URL for the actor's organization, with a new random secret.

    Raises ``Forbidden`` (not in an organization), ``Invalid`` (field ``url``: not http(s), or a
    private address while ``WEBHOOK_ALLOW_PRIVATE`` is off) and ``Conflict`` (too many). Flushes.
    """
    _check_monitor(actor)
    if actor.organization_id is None:
        raise Forbidden(_("Join an organization before registering its webhooks."))
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise Invalid(_("Enter an http:// or https:// address."), field="url")
    if not current_app.config.get("WEBHOOK_ALLOW_PRIVATE") and is_private_url(url):
        raise Invalid(_("This address points into a private network."), field="url")
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(WebhookEndpoint)
        .where(
            WebhookEndpoint.organization_id == actor.organization_id,
            WebhookEndpoint.active.is_(True),
        )
    )
    if count >= MAX_ENDPOINTS_PER_ORGANIZATION:
        raise Conflict(
            _("Your organization has too many webhooks; deactivate one first."), field="url"
        )
    endpoint = WebhookEndpoint(
        organization_id=actor.organization_id,
        url=url,
        secret=secrets.token_hex(32),
        created_by_id=actor.id,
    )
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def owned_endpoint(actor: User, endpoint_id: int) -> WebhookEndpoint:
    """The endpoint, if the actor's organization owns it (or the actor is an administrator).

    Raises ``Forbidden`` (not a monitor, another organization) and ``NotFound``.
    """
    _check_monitor(actor)
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(_("No such webhook."))
    if not actor.has_role(Role.ADMIN) and endpoint.organization_id != actor.organization_id:
        raise Forbidden(_("This webhook belongs to another organization."))
    return endpoint


def deactivate_endpoint(actor: User, endpoint_id: int) -> WebhookEndpoint:
    """Stop sending to an endpoint. Raises ``NotFound`` and ``Forbidden`` (another organization)."""
    endpoint = owned_endpoint(actor, endpoint_id)
    endpoint.active = False
    db.session.flush()
    return endpoint


# Deliveries to these recipients carry signer data (a signer's or a misuse reporter's address).
SIGNER_RECIPIENTS = frozenset({Recipient.SIGNER, Recipient.MISUSE_REPORTER})


@dataclass(frozen=True)
class FailedDelivery:
    """A failed delivery as an administrator may see it: ``recipient`` and ``last_error`` masked
    when they are signer data and the administrator is not on the petition's commission."""

    delivery: Delivery
    recipient: str
    last_error: str | None
    masked: bool


def _petition_bodies(deliveries: list[Delivery]) -> dict[int, int]:
    """petition id -> body id for the petitions the deliveries' events name."""
    ids = {
        petition_id
        for d in deliveries
        if (petition_id := int_or_none((d.event.payload or {}).get("petition_id"))) is not None
    }
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Petition.id, Petition.body_id).where(Petition.id.in_(ids)))
    return dict(rows.all())


def _as_seen_by(actor: User, delivery: Delivery, bodies: dict[int, int]) -> FailedDelivery:
    if delivery.recipient_kind in SIGNER_RECIPIENTS:
        petition_id = int_or_none((delivery.event.payload or {}).get("petition_id"))
        body_id = bodies.get(petition_id) if petition_id is not None else None
        if body_id is None or not actor.is_commissioner_of(body_id):
            return FailedDelivery(
                delivery, mask_email(delivery.recipient), mask_emails_in(delivery.last_error), True
            )
    return FailedDelivery(delivery, delivery.recipient, delivery.last_error, False)


def list_failed_deliveries(actor: User, page: int = 1) -> Page[FailedDelivery]:
    """Failed deliveries, newest first (administrators only).

    Signer data goes only to the commission: a signer's or misuse reporter's address (and any
    address quoted in the error) is masked unless ``actor`` is a commissioner of the body of the
    petition concerned.
    """
    if not actor.has_role(Role.ADMIN):
        raise Forbidden(_("Only administrators can see failed deliveries."))
    query = (
        sa.select(Delivery)
        .where(Delivery.status == DeliveryStatus.FAILED)
        .order_by(Delivery.id.desc())
    )
    found = paginate(query, page, 50)
    bodies = _petition_bodies(found.items)
    return replace(found, items=[_as_seen_by(actor, d, bodies) for d in found.items])


def resend_delivery(actor: User, delivery_id: int) -> Delivery:
    """Put a failed delivery back to pending with fresh attempts; it is sent after the commit.

    Raises ``Forbidden`` (not an administrator), ``NotFound`` and ``Conflict`` (not failed). Flushes.
    """
    if not actor.has_role(Role.ADMIN):
        raise Forbidden(_("Only administrators can send deliveries again."))
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound(_("No such delivery."))
    if delivery.status != DeliveryStatus.FAILED:
        raise Conflict(_("Only a failed delivery can be sent again."))
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.claimed_at = None
    db.session.flush()
    schedule_delivery(delivery.id)
    return delivery
