"""Petition pages and JSON: shapes, who may act (403 for another body's commissioner), hidden counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import (
    BodyRecallRule,
    Event,
    MandateType,
    Petition,
    PetitionState,
    RecallRuleVersion,
    Role,
)
from recall.models.base import utcnow
from recall.services.petitions import lifecycle as petitions
from recall.services.rules import recall_rules
from recall.services.signing import counting
from recall.web.rules.forms import form_values_from_rule
from tests.petitions.conftest import GROUNDS

S = PetitionState


def _csrf(client) -> str:
    """The session's CSRF token, read from a page (API calls with a session cookie need it)."""
    html = client.get("/petitions").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# ------------------------------------------------------------------- pages


def test_list_page_and_filters(client, flow):
    petition = flow.collecting()
    db.session.commit()
    html = client.get("/petitions").get_data(as_text=True)
    assert f"/petitions/{petition.id}" in html
    assert f"/petitions/{petition.id}" not in client.get("/petitions?state=closed").get_data(
        as_text=True
    )
    assert f"/petitions/{petition.id}" in client.get(
        f"/petitions?deputy={flow.deputy.id}"
    ).get_data(as_text=True)
    bad = client.get("/petitions?state=nonsense")
    assert bad.status_code == 422
    assert "Unknown state nonsense" in bad.get_data(as_text=True)


def test_petition_page_hides_the_count_under_the_kazakh_rule(client, login, flow):
    petition = flow.collecting()
    db.session.commit()
    html = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert "Under this rule the number of signatures is not published while signing is open" in html
    # Days left instead, and one sentence on why the count is hidden.
    assert re.search(r"Signing is open: \d+ days left\.", html)
    assert "so that a running count does not sway who signs" in html
    assert "confirmed signatures of" not in html
    assert GROUNDS in html
    assert "Signatures required" in html and f"{petition.required_signatures:,}" in html
    login(flow.commissioner)
    html = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert f"0 confirmed signatures of {petition.required_signatures:,} required (0.0%)" in html


def test_petition_page_shows_the_count_when_the_rule_allows(client, make, flow):
    admin = make.user(role=Role.ADMIN)
    version = recall_rules.rule_version_in_force(flow.deputy.body)
    copy = recall_rules.copy_rule(
        admin, version.id, dict(version.data, key="kz_public", running_count_public=True)
    )
    recall_rules.assign_rule(admin, flow.deputy.body_id, copy.id)
    petition = flow.collecting()
    petition.confirmed_count = 0
    db.session.commit()
    html = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert f"0 confirmed signatures of {petition.required_signatures:,} required (0.0%)" in html
    # The threshold bar is an SVG drawn on the server, its text alternative the same sentence.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="progress-bar" role="img"' in html
    assert "<title>0 confirmed signatures of 30,000 required (0.0%)</title>" in html


def test_rule_page_marks_unverified_values(client, flow):
    petition = flow.open()
    db.session.commit()
    html = client.get(f"/petitions/{petition.id}/rule").get_data(as_text=True)
    assert "Kazakhstan: Mazhilis deputy, single-mandate district" in html
    assert "chapter 13-2" in html  # the legal source
    assert (
        html.count('class="badge warn unverified"') == 11
    )  # the eleven unverified Kazakh values (signing channels and extensions too)
    assert "30%" in html


def test_open_page_validates_and_writes_nothing(client, login, flow):
    db.session.commit()
    login(flow.initiator)
    response = client.post(f"/deputies/{flow.deputy.id}/recall", data={"grounds": "too short"})
    assert response.status_code == 422
    assert "State the grounds in 50 to 5000 characters (you wrote 9)." in response.get_data(
        as_text=True
    )
    assert _count(Petition) == 0
    response = client.post(f"/deputies/{flow.deputy.id}/recall", data={"grounds": GROUNDS})
    assert response.status_code == 303
    petition = db.session.scalars(sa.select(Petition)).one()
    assert response.headers["Location"].endswith(f"/petitions/{petition.id}")
    assert petition.initiator_id == flow.initiator.id


