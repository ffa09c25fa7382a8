"""The deputy's answer to the grounds (California EC 11023: up to 200 words within 7 days):
filed by the deputy's own account or recorded by a commissioner of the body, shown beside the grounds on the page, on the printed
sheet and in the API; refused outside the rule, the time limit or the length."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.models import AuditEntry, PetitionState, Role
from recall.models.base import utcnow
from recall.services.petitions import deputy_answer

ANSWER = "I built the school's foundations in 2024; the budget for the walls was cut by the city."


@pytest.fixture
def ca(app, make):
    """A California petition submitted yesterday, and a commissioner of its body."""
    petition = make.petition(
        state=PetitionState.SUBMITTED,
        rule_version=make.rule_version("california_local"),
        submitted_at=utcnow() - timedelta(days=1),
    )
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=petition.body)
    db.session.commit()
    return petition, commissioner


def _audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_commissioner_records_the_answer_shown_on_page_sheet_and_api(client, login, ca):
    petition, commissioner = ca
    login(commissioner)
    response = client.post(f"/petitions/{petition.id}/answer", data={"answer": ANSWER})
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.refresh(petition)
    assert petition.deputy_answer == ANSWER and petition.deputy_answer_by_id == commissioner.id
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (entry.action, entry.subject_id) == ("petition.deputy_answer", petition.id)
    anonymous = client.application.test_client()
    page = anonymous.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert 'class="deputy-answer"' in page and "budget for the walls" in page
    assert page.index("Grounds") < page.index("budget for the walls")
    sheet = anonymous.get(f"/petitions/{petition.id}/sheet").get_data(as_text=True)
    assert "budget for the walls" in sheet and "Broken promises" in sheet
    data = anonymous.get(f"/api/v1/petitions/{petition.id}").get_json()
    assert data["deputy_answer"]["text"] == ANSWER
    assert (data["deputy_answer"]["max_words"], data["deputy_answer"]["days"]) == (200, 7)


def test_two_hundred_words_pass_and_two_hundred_and_one_do_not(ca):
    petition, commissioner = ca
    before = _audit_count()
    with pytest.raises(Invalid) as exc:
        deputy_answer.record_deputy_answer(commissioner, petition.id, "word " * 201)
    assert exc.value.field == "answer" and "has 201" in exc.value.message
    assert _audit_count() == before and petition.deputy_answer is None
    deputy_answer.record_deputy_answer(commissioner, petition.id, "word " * 200)
    assert deputy_answer.count_words(petition.deputy_answer) == 200
    with pytest.raises(Invalid):
        deputy_answer.record_deputy_answer(commissioner, petition.id, "   ")


def test_the_seven_days_run_from_submission(ca):
    petition, commissioner = ca
    deadline = petition.submitted_at + timedelta(days=7)
    deputy_answer.record_deputy_answer(commissioner, petition.id, ANSWER, now=deadline)
    with pytest.raises(Conflict) as exc:
        deputy_answer.record_deputy_answer(
            commissioner, petition.id, ANSWER, now=deadline + timedelta(seconds=1)
        )
    assert "ended on" in exc.value.message


def test_only_the_body_commission_and_only_where_the_rule_provides_it(make, ca):
    petition, _ = ca
    other = make.user(role=Role.COMMISSIONER, commission_body=make.body())
    with pytest.raises(Forbidden):
        deputy_answer.record_deputy_answer(other, petition.id, ANSWER)
    kz = make.petition(state=PetitionState.SUBMITTED, submitted_at=utcnow())
    kz_commissioner = make.user(role=Role.COMMISSIONER, commission_body=kz.body)
    with pytest.raises(Conflict):
        deputy_answer.record_deputy_answer(kz_commissioner, kz.id, ANSWER)
    assert deputy_answer.answer_deadline(kz) is None


def test_kazakh_petition_shows_no_answer_section(client, make):
    petition = make.petition()
    db.session.commit()
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert 'class="deputy-answer"' not in page
    assert client.get(f"/api/v1/petitions/{petition.id}").get_json()["deputy_answer"] is None


def test_the_commission_records_the_answer_through_the_api(client, make, ca):
    """POST /api/v1/commission/petitions/<id>/deputy-answer: a commissioner's token with
    commission:write (read-only tokens and other bodies refused), the service's checks."""
    from recall.services.accounts import api_tokens

    petition, commissioner = ca
    url = f"/api/v1/commission/petitions/{petition.id}/deputy-answer"

    def bearer(user, *scopes):
        _row, raw = api_tokens.create_token(user, "tool", scopes)
        db.session.commit()
        return {"Authorization": f"Bearer {raw}"}

    reading = client.post(
        url, json={"answer": ANSWER}, headers=bearer(commissioner, "commission:read")
    )
    assert reading.status_code == 403
    other = make.user(role=Role.COMMISSIONER, commission_body=make.body())
    assert (
        client.post(
            url, json={"answer": ANSWER}, headers=bearer(other, "commission:write")
        ).status_code
        == 403
    )
    writing = bearer(commissioner, "commission:write")
    too_long = client.post(url, json={"answer": "word " * 201}, headers=writing)
    assert too_long.status_code == 422 and too_long.get_json()["error"]["field"] == "answer"
    assert client.post(url, json={"answer": 7}, headers=writing).status_code == 422
    db.session.expire_all()
    assert db.session.get(type(petition), petition.id).deputy_answer is None
    done = client.post(url, json={"answer": ANSWER}, headers=writing)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["text"] == ANSWER and done.get_json()["max_words"] == 200
    public = client.application.test_client().get(f"/api/v1/petitions/{petition.id}").get_json()
    assert public["deputy_answer"]["text"] == ANSWER


def test_the_deputy_files_the_answer_through_their_own_account(client, login, make, ca):
    petition, _commissioner = ca
    own = make.user(role=Role.DEPUTY, deputy_id=petition.deputy_id)
    another = make.user(role=Role.DEPUTY)  # the account of some other deputy
    db.session.commit()
    login(own)
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert "Record the deputy&#39;s answer" in page or "Record the deputy's answer" in page
    before = _audit_count()
    stranger = client.application.test_client()
    login(another, stranger)
    refused = stranger.post(f"/petitions/{petition.id}/answer", data={"answer": ANSWER})
    assert refused.status_code == 403
    db.session.refresh(petition)
    assert petition.deputy_answer is None and _audit_count() == before
    done = client.post(f"/petitions/{petition.id}/answer", data={"answer": ANSWER})
    assert done.status_code == 303, done.get_data(as_text=True)
    db.session.refresh(petition)
    assert petition.deputy_answer == ANSWER and petition.deputy_answer_by_id == own.id
    shown = client.application.test_client().get(f"/petitions/{petition.id}")
    assert "through their own account" in shown.get_data(as_text=True)
