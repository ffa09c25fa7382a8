"""Issue 14, commission: codes as words in the reader's language, people named, decisions that
look different and ask first, a printed report that names and dates, a paper grid that marks
its bad rows in place."""

from __future__ import annotations

import re

from flask_babel import force_locale

from recall.extensions import db
from recall.models import Petition, PetitionState
from recall.notifications.mail import payload_lines
from recall.services.words import word
from tests import factories


def test_codes_read_as_words_in_each_language(app):
    with app.test_request_context():
        assert word("petition_state", PetitionState.UNDER_VERIFICATION) == "under verification"
        assert word("reason", "not_registered") == "Not on the voter roll"
        assert word("outcome", "full_count_needed") == "a full count is needed"
        assert word("outcome_basis", "full_count") == "counted in full"
        assert word("channel", "in_person") == "in person"
        assert word("import_status", "preview") == "waiting for confirmation"
        assert word("outcome", "something_new") == "something_new"  # unknown: shown, not a 500
        assert word("outcome", None) == ""
        with force_locale("ru"):
            assert word("petition_state", "under_verification") == "на проверке"
            assert word("outcome", "qualified") != "qualified"
        with force_locale("kk"):
            assert word("reason", "not_registered") != "Not on the voter roll"


def test_emails_list_states_and_outcomes_as_words(app):
    with app.test_request_context():
        lines = dict(
            payload_lines({"from": "closed", "to": "qualified", "outcome": "qualified"}, "petition")
        )
        assert lines["Outcome"] == "qualified" and lines["to"] == "qualified"
        lines = dict(payload_lines({"to": "under_verification"}, "petition"))
        assert lines["to"] == "under verification"
        with force_locale("ru"):
            lines = dict(payload_lines({"to": "under_verification"}, "petition"))
            assert lines["to"] == "на проверке"


def test_commission_pages_name_people_and_show_no_raw_codes(client, login, reviewed):
    w = reviewed
    proposer = w.commissioner2
    proposer.display_name = "Aliya Sultanova"
    w.petition.state = PetitionState.UNDER_VERIFICATION
    factories.certification(
        w.petition, outcome="qualified", confirmed=False, proposed_by_id=proposer.id
    )
    db.session.commit()
    login(w.commissioner)
    index = client.get("/commission/").text
    assert "under verification" in index and "under_verification" not in index
    page = client.get(f"/commission/petitions/{w.petition.id}").text
    assert "by Aliya Sultanova" in page and "commissioner #" not in page
    assert "under_verification" not in page and "full_count" not in page
    assert "<code>not_registered</code>" not in page
    audit = client.get("/commission/audit").text
    assert "checks run against the roll" in audit and "verification.run_checks" not in audit


def test_printed_report_names_dates_and_groups_digits(client, login, reviewed):
    w = reviewed
    w.commissioner.display_name = "Aliya Sultanova"
    w.commissioner2.display_name = "Bolat Nurlanov"
    petition = db.session.get(Petition, w.petition.id)
    petition.required_signatures = 12345
    factories.certification(
        petition,
        proposed_by_id=w.commissioner.id,
        confirmed_by_id=w.commissioner2.id,
        confirmed_at=factories.utcnow(),
    )
    db.session.commit()
    login(w.commissioner)
    url = f"/commission/petitions/{w.petition.id}/report/print"
    english = client.get(url, headers={"Accept-Language": "en"}).text
    assert "12,345" in english and "Aliya Sultanova" in english and "Bolat Nurlanov" in english
    signatures = english.split('class="signatures"')[1]
    assert signatures.count("Date") == 2 and "____________" not in signatures.split("Signature")[0]
    russian = client.get(url, headers={"Accept-Language": "ru"}).text
    assert "12\xa0345" in russian
    assert "Proposed by" not in russian and "Outcome" not in russian


def test_review_asks_for_a_reason_and_tells_accept_from_reject(client, login, reviewed):
    login(reviewed.commissioner)
    page = client.get(f"/commission/petitions/{reviewed.petition.id}/review/next").text
    select = page.split('name="reason_code"')[1].split("</select>")[0]
    assert "selected" not in select and '<option value="">' in select
    assert re.search(r'name="accept"[^>]*class="accept"|class="accept"[^>]*name="accept"', page)
    assert re.search(r'name="reject"[^>]*class="danger"|class="danger"[^>]*name="reject"', page)
    assert "Reject this signature" in page


def test_registering_asks_first(client, login, world):
    petition = db.session.get(Petition, world.petition.id)
    petition.state, petition.submitted_at = PetitionState.SUBMITTED, factories.utcnow()
    db.session.commit()
    login(world.commissioner)
    review = client.get("/petitions/review").text
    url = f"/petitions/{petition.id}/register"
    assert f'href="{url}"' in review and "Reject this petition" in review
    ask = client.get(url)
    assert ask.status_code == 200 and "It cannot be undone." in ask.text
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).state == PetitionState.SUBMITTED
    login(world.outsider)
    assert client.get(url).status_code == 403
