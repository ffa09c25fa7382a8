"""Pages: anonymous reading is public, forms need a monitor, and they write only through the services."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Role
from recall.models.promise import Correction, Dispute, Promise, PromiseRevision, PromiseStatusChange
from tests.promises.conftest import EVIDENCE


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_anonymous_reads_every_public_page(client, record, rate, deputy, other_monitor):
    promise = record(deputy)
    rate(promise, "broken")
    from recall.services.promises import recording as svc

    svc.raise_dispute(
        other_monitor, promise.id, reason="The law passed after all.", evidence=EVIDENCE
    )
    db.session.commit()
    listing = client.get("/promises")
    assert listing.status_code == 200
    assert "Build a school in Zhanaarka" in listing.text
    page = client.get(f"/promises/{promise.id}")
    assert page.status_code == 200
    assert "This rating is disputed" in page.text
    assert "The law passed after all." in page.text
    assert "No majority for it" in page.text  # the broken reason
    assert EVIDENCE[0] in page.text
    for url in (
        "/promises/summary/bodies",
        "/promises/summary/parties",
        "/promises/summary/districts",
        "/promises/corrections",
        f"/deputies/{deputy.id}",
    ):
        assert client.get(url).status_code == 200, url
    deputy_page = client.get(f"/deputies/{deputy.id}").text
    assert "Kept share: not shown" not in deputy_page
    assert "0%" in deputy_page and "0 kept of 1 rated" in deputy_page
    assert "kept share = kept / rated = 0 / 1" in deputy_page


def test_forms_need_a_monitor(client, login, make, deputy, record, topics):
    promise = record(deputy)
    citizen = make.user(role=Role.CITIZEN)
    db.session.commit()
    urls = [
        f"/deputies/{deputy.id}/promises/new",
        f"/promises/{promise.id}/edit",
        f"/promises/{promise.id}/status",
        f"/promises/{promise.id}/dispute",
        f"/promises/{promise.id}/merge",
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous: to the sign-in page
        assert "/login" in client.get(url).headers["Location"]
    login(citizen)
    for url in urls:
        assert client.get(url).status_code == 403
        assert (
            client.post(
                url,
                data={
                    "status": "kept",
                    "changed_on": "2024-01-01",
                    "explanation": "x",
                    "evidence": EVIDENCE[0],
                },
            ).status_code
            == 403
        )
    assert _count(PromiseStatusChange) == 0


def test_monitor_records_rates_disputes_and_resolves_through_pages(
    app, client, login, make, deputy, topics, monitor, other_monitor
):
    db.session.commit()
    login(monitor)
    response = client.post(
        f"/deputies/{deputy.id}/promises/new",
        data={
            "title": "Repair the Temirtau road",
            "statement": "I will repair the road.",
            "made_on": "2023-02-01",
            "source_url": "https://example.org/debate",
            "quotation": "",
            "topic": "roads",
            "level": "regional",
        },
    )
    assert response.status_code == 302
    promise = db.session.scalar(sa.select(Promise))
    assert promise.title == "Repair the Temirtau road" and promise.topic.slug == "roads"

    bad = client.post(
        f"/promises/{promise.id}/status",
        data={"status": "kept", "changed_on": "2024-03-01", "explanation": "Done.", "evidence": ""},
    )
    assert bad.status_code == 422
    assert "At least one evidence link is required." in bad.text
    assert _count(PromiseStatusChange) == 0

    ok = client.post(
        f"/promises/{promise.id}/status",
        data={
            "status": "kept",
            "changed_on": "2024-03-01",
            "explanation": "Done.",
            "evidence": "https://example.org/a\nhttps://example.org/b",
        },
    )
    assert ok.status_code == 302
    change = db.session.scalar(sa.select(PromiseStatusChange))
    assert change.evidence == ["https://example.org/a", "https://example.org/b"]

    login(other_monitor)
    assert (
        client.post(
            f"/promises/{promise.id}/dispute",
            data={"reason": "Only half repaired.", "evidence": "https://example.org/photo"},
        ).status_code
        == 302
    )
    dispute = db.session.scalar(sa.select(Dispute))
    login(monitor)  # the rater's organization may not resolve
    refused = client.post(
        f"/promises/disputes/{dispute.id}/resolve",
        data={"resolution": "Fine as is.", "outcome": "upheld"},
    )
    assert refused.status_code == 403  # Forbidden reaches the 403 page (issue 9)
    assert "another organization" in refused.text
    third = make.user(role=Role.MONITOR)
    db.session.commit()
    login(third)
    resolved = client.post(
        f"/promises/disputes/{dispute.id}/resolve",
        data={
            "resolution": "Half done: a compromise.",
            "outcome": "corrected",
            "status": "compromise",
            "changed_on": "2024-04-01",
            "evidence": "https://example.org/photo",
        },
    )
    assert resolved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Promise, promise.id).status.value == "compromise"
    assert db.session.get(Dispute, dispute.id).state.value == "corrected"
    log = client.get("/promises/corrections").text
    assert "Half done: a compromise." in log and "Rating corrected:" in log


def test_duplicate_offered_for_merge_on_the_form(client, login, deputy, record, monitor):
    existing = record(deputy, title="Build a school in Zhanaarka")
    db.session.commit()
    login(monitor)
    data = {
        "title": "Build a new school in Zhanaarka",
        "statement": "A new school.",
        "made_on": "2023-03-01",
        "source_url": "https://example.org/second",
        "topic": "education",
        "level": "local",
    }
    offered = client.post(f"/deputies/{deputy.id}/promises/new", data=data)
    assert offered.status_code == 422
    assert "already has a similar promise" in offered.text
    assert f'name="merge_into" value="{existing.id}"' in offered.text
    merged = client.post(
        f"/deputies/{deputy.id}/promises/new", data={**data, "merge_into": str(existing.id)}
    )
    assert merged.status_code == 302 and merged.headers["Location"].endswith(
        f"/promises/{existing.id}"
    )
    assert _count(Promise) == 1
    db.session.expire_all()
    assert [s.url for s in db.session.get(Promise, existing.id).sources] == [
        "https://example.org/second"
    ]
    distinct = client.post(
        f"/deputies/{deputy.id}/promises/new", data={**data, "confirm_distinct": "1"}
    )
    assert distinct.status_code == 302
    assert _count(Promise) == 2


def test_edit_keeps_a_revision_shown_on_the_page_and_log(client, login, deputy, record, monitor):
    promise = record(deputy)
    db.session.commit()
    login(monitor)
    response = client.post(
        f"/promises/{promise.id}/edit",
        data={
            "title": "Build a school in Zhanaarka village",
            "statement": "I will build a school.",
            "reason": "The source names the village.",
        },
    )
    assert response.status_code == 302
    revision = db.session.scalar(sa.select(PromiseRevision))
    assert (revision.old_title, revision.new_title) == (
        "Build a school in Zhanaarka",
        "Build a school in Zhanaarka village",
    )
    assert _count(Correction) == 1
    page = client.get(f"/promises/{promise.id}").text
    assert (
        "<del>Build a school in Zhanaarka</del>" in page and "The source names the village." in page
    )
    assert "The source names the village." in client.get("/promises/corrections").text


def test_list_filters_search_sort_and_bad_values(client, make, record, rate, topics):
    first = make.deputy(full_name="Aliya Omarova")
    second = make.deputy(full_name="Marat Bekov")
    kept = record(first, title="Clean the Nura river", topic="ecology", made_on=date(2023, 1, 5))
    rate(kept, "kept")
    record(second, title="Open a clinic in Saran", topic="health", made_on=date(2023, 6, 1))
    db.session.commit()
    text = client.get("/promises?status=kept").text
    assert "Clean the Nura river" in text and "Open a clinic in Saran" not in text
    text = client.get("/promises?q=clinic").text
    assert "Open a clinic in Saran" in text and "Clean the Nura river" not in text
    text = client.get("/promises?q=omarova").text  # the deputy's name is searched too
    assert "Clean the Nura river" in text and "Open a clinic" not in text
    text = client.get("/promises?sort=oldest").text
    assert text.index("Clean the Nura river") < text.index("Open a clinic in Saran")
    text = client.get("/promises?sort=recent").text
    assert text.index("Open a clinic in Saran") < text.index("Clean the Nura river")
    bad = client.get("/promises?status=maybe")
    assert bad.status_code == 422 and "Unknown status maybe" in bad.text


def test_promise_page_lists_the_petitions_citing_it(client, make, record, deputy):
    from recall.services.petitions import lifecycle as petitions

    cited = record(deputy)
    other = record(
        deputy, title="Repair the road to Temirtau", source_url="https://example.org/road"
    )
    db.session.commit()
    assert "Petitions citing this promise" not in client.get(f"/promises/{cited.id}").text
    grounds = "The deputy promised a school in Zhanaarka and has not started it in two years; we lost trust."
    petition = petitions.open_petition(make.user(), deputy.id, grounds, [cited.id])
    db.session.commit()
    page = client.get(f"/promises/{cited.id}").text
    assert "Petitions citing this promise" in page
    assert f'href="/petitions/{petition.id}">Recall petition #{petition.id}</a>' in page
    assert "gathering its initiative group" in page  # the petition's state
    assert "Petitions citing this promise" not in client.get(f"/promises/{other.id}").text
