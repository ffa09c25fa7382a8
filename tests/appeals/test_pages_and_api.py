"""Appeal pages, the moderation queue and the JSON API."""

from __future__ import annotations

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Role
from recall.models.appeal import Appeal, AppealCountShard, AppealState

S = AppealState


def test_draft_submit_and_moderate_through_the_pages(app, client, make, login):
    deputy = make.deputy(full_name="Aidos Serikov")
    author, moderator = make.user(), make.user(role=Role.MODERATOR)
    db.session.commit()
    login(author)
    form = client.get("/appeals/new")
    assert form.status_code == 200 and "Aidos Serikov" in form.get_data(as_text=True)
    response = client.post(
        "/appeals/new",
        data={
            "addressee": f"deputy:{deputy.id}",
            "title": "Repair the school road",
            "text": "The road to school number 5 has had holes for three years; children walk in mud.",
            "ask": "Put the repair in next year's budget.",
        },
    )
    assert response.status_code == 303
    appeal = db.session.scalar(sa.select(Appeal))
    assert client.get(f"/appeals/{appeal.id}").status_code == 200
    assert client.post(f"/appeals/{appeal.id}/submit").status_code == 303
    anonymous = app.test_client()
    assert anonymous.get(f"/appeals/{appeal.id}").status_code == 404  # not public yet
    mod = login(moderator, app.test_client())
    queue = mod.get("/appeals/moderation").get_data(as_text=True)
    assert "Repair the school road" in queue and "No personal data" in queue
    assert mod.post(f"/appeals/{appeal.id}/publish").status_code == 303
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).state == S.OPEN
    page = anonymous.get(f"/appeals/{appeal.id}").get_data(as_text=True)
    assert "Repair the school road" in page and "Aidos Serikov" in page
    assert "Repair the school road" in anonymous.get("/appeals").get_data(as_text=True)


def test_a_bad_draft_shows_the_error_and_writes_nothing(client, make, login):
    login(make.user())
    db.session.commit()
    response = client.post(
        "/appeals/new", data={"addressee": "", "title": "x", "text": "", "ask": ""}
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appeal)) == 0


def test_citizens_cannot_moderate(client, make, login):
    appeal = make.appeal(state=S.IN_MODERATION)
    login(make.user())
    db.session.commit()
    assert client.get("/appeals/moderation").status_code == 403
    assert client.post(f"/appeals/{appeal.id}/publish").status_code == 403
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).state == S.IN_MODERATION


def test_api_lists_public_appeals_with_filters(client, make):
    deputy = make.deputy()
    body = make.body()
    district = make.district(body)
    mine = make.appeal(deputy, state=S.OPEN)
    to_body = make.appeal(body=body, state=S.ANSWERED)
    make.appeal(state=S.DRAFT)
    make.appeal(state=S.IN_MODERATION)
    db.session.commit()
    items = client.get("/api/v1/appeals").get_json()["items"]
    assert {i["id"] for i in items} == {mine.id, to_body.id}
    by_deputy = client.get(f"/api/v1/appeals?deputy={deputy.id}").get_json()["items"]
    assert [i["id"] for i in by_deputy] == [mine.id]
    by_district = client.get(f"/api/v1/appeals?district={district.id}").get_json()["items"]
    assert [i["id"] for i in by_district] == [to_body.id]
    by_state = client.get("/api/v1/appeals?state=answered").get_json()["items"]
    assert [i["id"] for i in by_state] == [to_body.id] and by_state[0]["addressee"] == "body"
    assert client.get("/api/v1/appeals?state=draft").status_code == 422
    assert client.get("/api/v1/appeals?body=x").status_code == 422


def test_api_one_appeal(client, make):
    appeal = make.appeal(state=S.OPEN)
    # Counts are the sums of the shards (the columns are only folded copies, every minute).
    db.session.add_all(
        [
            AppealCountShard(appeal_id=appeal.id, shard=0, constituents=2, supporters=2),
            AppealCountShard(appeal_id=appeal.id, shard=5, constituents=1, supporters=0),
        ]
    )
    draft = make.appeal(state=S.DRAFT)
    db.session.commit()
    data = client.get(f"/api/v1/appeals/{appeal.id}").get_json()
    assert data["constituents"] == 3 and data["supporters"] == 2 and data["threshold"] == 10
    assert data["deputy"]["id"] == appeal.deputy_id and data["response"] is None
    assert client.get(f"/api/v1/appeals/{draft.id}").status_code == 404


def test_admin_sets_terms_on_the_page(client, make, login):
    body = make.body()
    login(make.user(role=Role.ADMIN))
    db.session.commit()
    assert client.get(f"/appeals/terms/{body.id}").status_code == 200
    response = client.post(
        f"/appeals/terms/{body.id}",
        data={"open_months": "4", "response_days": "15", "threshold_count": "250"},
    )
    assert response.status_code == 303
    bad = client.post(
        f"/appeals/terms/{body.id}",
        data={
            "open_months": "4",
            "response_days": "15",
            "threshold_count": "250",
            "threshold_share": "0.1",
        },
    )
    assert bad.status_code == 422