def test_open_page_refuses_a_party_list_deputy(client, login, make, flow):
    listed = make.deputy(mandate_type=MandateType.PARTY_LIST)
    db.session.commit()
    login(flow.initiator)
    response = client.post(f"/deputies/{listed.id}/recall", data={"grounds": GROUNDS})
    assert response.status_code == 422  # the form again, with the conflict's message (issue 9)
    assert "party list cannot be recalled" in response.get_data(as_text=True)
    assert _count(Petition) == 0


def test_open_page_needs_sign_in(client, flow):
    db.session.commit()
    response = client.post(f"/deputies/{flow.deputy.id}/recall", data={"grounds": GROUNDS})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _count(Petition) == 0


def test_group_pages_invite_confirm_submit(client, login, make, flow):
    petition = flow.fill_group(flow.open(), size=9)
    member = make.user()
    db.session.commit()
    login(flow.initiator)
    assert (
        client.post(f"/petitions/{petition.id}/invite", data={"email": member.email}).status_code
        == 303
    )
    refused = client.post(f"/petitions/{petition.id}/submit")
    assert refused.status_code == 422  # the page again, with the conflict's message (issue 9)
    assert "needs at least 10 confirmed members" in refused.get_data(as_text=True)
    login(member)
    assert (
        client.post(f"/petitions/{petition.id}/confirm", data={"iin": make.iin()}).status_code
        == 303
    )
    login(flow.initiator)
    assert client.post(f"/petitions/{petition.id}/submit").status_code == 303
    db.session.refresh(petition)
    assert petition.state == S.SUBMITTED


def test_register_page_wrong_body_is_403(client, login, make, flow):
    petition = flow.submitted()
    outsider = make.user(role=Role.COMMISSIONER)
    db.session.commit()
    login(outsider)
    assert client.post(f"/petitions/{petition.id}/register").status_code == 403
    assert client.post(f"/petitions/{petition.id}/reject", data={"reason": "No"}).status_code == 403
    db.session.refresh(petition)
    assert petition.state == S.SUBMITTED
    assert _count(Event) == db.session.scalar(
        sa.select(sa.func.count()).select_from(Event).where(Event.kind != "petition.registered")
    )
    login(flow.commissioner)
    assert f"/petitions/{petition.id}" in client.get("/petitions/review").get_data(as_text=True)
    assert client.post(f"/petitions/{petition.id}/register").status_code == 303
    db.session.refresh(petition)
    assert petition.state == S.COLLECTING


def test_reject_page_requires_reason(client, login, flow):
    petition = flow.submitted()
    db.session.commit()
    login(flow.commissioner)
    response = client.post(f"/petitions/{petition.id}/reject", data={"reason": ""})
    assert response.status_code == 422
    db.session.refresh(petition)
    assert petition.state == S.SUBMITTED


def test_deputy_page_shows_eligibility_petitions_and_start_button(client, login, make, flow):
    listed = make.deputy(mandate_type=MandateType.PARTY_LIST)
    db.session.commit()
    html = client.get(f"/deputies/{flow.deputy.id}").get_data(as_text=True)
    assert "Can be recalled." in html
    assert "Sign in to start a recall petition" in html
    login(flow.initiator)
    html = client.get(f"/deputies/{flow.deputy.id}").get_data(as_text=True)
    assert f"/deputies/{flow.deputy.id}/recall" in html
    html = client.get(f"/deputies/{listed.id}").get_data(as_text=True)
    assert "Cannot be recalled now:" in html and f"/deputies/{listed.id}/recall" not in html
    petition = flow.open()
    db.session.commit()
    html = client.get(f"/deputies/{flow.deputy.id}").get_data(as_text=True)
    assert f"/petitions/{petition.id}" in html and f"/deputies/{flow.deputy.id}/recall" not in html


# ------------------------------------------------------------------- admin rules


