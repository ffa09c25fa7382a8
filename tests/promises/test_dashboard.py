"""Issue 14, monitors: a dashboard after log-in; scorecards that fit a phone, kept and broken
first, the kept share as a bar; long evidence links that wrap."""

from __future__ import annotations

import re

from recall.extensions import db
from recall.services.promises import recording as svc
from tests import factories
from tests.promises.conftest import commit


def test_a_monitor_lands_on_the_dashboard(client, monitor):
    commit()
    response = client.post("/login", data={"email": monitor.email, "password": factories.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/monitor")


def test_a_citizen_still_lands_on_the_home_page(client, make):
    citizen = make.user()
    db.session.commit()
    response = client.post("/login", data={"email": citizen.email, "password": factories.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/")


def test_dashboard_shows_the_organizations_work(
    client, login, deputy, monitor, other_monitor, record, rate
):
    ours = record(deputy, title="Repair the bridge on Abai street")
    waiting = record(deputy, title="Open a clinic in the village", confirm_distinct=True)
    theirs = record(
        deputy, actor=other_monitor, title="Plant a thousand trees", confirm_distinct=True
    )
    rate(ours, "kept")
    rate(theirs, "broken", actor=other_monitor)
    svc.raise_dispute(
        other_monitor, ours.id, reason="The bridge is still closed.", evidence=["https://x.kz/a"]
    )
    commit()
    login(monitor)
    page = client.get("/monitor").get_data(as_text=True)
    ratings = page.split('id="ratings"')[1]
    assert "Repair the bridge on Abai street" in ratings and "Plant a thousand" not in ratings
    disputes = page.split('id="disputes"')[1].split("</section>")[0]
    assert "Open disputes (1)" in disputes and "Repair the bridge" in disputes
    awaiting = page.split('id="awaiting"')[1].split("</section>")[0]
    assert "Open a clinic in the village" in awaiting and "Repair the bridge" not in awaiting
    assert f'<option value="{deputy.id}">{deputy.full_name}</option>' in page
    go = client.get(f"/monitor/record?deputy={deputy.id}")
    assert go.status_code == 302
    assert go.headers["Location"].endswith(f"/deputies/{deputy.id}/promises/new")
    assert client.get("/monitor/record?deputy=999999").status_code == 404
    assert waiting.id


def test_dashboard_is_for_monitors_only(client, login, make):
    citizen = make.user()
    db.session.commit()
    login(citizen)
    assert client.get("/monitor").status_code == 403


def test_scorecard_puts_kept_and_broken_first_with_a_bar(client, deputy, record, rate, monitor):
    titles = ["Build a school", "Fix the roads", "Open a library", "Light the streets"]
    promises = [record(deputy, title=t, confirm_distinct=True) for t in titles]
    rate(promises[0], "kept")
    rate(promises[1], "broken")
    rate(promises[2], "in_the_works")
    commit()
    page = client.get(f"/deputies/{deputy.id}").get_data(as_text=True)
    counts = page.split('class="score-counts"')[1].split("</ul>")[0]
    order = re.findall(r'class="score-(\w+)"', counts)
    assert order[:2] == ["kept", "broken"] and order[-1] == "total"
    bar = page.split('<svg xmlns="http://www.w3.org/2000/svg" class="share-bar"')[1].split(
        "</svg>"
    )[0]
    assert (
        "<title>Kept 33% of rated promises: 1 kept, 1 broken, 1 other ratings, of 3 rated</title>"
        in bar
    )
    summary = client.get("/promises/summary/bodies").get_data(as_text=True)
    assert 'class="summary stacking"' in summary and 'data-label="Kept"' in summary
    headers = re.findall(r'<th scope="col">([^<]+)</th>', summary)
    assert headers[1:4] == ["Kept share", "Kept", "Broken"]
    assert "33% (1/3)" in summary  # counts beside the percentage


def test_long_evidence_links_are_shown_whole_to_wrap(client, deputy, record, rate):
    long_url = "https://example.org/" + "a-very-long-path-segment/" * 6 + "evidence.pdf"
    promise = record(deputy)
    rate(promise, "kept", evidence=[long_url])
    commit()
    page = client.get(f"/promises/{promise.id}").get_data(as_text=True)
    assert f'class="url" href="{long_url}"' in page and f">{long_url}</a>" in page
