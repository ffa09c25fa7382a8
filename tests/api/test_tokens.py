"""API tokens: created on a page and shown once, stored hashed, scoped, revocable; monitors'
programs record promises, ratings and disputes through the API with the forms' checks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.errors import Forbidden, Invalid
from recall.extensions import db
from recall.models import Petition, PetitionState, Role
from recall.models.api_token import ApiToken
from recall.models.promise import Dispute, Promise
from recall.services.accounts import api_tokens
from recall.services.promises import recording

PROMISE = {
    "title": "Build a school in Zhanaarka",
    "statement": "I will build a school.",
    "made_on": "2023-02-01",
    "source_url": "https://example.org/speech",
    "topic": "education",
    "level": "local",
}


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def monitor(app, make):
    recording.ensure_default_topics()
    return make.user(role=Role.MONITOR)


def _token(user, *scopes) -> str:
    _token_row, raw = api_tokens.create_token(user, "tool", scopes)
    db.session.commit()
    return raw


def test_tokens_are_stored_hashed_and_scoped_by_role(app, make, monitor):
    token, raw = api_tokens.create_token(monitor, "tracker", ["promises:write", "webhooks"])
    assert raw.startswith("rcl_") and len(raw) > 40
    assert token.token_hash == api_tokens.hash_token(raw) and raw not in token.token_hash
    assert token.organization_id == monitor.organization_id
    stored = db.session.execute(sa.text("SELECT * FROM api_tokens")).mappings().one()
    assert raw not in str(dict(stored))
    with pytest.raises(Invalid) as refused:
        api_tokens.create_token(monitor, "tracker", ["commission:read"])
    assert refused.value.field == "scopes"
    with pytest.raises(Invalid):
        api_tokens.create_token(monitor, "tracker", [])
    with pytest.raises(Forbidden):
        api_tokens.create_token(make.user(), "mine", ["promises:write"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 1


def test_a_monitors_tool_records_rates_and_disputes(app, client, make, monitor):
    deputy = make.deputy()
    raw = _token(monitor, "promises:write")
    other = make.user(role=Role.MONITOR)
    other_raw = _token(other, "promises:write")
    made = client.post(
        "/api/v1/promises", json={**PROMISE, "deputy_id": deputy.id}, headers=_bearer(raw)
    )
    assert made.status_code == 201, made.get_json()
    promise_id = made.get_json()["id"]
    rating = client.post(
        f"/api/v1/promises/{promise_id}/ratings",
        json={
            "status": "broken",
            "broken_reason": "no_priority",
            "changed_on": "2024-05-01",
            "explanation": "The budget has no school.",
            "evidence": ["https://example.org/budget-2024"],
        },
        headers=_bearer(raw),
    )
    assert rating.status_code == 201, rating.get_json()
    assert rating.get_json()["organization"]["id"] == monitor.organization_id
    dispute = client.post(
        f"/api/v1/promises/{promise_id}/disputes",
        json={"reason": "Construction started in May.", "evidence": ["https://example.org/site"]},
        headers=_bearer(other_raw),
    )
    assert dispute.status_code == 201, dispute.get_json()
    assert dispute.get_json()["raised_by_organization"]["id"] == other.organization_id
    promise = db.session.get(Promise, promise_id)
    assert promise.organization_id == monitor.organization_id
    assert promise.status.value == "broken"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Dispute)) == 1


def test_same_checks_as_the_forms_and_nothing_written(app, client, make, monitor):
    deputy = make.deputy()
    raw = _token(monitor, "promises:write")
    bad = [
        ({**PROMISE, "deputy_id": deputy.id, "source_url": "ftp://x"}, "source_url"),
        ({**PROMISE, "deputy_id": deputy.id, "made_on": "01.02.2023"}, "made_on"),
        ({**PROMISE, "deputy_id": deputy.id, "made_on": "2999-01-01"}, "made_on"),
        ({**PROMISE, "deputy_id": deputy.id, "title": ""}, "title"),
        ({**PROMISE, "deputy_id": deputy.id, "level": "galactic"}, "level"),
    ]
    for body, field in bad:
        answer = client.post("/api/v1/promises", json=body, headers=_bearer(raw))
        assert answer.status_code == 422, body
        assert answer.get_json()["error"]["field"] == field
    assert client.post("/api/v1/promises", json=[1], headers=_bearer(raw)).status_code == 422
    missing = client.post(
        "/api/v1/promises", json={**PROMISE, "deputy_id": 999999}, headers=_bearer(raw)
    )
    assert missing.status_code == 404
    first = client.post(
        "/api/v1/promises", json={**PROMISE, "deputy_id": deputy.id}, headers=_bearer(raw)
    )
    promise_id = first.get_json()["id"]
    twin = client.post(
        "/api/v1/promises", json={**PROMISE, "deputy_id": deputy.id}, headers=_bearer(raw)
    )
    assert twin.status_code == 409  # a similar promise exists: confirm_distinct to record it
    no_evidence = client.post(
        f"/api/v1/promises/{promise_id}/ratings",
        json={"status": "kept", "changed_on": "2024-01-01", "explanation": "x", "evidence": [3]},
        headers=_bearer(raw),
    )
    assert no_evidence.status_code == 422 and no_evidence.get_json()["error"]["field"] == "evidence"
    unrated = client.post(
        f"/api/v1/promises/{promise_id}/disputes",
        json={"reason": "r", "evidence": ["https://example.org/a"]},
        headers=_bearer(raw),
    )
    assert unrated.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Promise)) == 1


def test_bad_revoked_and_out_of_scope_tokens(app, client, make, monitor):
    deputy = make.deputy()
    body = {**PROMISE, "deputy_id": deputy.id}
    assert client.post("/api/v1/promises", json=body).status_code == 401
    unknown = client.post("/api/v1/promises", json=body, headers=_bearer("rcl_" + "x" * 43))
    assert unknown.status_code == 401
    assert unknown.get_json()["error"]["code"] == "unauthorized"
    hooks_only = _token(monitor, "webhooks")
    assert (
        client.post("/api/v1/promises", json=body, headers=_bearer(hooks_only)).status_code == 403
    )
    raw = _token(monitor, "promises:write")
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.scopes.is_not(None)).order_by(ApiToken.id.desc())
    )
    api_tokens.revoke_token(monitor, token.id)
    db.session.commit()
    assert client.post("/api/v1/promises", json=body, headers=_bearer(raw)).status_code == 401
    # Public reads need no token, and a good one does not get in their way.
    assert client.get("/api/v1/promises", headers=_bearer(hooks_only)).status_code == 200
    # A token is for the API only: the pages do not accept it.
    page = client.get("/account/tokens", headers=_bearer(hooks_only))
    assert page.status_code in (302, 401)


def test_the_holders_roles_still_apply(app, client, make, monitor):
    deputy = make.deputy()
    raw = _token(monitor, "promises:write")
    monitor.organization_id = None  # no longer a monitor of any organization
    db.session.commit()
    answer = client.post(
        "/api/v1/promises", json={**PROMISE, "deputy_id": deputy.id}, headers=_bearer(raw)
    )
    assert answer.status_code == 403


def test_commission_read_token(app, client, make):
    commissioner = make.user(role=Role.COMMISSIONER)
    petition = make.petition(
        make.deputy(make.district(commissioner.commission_body)), state=PetitionState.CLOSED
    )
    elsewhere = make.petition(state=PetitionState.CLOSED)
    raw = _token(commissioner, "commission:read")
    own = client.get(f"/api/v1/commission/petitions/{petition.id}/report", headers=_bearer(raw))
    assert own.status_code == 200, own.get_json()
    other = client.get(f"/api/v1/commission/petitions/{elsewhere.id}/report", headers=_bearer(raw))
    assert other.status_code == 403
    write = client.post(f"/api/v1/commission/petitions/{petition.id}/checks", headers=_bearer(raw))
    assert write.status_code == 403  # reading only
    assert db.session.get(Petition, petition.id).state == PetitionState.CLOSED


def test_the_page_shows_a_new_token_once_and_revokes(app, client, make, login, monitor):
    db.session.commit()
    login(monitor)
    page = client.get("/account/tokens")
    assert page.status_code == 200 and "commission:read" not in page.get_data(as_text=True)
    made = client.post("/account/tokens", data={"name": "tracker", "scopes": ["promises:write"]})
    assert made.status_code == 200
    html = made.get_data(as_text=True)
    raw = html.split('<code id="new-token">', 1)[1].split("</code>", 1)[0]
    assert raw.startswith("rcl_")
    again = client.get("/account/tokens").get_data(as_text=True)
    assert raw not in again and raw[:10] in again
    refused = client.post("/account/tokens", data={"name": "x", "scopes": ["commission:read"]})
    assert refused.status_code == 422
    token = db.session.scalar(sa.select(ApiToken))
    revoked = client.post(f"/account/tokens/{token.id}/revoke")
    assert revoked.status_code == 303
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert client.get("/account/tokens", headers={}).status_code == 200
    citizen_client = app.test_client()
    login(make.user(), citizen_client)
    db.session.commit()
    assert citizen_client.get("/account/tokens").status_code == 403
