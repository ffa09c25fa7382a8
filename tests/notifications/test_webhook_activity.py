"""Organizations' webhooks at work (issue 16): a test delivery on demand, each delivery's status on
the page, and the same through the API for a token with scope ``webhooks``."""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.models.notifications import Delivery, WebhookEndpoint
from recall.models.outbox import Event
from recall.notifications.webhooks import verify_signature
from recall.services.accounts import api_tokens
from tests.notifications.conftest import webhook_json


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _bearer(user, *scopes) -> dict[str, str]:
    _row, raw = api_tokens.create_token(user, "tool", scopes)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_a_test_delivery_from_the_page_arrives_signed_and_its_status_shows(
    app, make, client, login, webhook_receiver
):
    monitor = make.user(role="monitor")
    db.session.commit()
    login(monitor)
    client.post("/notifications/webhooks", data={"url": webhook_receiver.url})
    endpoint = db.session.scalars(sa.select(WebhookEndpoint)).one()

    sent = client.post(f"/notifications/webhooks/{endpoint.id}/test", follow_redirects=True)
    assert sent.status_code == 200
    [(headers, body)] = webhook_receiver.requests
    assert verify_signature(endpoint.secret, body, headers["x-recall-signature"])
    assert webhook_json(body)["event"]["kind"] == "webhook.test"
    html = sent.get_data(as_text=True)
    assert "webhook.test" in html and "delivered" in html

    webhook_receiver.status = 404
    client.post(f"/notifications/webhooks/{endpoint.id}/test")
    html = client.get("/notifications/webhooks").get_data(as_text=True)
    assert "webhook HTTP 404" in html and "failed" in html
    assert len(webhook_receiver.requests) == 2


def test_another_organization_cannot_test_or_watch_a_webhook(app, make, client, login):
    owner = make.user(role="monitor")
    endpoint = WebhookEndpoint(
        organization_id=owner.organization_id, url="http://127.0.0.1:9/hook", secret="s"
    )
    db.session.add(endpoint)
    stranger = make.user(role="monitor")
    db.session.commit()
    login(stranger)
    before = (_count(Event), _count(Delivery))
    assert client.post(f"/notifications/webhooks/{endpoint.id}/test").status_code == 403
    assert "127.0.0.1:9" not in client.get("/notifications/webhooks").get_data(as_text=True)
    assert (_count(Event), _count(Delivery)) == before


def test_inactive_webhooks_and_tests_still_on_their_way_are_refused(app, make, client, login):
    monitor = make.user(role="monitor")
    endpoint = WebhookEndpoint(
        organization_id=monitor.organization_id, url="http://127.0.0.1:9/hook", secret="s"
    )
    db.session.add(endpoint)
    db.session.commit()
    login(monitor)
    # Port 9 refuses: the first test is left pending for a retry, so a second one is refused.
    assert client.post(f"/notifications/webhooks/{endpoint.id}/test").status_code == 303
    before = (_count(Event), _count(Delivery))
    again = client.post(f"/notifications/webhooks/{endpoint.id}/test")
    assert again.status_code == 422 and b"still on its way" in again.data
    client.post(f"/notifications/webhooks/{endpoint.id}/deactivate")
    inactive = client.post(f"/notifications/webhooks/{endpoint.id}/test")
    assert inactive.status_code == 422 and b"inactive" in inactive.data
    assert (_count(Event), _count(Delivery)) == before


def test_a_webhooks_token_manages_webhooks_through_the_api(app, make, client, webhook_receiver):
    monitor = make.user(role="monitor")
    db.session.commit()
    hooks = _bearer(monitor, "webhooks")
    made = client.post("/api/v1/webhooks", json={"url": webhook_receiver.url}, headers=hooks)
    assert made.status_code == 201, made.get_json()
    created = made.get_json()
    assert len(created["secret"]) == 64 and created["active"] is True
    listed = client.get("/api/v1/webhooks", headers=hooks).get_json()["items"]
    assert [w["id"] for w in listed] == [created["id"]] and "secret" not in listed[0]

    tested = client.post(f"/api/v1/webhooks/{created['id']}/test", headers=hooks)
    assert tested.status_code == 202 and tested.get_json()["status"] == "sent"
    [(headers, body)] = webhook_receiver.requests
    assert verify_signature(created["secret"], body, headers["x-recall-signature"])
    deliveries = client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=hooks)
    assert [d["event_kind"] for d in deliveries.get_json()["items"]] == ["webhook.test"]

    bad = client.post("/api/v1/webhooks", json={"url": "ftp://x"}, headers=hooks)
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "url"
    # Other scopes, other organizations and no token at all get nothing.
    promises_only = _bearer(monitor, "promises:write")
    assert client.get("/api/v1/webhooks", headers=promises_only).status_code == 403
    stranger = _bearer(make.user(role="monitor"), "webhooks")
    db.session.commit()
    assert (
        client.post(f"/api/v1/webhooks/{created['id']}/test", headers=stranger).status_code == 403
    )
    assert client.get("/api/v1/webhooks", headers=stranger).get_json()["items"] == []
    assert client.get("/api/v1/webhooks").status_code == 401
    gone = client.post(f"/api/v1/webhooks/{created['id']}/deactivate", headers=hooks)
    assert gone.status_code == 200 and gone.get_json()["active"] is False
    assert _count(WebhookEndpoint) == 1 and len(webhook_receiver.requests) == 1
