"""An organization's webhooks through the API, for tokens with scope ``webhooks`` (issue 16).

``GET/POST /api/v1/webhooks``, ``POST /api/v1/webhooks/<id>/deactivate``,
``POST /api/v1/webhooks/<id>/test`` and ``GET /api/v1/webhooks/<id>/deliveries``: what the
webhooks page does, with the same services and checks. The secret is in the answer to the POST
that registers the address, and nowhere else in the API.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from recall.api import bp
from recall.api import openapi_schemas as s
from recall.api.openapi import documented
from recall.api.scopes import scope
from recall.api.signatures import json_object, text_value
from recall.extensions import db
from recall.models import Role
from recall.models.notifications import WebhookEndpoint
from recall.security import roles_required
from recall.services.notifications import endpoints, webhook_activity

AUTH = "a monitor of the organization (or an administrator); a token with scope webhooks"


def webhook_json(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "active": endpoint.active,
        "created_at": endpoint.created_at.isoformat(),
    }


def delivery_json(row: webhook_activity.DeliveryRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "event_kind": row.event_kind,
        "status": row.status,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "created_at": row.created_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
    }


@bp.get("/webhooks")
@documented("Your organization's webhooks", tags=("webhooks",), response=s.WebhookList, auth=AUTH)
@roles_required(Role.MONITOR, Role.ADMIN)
@scope("webhooks")
def list_webhooks():
    return {"items": [webhook_json(e) for e in endpoints.list_endpoints(current_user)]}


@bp.post("/webhooks")
@documented(
    "Register a webhook address",
    tags=("webhooks",),
    response=s.WebhookCreated,
    status=201,
    body=s.WebhookIn,
    auth=AUTH,
    errors=(401, 403, 409, 413, 422),
)
@roles_required(Role.MONITOR, Role.ADMIN)
@scope("webhooks")
def register_webhook():
    url = text_value(json_object(), "url") or ""
    endpoint = endpoints.register_endpoint(current_user, url)
    db.session.commit()
    return {**webhook_json(endpoint), "secret": endpoint.secret}, 201


@bp.post("/webhooks/<int:endpoint_id>/deactivate")
@documented(
    "Stop sending to a webhook",
    tags=("webhooks",),
    response=s.WebhookOut,
    auth=AUTH,
    errors=(401, 403, 404),
)
@roles_required(Role.MONITOR, Role.ADMIN)
@scope("webhooks")
def deactivate_webhook(endpoint_id: int):
    endpoint = endpoints.deactivate_endpoint(current_user, endpoint_id)
    db.session.commit()
    return webhook_json(endpoint)


@bp.post("/webhooks/<int:endpoint_id>/test")
@documented(
    "Send a test delivery (event webhook.test)",
    tags=("webhooks",),
    response=s.WebhookDeliveryOut,
    status=202,
    auth=AUTH,
    errors=(401, 403, 404, 409),
)
@roles_required(Role.MONITOR, Role.ADMIN)
@scope("webhooks")
def test_webhook(endpoint_id: int):
    delivery = webhook_activity.send_test_delivery(current_user, endpoint_id)
    delivery_id = delivery.id
    db.session.commit()  # sent after the commit (inline without Redis): read its state after
    [row] = [
        r
        for r in webhook_activity.endpoint_deliveries(current_user, endpoint_id)
        if r.id == delivery_id
    ]
    return delivery_json(row), 202


@bp.get("/webhooks/<int:endpoint_id>/deliveries")
@documented(
    "A webhook's recent deliveries and their status",
    tags=("webhooks",),
    response=s.WebhookDeliveryList,
    auth=AUTH,
    errors=(401, 403, 404),
)
@roles_required(Role.MONITOR, Role.ADMIN)
@scope("webhooks")
def webhook_deliveries(endpoint_id: int):
    rows = webhook_activity.endpoint_deliveries(current_user, endpoint_id)
    return {"items": [delivery_json(r) for r in rows]}
