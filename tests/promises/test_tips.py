"""Issue 14: citizens send a tip or evidence on a promise; monitors take it or dismiss it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.models import PromiseTip, TipStatus
from recall.models.base import utcnow
from recall.services.promises import tips
from tests.promises.conftest import commit


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PromiseTip))


def test_a_tip_needs_a_link_or_a_description_and_no_future_date(make, deputy, record):
    citizen = make.user()
    promise = record(deputy)
    with pytest.raises(Invalid) as empty:
        tips.send_tip(citizen, promise.id, link=" ", description="", place="", observed_on=None)
    assert empty.value.field == "link"
    with pytest.raises(Invalid) as bad_link:
        tips.send_tip(
            citizen, promise.id, link="not a url", description=None, place=None, observed_on=None
        )
    assert bad_link.value.field == "link"
    with pytest.raises(Invalid) as future:
        tips.send_tip(
            citizen,
            promise.id,
            link=None,
            description="The school is still a field.",
            place="Zhanaarka",
            observed_on=utcnow().date() + timedelta(days=2),
        )
    assert future.value.field == "observed_on"
    assert _count() == 0
    tip = tips.send_tip(
        citizen,
        promise.id,
        link=None,
        description="Photo: the school is still a field.",
        place="Zhanaarka, Abai street",
        observed_on=date(2025, 5, 1),
    )
    assert tip.status == TipStatus.NEW and tip.submitted_by_id == citizen.id


def test_monitors_take_or_dismiss_tips(make, deputy, record, monitor):
    citizen = make.user()
    promise = record(deputy)
    kept = tips.send_tip(
        citizen,
        promise.id,
        link="https://news.kz/school",
        description=None,
        place=None,
        observed_on=None,
    )
    dropped = tips.send_tip(
        citizen, promise.id, link=None, description="Rumour", place=None, observed_on=None
    )
    with pytest.raises(Forbidden):
        tips.accept_tip(citizen, kept.id)
    assert [t.id for t in tips.new_tips(monitor)] == [kept.id, dropped.id]
    tips.accept_tip(monitor, kept.id)
    with pytest.raises(Conflict):
        tips.accept_tip(monitor, kept.id)
    with pytest.raises(Invalid) as no_reason:
        tips.dismiss_tip(monitor, dropped.id, "  ")
    assert no_reason.value.field == "reason"
    tips.dismiss_tip(monitor, dropped.id, "No source and nothing to check.")
    assert [t.id for t in tips.accepted_tips(promise.id)] == [kept.id]
    assert tips.new_tips(monitor) == [] and tips.count_new_tips() == 0


def test_tip_pages(client, login, make, deputy, record, monitor):
    citizen = make.user()
    promise = record(deputy)
    commit()
    url = f"/promises/{promise.id}/tip"
    assert client.get(url).status_code == 302  # log in first
    login(citizen)
    assert f'href="{url}"' in client.get(f"/promises/{promise.id}").get_data(as_text=True)
    refused = client.post(url, data={"link": "", "description": ""})
    assert (
        refused.status_code == 422
        and "Give a link or describe what you saw." in refused.get_data(as_text=True)
    )
    sent = client.post(
        url,
        data={
            "link": "https://news.kz/school-opened",
            "place": "Zhanaarka",
            "observed_on": "2025-05-01",
        },
        follow_redirects=True,
    )
    assert "A monitor will look at what you sent." in sent.get_data(as_text=True)
    tip = db.session.scalars(sa.select(PromiseTip)).one()
    assert client.get("/monitor/tips").status_code == 403
    login(monitor)
    board = client.get("/monitor").get_data(as_text=True)
    assert "Tips from citizens to triage: 1" in board
    triage = client.get("/monitor/tips").get_data(as_text=True)
    assert "https://news.kz/school-opened" in triage and "Zhanaarka" in triage
    assert client.post(f"/monitor/tips/{tip.id}/dismiss", data={"reason": ""}).status_code == 422
    taken = client.post(f"/monitor/tips/{tip.id}/accept", follow_redirects=True)
    assert "Taken as evidence" in taken.get_data(as_text=True)
    page = client.get(f"/promises/{promise.id}").get_data(as_text=True)
    evidence = page.split('id="citizen-evidence"')[1]
    assert 'href="https://news.kz/school-opened"' in evidence and "Zhanaarka" in evidence
    assert citizen.email not in page and citizen.display_name not in evidence


def test_a_tip_taken_as_evidence_is_among_the_promises_sources(
    client, make, deputy, record, monitor
):
    """Its link, or for a description alone the tip on the promise page; a dismissed tip is not
    a source, and a link the promise cites already is not cited twice."""
    citizen = make.user()
    promise = record(deputy)
    linked, described, repeated, dismissed = (
        tips.send_tip(
            citizen, promise.id, link=link, description=text, place=None, observed_on=None
        )
        for link, text in [
            ("https://news.kz/school-opened", None),
            (None, "Photo: the school is still a field."),
            (promise.source_url, None),
            ("https://rumours.kz/school", None),
        ]
    )
    for tip in (linked, described, repeated):
        tips.accept_tip(monitor, tip.id)
    tips.dismiss_tip(monitor, dismissed.id, "Nothing to check.")
    commit()
    sources = [(s.url, s.tip_id) for s in promise.sources]
    anchor = f"/promises/{promise.id}#tip-{described.id}"
    assert sources == [("https://news.kz/school-opened", linked.id), (sources[1][0], described.id)]
    assert sources[1][0].endswith(anchor)
    page = client.get(f"/promises/{promise.id}").get_data(as_text=True)
    listed = page.split('class="sources"')[1].split("</ul>")[0]
    assert 'href="https://news.kz/school-opened"' in listed and anchor in listed
    assert listed.count("evidence sent by a citizen") == 2 and "rumours.kz" not in listed
    assert f'id="tip-{described.id}"' in page  # where the source points
    api = client.get(f"/api/v1/promises/{promise.id}").get_json()
    assert "https://news.kz/school-opened" in [s["url"] for s in api["sources"]]
