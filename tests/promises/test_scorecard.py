"""Scorecard arithmetic on the edge cases, through the service and the deputy page."""

from __future__ import annotations

from fractions import Fraction

from recall.extensions import db
from recall.models import Role
from recall.services.promises import queries as q


def test_no_promises(client, deputy, make, login):
    card = q.deputy_scorecard(deputy.id)
    assert (card.total, card.rated, card.kept, card.kept_share) == (0, 0, 0, None)
    monitor = make.user(role=Role.MONITOR)
    db.session.commit()
    page = client.get(f"/deputies/{deputy.id}").text
    assert 'id="promises"' not in page  # nothing to show to the public
    login(monitor)
    page = client.get(f"/deputies/{deputy.id}").text
    assert "Record a promise" in page and "Kept:" not in page


def test_none_rated(client, deputy, record):
    record(deputy)
    record(deputy, title="Repair the road to Temirtau")
    db.session.commit()
    card = q.deputy_scorecard(deputy.id)
    assert (card.total, card.rated, card.kept_share) == (2, 0, None)
    assert card.counts["not_yet_rated"] == 2
    page = client.get(f"/deputies/{deputy.id}").text
    assert "Kept share: not shown, no promise is rated yet." in page
    assert "kept share: no rated promises yet (2 not yet rated)" in page
    assert "Formula: kept share = kept ÷ rated" in page


def test_all_broken(client, deputy, record, rate):
    for title in (
        "Build a school in Zhanaarka",
        "Repair the road to Temirtau",
        "Cap utility tariffs",
    ):
        rate(record(deputy, title=title), "broken")
    db.session.commit()
    card = q.deputy_scorecard(deputy.id)
    assert (card.total, card.rated, card.kept, card.kept_share) == (3, 3, 0, Fraction(0))
    assert card.counts["broken"] == 3
    page = client.get(f"/deputies/{deputy.id}").text
    assert "Kept: 0% of rated promises" in page and "0 kept of 3 rated" in page


def test_mixed_counts_stalled_and_in_the_works_as_rated(client, deputy, record, rate):
    rate(record(deputy, title="Build a school in Zhanaarka"), "kept")
    rate(record(deputy, title="Repair the road to Temirtau"), "stalled")
    rate(record(deputy, title="Cap utility tariffs"), "in_the_works")
    record(deputy, title="Open a clinic in Saran")
    db.session.commit()
    card = q.deputy_scorecard(deputy.id)
    assert (card.total, card.rated, card.kept, card.kept_share) == (4, 3, 1, Fraction(1, 3))
    assert "Kept: 33% of rated promises" in client.get(f"/deputies/{deputy.id}").text


def test_summaries_per_body_party_and_district(client, make, record, rate, topics):
    party = make.party(name="Amanat")
    first = make.deputy(party=party)
    second = make.deputy(party=party)
    independent = make.deputy(district=make.district(first.body))
    rate(record(first), "kept")
    rate(record(second), "broken")
    record(independent)
    db.session.commit()
    by_party = {row.label: (row.card.total, row.card.kept_share) for row in q.summary("party")}
    assert by_party == {"Amanat": (2, Fraction(1, 2)), "independent": (1, None)}
    by_body = {row.key: row.card.total for row in q.summary("body")}
    assert by_body == {first.body_id: 2, second.body_id: 1}
    by_district = {
        row.key: row.card.counts["kept"] for row in q.summary("district", body_id=first.body_id)
    }
    assert by_district == {first.district_id: 1, independent.district_id: 0}
    page = client.get("/promises/summary/parties").text
    assert "Amanat" in page and "50%" in page
