"""Issue 14: monthly report cards per deputy and per body (kept, broken, in the works; changes
since last month), rankings by share kept with counts beside percentages, and the monthly digest
to the followers of a deputy and of a body through the outbox."""

from __future__ import annotations

import email
from datetime import datetime, time, timedelta
from email.policy import default as default_policy

import sqlalchemy as sa

from recall.extensions import db
from recall.i18n import local_zone
from recall.jobs.periodic import run_due
from recall.models.base import utcnow
from recall.models.outbox import Event
from recall.notifications.rules import ensure_default_rules, rules_for
from recall.rules.report_card import previous_month
from recall.services.notifications.follows import find_follow, follow
from recall.services.promises import report_cards
from tests.promises.conftest import commit


def _months():
    this = utcnow().astimezone(local_zone()).date().replace(day=1)
    last = previous_month(this)
    return this, last, previous_month(last)


def _at(day, days=0):
    return datetime.combine(day, time(12), tzinfo=local_zone()) + timedelta(days=days)


def _history(deputy, record, rate):
    """Two promises before last month; during last month one is kept, the other goes from in
    the works to broken; a third is recorded this month."""
    this, last, before = _months()
    kept = record(deputy, title="Build a school in Zhanaarka")
    broken = record(deputy, title="Repair every road of the district", confirm_distinct=True)
    for p in (kept, broken):
        p.created_at = _at(before, 2)
    rate(broken, "in_the_works").created_at = _at(before, 5)
    rate(kept, "kept").created_at = _at(last, 3)
    rate(broken, "broken").created_at = _at(last, 9)
    later = record(deputy, title="Plant a thousand trees downtown", confirm_distinct=True)
    later.created_at = _at(this) if _at(this) < utcnow() else utcnow()
    db.session.flush()
    return this, last, before