def test_admin_rules_list_assign_and_copy(client, login, make, flow):
    admin = make.user(role=Role.ADMIN)
    recall_rules.ensure_preset_rules()
    db.session.commit()
    login(admin)
    html = client.get("/admin/rules/").get_data(as_text=True)
    assert "United Kingdom: Recall of MPs Act 2015" in html and "unverified" in html
    assert "Recall of MPs Act 2015" in html
    kz = db.session.scalars(
        sa.select(RecallRuleVersion).filter_by(key="kz_mazhilis_single_mandate")
    ).one()
    form = client.get(f"/admin/rules/{kz.id}/copy").get_data(as_text=True)
    assert "kz_mazhilis_single_mandate_edited" in form and "- 30 0 -" in form
    data = form_values_from_rule(kz)
    data.update(threshold_bands="- 130 0 -", withdrawal_allowed="", running_count_public="y")
    data = {k: v for k, v in data.items() if v is not None and v is not False and v != ""}
    bad = client.post(f"/admin/rules/{kz.id}/copy", data=data)
    assert bad.status_code == 422
    assert "threshold_bands[0].percent: must not be more than 100" in bad.get_data(as_text=True)
    assert _count(RecallRuleVersion) == 6
    data["threshold_bands"] = "- 25 0 -"
    ok = client.post(f"/admin/rules/{kz.id}/copy", data=data)
    assert ok.status_code == 303, ok.get_data(as_text=True)
    copy = db.session.scalars(
        sa.select(RecallRuleVersion).filter_by(key="kz_mazhilis_single_mandate_edited")
    ).one()
    assert copy.based_on_id == kz.id and copy.data["threshold_bands"][0]["percent"] == "25"
    assert copy.data["running_count_public"] is True and copy.data["withdrawal_allowed"] is False
    response = client.post(
        "/admin/rules/assign", data={"body_id": flow.deputy.body_id, "rule_version_id": copy.id}
    )
    assert response.status_code == 303
    assert db.session.get(BodyRecallRule, flow.deputy.body_id).rule_version_id == copy.id


def test_rules_admin_is_for_admins_only(client, login, make):
    login(make.user(role=Role.COMMISSIONER))
    db.session.commit()
    assert client.get("/admin/rules/").status_code == 403


# ------------------------------------------------------------------- API


def test_api_list_shape_and_filters(client, flow, make):
    petition = flow.collecting()
    other = petitions.open_petition(make.user(), make.deputy().id, GROUNDS)
    db.session.commit()
    body = client.get("/api/v1/petitions?per_page=1").get_json()
    assert body["meta"] == {"page": 1, "per_page": 1, "total": 2, "pages": 2}
    assert body["items"][0]["id"] == other.id
    body = client.get("/api/v1/petitions?state=collecting").get_json()
    assert [p["id"] for p in body["items"]] == [petition.id]
    # The name as imported, and in the requested language with every name (issue 11).
    assert body["items"][0]["deputy"] == {
        "id": flow.deputy.id,
        "full_name": flow.deputy.full_name,
        "name": flow.deputy.full_name,
        "names": {},
    }
    body = client.get(f"/api/v1/petitions?district={other.district_id}").get_json()
    assert [p["id"] for p in body["items"]] == [other.id]