def test_deputy_card_counts_the_month_and_its_changes(client, deputy, record, rate):
    _this, last, _before = _history(deputy, record, rate)
    card = report_cards.deputy_card(deputy.id, last, utcnow()).card
    assert (card.now.kept, card.broken, card.in_the_works, card.now.total) == (1, 1, 0, 2)
    assert card.changes["kept"] == 1 and card.changes["broken"] == 1
    assert card.changes["in_the_works"] == -1 and card.changes["not_yet_rated"] == -1
    commit()
    page = client.get(f"/deputies/{deputy.id}/report-card?month={last:%Y-%m}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Kept: 50% of rated promises" in html
    kept_row = html.split('class="score-kept"')[1].split("</tr>")[0]
    assert ">1</td>" in kept_row and "+1" in kept_row
    assert client.get(f"/deputies/{deputy.id}/report-card?month=2999-01").status_code == 422
    assert client.get(f"/deputies/{deputy.id}/report-card?month=junk").status_code == 422
    assert client.get(f"/deputies/{deputy.id}/report-card").status_code == 200  # this month


def test_body_card_ranks_deputies_with_counts(client, make, deputy, record, rate):
    _this, last, _before = _history(deputy, record, rate)
    other = make.deputy(make.district(deputy.body, number=7), full_name="Asel Karimova")
    promise = record(other, title="Open a clinic in the village")
    promise.created_at = _at(last, 1)
    rate(promise, "kept").created_at = _at(last, 2)
    commit()
    result = report_cards.body_card(deputy.body_id, last, utcnow())
    assert [(r.rank, r.key) for r in result.rankings] == [(1, other.id), (2, deputy.id)]
    assert result.card.now.kept == 2 and result.card.now.total == 3
    html = client.get(f"/bodies/{deputy.body_id}/report-card?month={last:%Y-%m}").get_data(
        as_text=True
    )
    rankings = html.split('class="rankings stacking"')[1]
    assert rankings.index("Asel Karimova") < rankings.index(deputy.full_name)
    assert "100% (1 of 1)" in rankings and "50% (1 of 2)" in rankings


def test_monthly_digest_goes_to_followers_once(app, make, deputy, record, rate):
    _this, last, _before = _history(deputy, record, rate)
    unfollowed = make.deputy(full_name="Nobody Follows")
    record(unfollowed, title="Something nobody follows", confirm_distinct=True)
    follower = make.user()
    follow(follower, "deputy", deputy.id)
    ensure_default_rules()
    commit()
    assert [r.recipient.value for r in rules_for("deputy.report_card")] == ["deputy_followers"]
    assert run_due(only="promises.monthly_digest", force=True) == {"promises.monthly_digest": "ok"}
    events = db.session.scalars(sa.select(Event).where(Event.kind == "deputy.report_card")).all()
    assert [(e.subject_type, e.subject_id) for e in events] == [("deputy", deputy.id)]
    payload = events[0].payload
    assert payload["month"] == f"{last:%Y-%m}" and payload["kept"] == 1 and payload["broken"] == 1
    assert payload["kept_change"] == 1 and payload["kept_percent"] == 50
    assert payload["report_card"].endswith(f"/deputies/{deputy.id}/report-card?month={last:%Y-%m}")
    assert report_cards.record_monthly_digests(utcnow()) == 0  # once a month


def _mails(folder) -> dict[str, email.message.EmailMessage]:
    messages = (
        email.message_from_bytes(path.read_bytes(), policy=default_policy)
        for path in sorted(folder.glob("*.eml"))
    )
    return {m["To"]: m for m in messages}


def test_a_bodys_followers_get_the_bodys_card_through_the_outbox(
    app, make, deputy, record, rate, tmp_path
):
    """The digest per deputy and per body (issue 14): a body's follower gets the body's card by
    e-mail, a deputy's follower the deputy's; a body nobody follows and a follow without e-mail
    get nothing; a second run in the month sends nothing more."""
    app.config.update(MAIL_SERVER=None, MAIL_FOLDER=str(tmp_path / "mail"))
    _this, last, _before = _history(deputy, record, rate)
    colleague = make.deputy(make.district(deputy.body, number=7), full_name="Asel Karimova")
    promise = record(colleague, title="Open a clinic in the village")
    promise.created_at = _at(last, 1)
    rate(promise, "kept").created_at = _at(last, 2)
    elsewhere = make.deputy(full_name="Of Another Body")  # a body nobody follows
    record(elsewhere, title="Something in another body", confirm_distinct=True)
    by_body = make.user(email="body@example.org")
    by_deputy = make.user(email="deputy@example.org")
    quiet = make.user(email="quiet@example.org")
    follow(by_body, "body", deputy.body_id)
    follow(by_deputy, "deputy", deputy.id)
    follow(quiet, "body", deputy.body_id, "none")
    ensure_default_rules()
    commit()
    assert [r.recipient.value for r in rules_for("body.report_card")] == ["body_followers"]

    assert run_due(only="promises.monthly_digest", force=True) == {"promises.monthly_digest": "ok"}
    events = db.session.scalars(sa.select(Event).order_by(Event.id)).all()
    digests = [(e.kind, e.subject_type, e.subject_id) for e in events if "report_card" in e.kind]
    assert digests == [
        ("deputy.report_card", "deputy", deputy.id),
        ("body.report_card", "body", deputy.body_id),
    ]
    mails = _mails(tmp_path / "mail")
    assert set(mails) == {"body@example.org", "deputy@example.org"}
    body_mail = mails["body@example.org"]
    assert body_mail["Subject"] == "recall: The monthly report card of a body you follow"
    text = body_mail.get_body(("plain",)).get_content()
    # The body's three promises: two kept during the month, one broken.
    assert "Kept: 2\n" in text and "Broken: 1\n" in text and "Kept: change since" in text
    card = f"/bodies/{deputy.body_id}/report-card?month={last:%Y-%m}"
    assert card in text and "/notifications/unsubscribe/" in text
    deputy_text = mails["deputy@example.org"].get_body(("plain",)).get_content()
    assert "Kept: 1\n" in deputy_text and f"/deputies/{deputy.id}/report-card" in deputy_text

    assert report_cards.record_monthly_digests(utcnow()) == 0  # once a month
    assert len(_mails(tmp_path / "mail")) == 2


def test_a_body_can_be_followed_from_its_report_card(client, login, make, deputy):
    citizen = make.user()
    commit()
    login(citizen)
    page = client.get(f"/bodies/{deputy.body_id}/report-card").get_data(as_text=True)
    assert f'action="/notifications/follow/body/{deputy.body_id}"' in page
    response = client.post(
        f"/notifications/follow/body/{deputy.body_id}",
        data={"channel": "email", "next": f"/bodies/{deputy.body_id}/report-card"},
    )
    assert response.status_code == 303
    assert find_follow(citizen, "body", deputy.body_id) is not None
    assert (
        client.post("/notifications/follow/body/999999", data={"channel": "email"}).status_code
        == 404
    )