@pytest.mark.parametrize(
    ("query", "field"),
    [("state=open", "state"), ("deputy=abc", "deputy"), ("district=-1", "district")],
)
def test_api_bad_filter_is_422(client, app, query, field):
    response = client.get(f"/api/v1/petitions?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field


def test_api_detail_hides_the_count_under_the_kazakh_rule(client, flow):
    petition = flow.collecting()
    petition.district.registered_voters = (
        1  # changed after registration: the petition keeps its numbers
    )
    db.session.commit()
    body = client.get(f"/api/v1/petitions/{petition.id}").get_json()
    assert body["id"] == petition.id and body["state"] == "collecting"
    assert body["deputy"] == {
        "id": flow.deputy.id,
        "full_name": flow.deputy.full_name,
        "name": flow.deputy.full_name,
        "names": {},
    }
    assert body["district"] == {
        "id": flow.deputy.district_id,
        "code": flow.deputy.district.code,
        "number": flow.deputy.district.number,
        "name": flow.deputy.district.name,
        "names": {},
        "registered_voters": 100_000,
    }
    assert body["opens_at"] == petition.opens_at.isoformat()
    assert body["closes_at"] == petition.closes_at.isoformat()
    assert body["signatures"] == {"count_public": False, "confirmed": None, "per_day": None}
    basis = body["threshold"].pop("basis")
    assert body["threshold"] == {"required": 30_000, "met": None, "percent": None}
    # How the number was computed: the district's figure at registration, 30%, rounded up.
    assert basis == {
        "electorate": 100_000,
        "electorate_basis": "registration",
        "electorate_as_of": "2023-03-19",
        "provisional": False,
        "provisional_until": None,
        "band": {"max_voters": None, "percent": "30", "floor": 0},
        "share_exact": "30000",
        "rounding": "up",
        "required": 30_000,
        "formula": "ceil(30% x 100,000) = ceil(30000) = 30,000",
        "certification": None,
    }
    assert body["rule"]["key"] == "kz_mazhilis_single_mandate"
    assert "signing_days" in body["rule"]["unverified_fields"]


def test_api_detail_shows_the_count_after_closing(client, flow):
    petition = flow.collecting()
    petitions.close_due_petitions(petition.closes_at)
    db.session.commit()
    body = client.get(f"/api/v1/petitions/{petition.id}").get_json()
    assert body["state"] == "closed"
    assert body["signatures"] == {"count_public": True, "confirmed": 0, "per_day": []}
    assert body["threshold"]["basis"]["required"] == 30_000
    del body["threshold"]["basis"]
    assert body["threshold"] == {"required": 30_000, "met": False, "percent": 0.0}


def test_api_unknown_petition_is_404(client, app):
    response = client.get("/api/v1/petitions/12345")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_api_register_wrong_body_is_403(client, login, make, flow):
    petition = flow.submitted()
    outsider = make.user(role=Role.COMMISSIONER)
    db.session.commit()
    login(outsider)
    response = client.post(
        f"/api/v1/petitions/{petition.id}/register", headers={"X-CSRFToken": _csrf(client)}
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    db.session.refresh(petition)
    assert petition.state == S.SUBMITTED and petition.required_signatures is None
    login(flow.commissioner)
    token = _csrf(client)
    response = client.post(
        f"/api/v1/petitions/{petition.id}/reject",
        json={"reason": ""},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "reason"
    response = client.post(
        f"/api/v1/petitions/{petition.id}/register", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert response.get_json()["threshold"]["required"] == 30_000
    assert (
        response.get_json()["signatures"]["confirmed"] == 0
    )  # the commissioner of the body sees the count


def test_open_page_offers_the_deputys_promises_to_cite(client, login, flow, make_promise):
    school = make_promise(flow.deputy, "Build a school")
    merged = make_promise(flow.deputy, "Build a new school")
    merged.merged_into_id = school.id
    db.session.commit()
    login(flow.initiator)
    form = client.get(f"/deputies/{flow.deputy.id}/recall").get_data(as_text=True)
    assert (
        "Build a school" in form and "Build a new school" not in form
    )  # merged duplicates are not offered
    response = client.post(
        f"/deputies/{flow.deputy.id}/recall",
        data={"grounds": GROUNDS, "promise_ids": [str(school.id)]},
    )
    assert response.status_code == 303
    petition = db.session.scalars(sa.select(Petition)).one()
    assert [p.id for p in petitions.cited_promises(petition)] == [school.id]
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert f'<a href="/promises/{school.id}">Build a school</a>' in page


def test_the_list_shows_public_counts_and_days_left_and_no_past_closing(client, make):
    """Counts only where the public may see them; days left while open; a closed petition says
    when signing closed, never "closes" with a past date."""
    now = utcnow()
    public_rule = make.rule_version(running_count_public=True)
    open_public = make.petition(
        rule_version=public_rule,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9, hours=1),
    )
    sealed = make.petition(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=3))
    closed = make.petition(
        rule_version=public_rule,
        state=PetitionState.CLOSED,
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=10),
    )
    for petition in (open_public, sealed, closed):
        make.signature(petition)
        make.signature(petition)
    db.session.commit()
    for petition in (open_public, sealed, closed):
        counting.recount(petition.id)
    db.session.commit()
    html = client.get("/petitions").get_data(as_text=True)

    def card(petition):
        start = html.index(f'href="/petitions/{petition.id}"')
        return html[start : html.index("</li>", start)]

    assert "2 signatures of 100 required · 10 days left (closes" in card(open_public)
    assert "required" not in card(sealed) and "3 days left (closes" in card(sealed)
    assert "2 signatures of 100 required · signing closed on" in card(closed)
    assert "closes" not in card(closed)
