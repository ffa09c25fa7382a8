"""Counting: constant-cost reads, per-day counts, milestones once, threshold set and cleared, recount."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from babel.dates import format_date
from sqlalchemy import event as sa_event

from recall.extensions import db
from recall.models.base import utcnow
from recall.models.counting import COUNT_SHARDS, PetitionCountShard
from recall.services.signing import counting
from tests import factories
from tests.signing.conftest import events

DAY1, DAY2 = date(2024, 5, 1), date(2024, 5, 2)


def _milestones() -> list[int]:
    return [e.payload["percent"] for e in events("petition.milestone")]


def test_milestones_are_announced_once_each(app, collecting_petition):
    petition = collecting_petition(rule="california_local", required=8)
    counting.apply_count_change(petition.id, 1, DAY1)
    assert _milestones() == []
    counting.apply_count_change(petition.id, 1, DAY1)  # 2 of 8
    assert _milestones() == [25]
    counting.apply_count_change(petition.id, -1, DAY1)
    counting.apply_count_change(petition.id, 1, DAY1)  # back to 2: no second announcement
    counting.apply_count_change(petition.id, 3, DAY2)  # 5 of 8: crosses 50
    assert _milestones() == [25, 50]
    counting.apply_count_change(petition.id, 3, DAY2)  # 8 of 8: 75 and 100 at once
    assert _milestones() == [25, 50, 75, 100]
    db.session.refresh(petition)
    assert petition.milestones_announced == 100
    counting.apply_count_change(petition.id, 5, DAY2)
    assert _milestones() == [25, 50, 75, 100]
    assert counting.sync_counts(utcnow()) == 1  # a re-check announces nothing new either
    assert _milestones() == [25, 50, 75, 100]


def test_threshold_flag_is_set_and_cleared_again(app, collecting_petition):
    petition = collecting_petition(rule="california_local", required=3)
    counting.apply_count_change(petition.id, 2, DAY1)
    db.session.refresh(petition)
    assert petition.threshold_met_at is None and events("petition.threshold_met") == []
    moment = datetime(2024, 5, 2, 9, 30, tzinfo=UTC)
    counting.apply_count_change(petition.id, 1, DAY2, now=moment)
    db.session.refresh(petition)
    assert petition.threshold_met_at == moment
    assert [e.payload for e in events("petition.threshold_met")] == [{"required": 3}]
    counting.apply_count_change(petition.id, 1, DAY2)  # above: nothing new
    assert len(events("petition.threshold_met")) == 1
    counting.apply_count_change(petition.id, -2, DAY2)  # invalidations bring it below
    db.session.refresh(petition)
    assert petition.threshold_met_at is None
    assert [e.payload for e in events("petition.threshold_lost")] == [{"required": 3}]
    counting.apply_count_change(petition.id, -1, DAY1)
    assert len(events("petition.threshold_lost")) == 1
    counting.apply_count_change(petition.id, 2, DAY2)
    db.session.refresh(petition)
    assert petition.threshold_met_at is not None and len(events("petition.threshold_met")) == 2
    assert counting.confirmed_count(petition) == 3


def test_counts_per_day_and_progress(app, collecting_petition):
    petition = collecting_petition(required=10, rule="california_local")
    counting.apply_count_change(petition.id, 3, DAY2)
    counting.apply_count_change(petition.id, 2, DAY1)
    counting.apply_count_change(petition.id, -1, DAY2)
    assert counting.counts_per_day(petition) == [(DAY1, 2), (DAY2, 2)]
    progress = counting.progress(petition)
    assert (
        progress.confirmed,
        progress.required,
        progress.percent,
        progress.met,
        progress.public,
    ) == (4, 10, 40.0, False, True)
    assert counting.confirmed_counts([petition.id, 999]) == {petition.id: 4, 999: 0}


def test_running_count_hidden_under_a_rule_that_forbids_it(app, collecting_petition):
    hidden = collecting_petition(rule="uk_recall_of_mps_2015")
    assert counting.progress(hidden).public is False
    hidden.state = hidden.state.__class__.CLOSED
    assert counting.progress(hidden).public is True


def test_reading_the_count_never_scans_signatures(app, collecting_petition):
    petition = collecting_petition(required=10_000)
    for _ in range(200):
        counting.apply_count_change(petition.id, 1, DAY1)
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(PetitionCountShard))
        <= COUNT_SHARDS
    )
    statements: list[str] = []

    def remember(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", remember)
    try:
        assert counting.confirmed_count(petition) == 200
        assert counting.counts_per_day(petition) == [(DAY1, 200)]
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", remember)
    assert len(statements) == 2
    assert all("signatures" not in s for s in statements)
    assert all("petition_count_shards" in s or "petition_day_counts" in s for s in statements)


def test_recount_and_sync_fix_drift(app, collecting_petition):
    petition = collecting_petition(rule="california_local", required=4)
    for _ in range(3):  # 2 May in Almaty
        factories.signature(petition, email=None, at=datetime(2024, 5, 1, 20, 0, tzinfo=UTC))
    # The counters drifted (e.g. a manual fix in the database): they say 7 on a wrong day.
    counting.apply_count_change(petition.id, 7, DAY1)
    assert counting.confirmed_count(petition) == 7
    assert counting.recount_all(utcnow()) == 1
    assert counting.confirmed_count(petition) == 3
    assert counting.counts_per_day(petition) == [(DAY2, 3)]
    db.session.refresh(petition)
    assert petition.confirmed_count == 3 and petition.threshold_met_at is None
    # The 100% milestone was announced while the drift claimed 7; it stays announced once.
    assert _milestones() == [25, 50, 75, 100]
    assert [e.kind for e in events("petition.threshold_lost")] == ["petition.threshold_lost"]
    counting.apply_count_change(petition.id, 1, DAY2)
    assert counting.sync_counts(utcnow()) == 1
    db.session.refresh(petition)
    assert petition.confirmed_count == 4 and petition.threshold_met_at is not None
    assert counting.recount(petition.id) == 3  # the +1 had no signature behind it


def test_no_announcement_while_a_hidden_count_is_collecting_then_once_on_closing(
    app, collecting_petition
):
    from recall.services.petitions import lifecycle as petitions

    petition = collecting_petition(
        required=4
    )  # the Kazakh preset: no running count may be published
    counting.apply_count_change(petition.id, 4, DAY1)
    counting.sync_counts(utcnow())
    db.session.refresh(petition)
    # Milestone and threshold events reach followers and webhooks: they would publish the count.
    assert _milestones() == [] and events("petition.threshold_met") == []
    assert (petition.milestones_announced, petition.threshold_met_at) == (0, None)
    assert petitions.close_due_petitions(petition.closes_at) == 1
    assert _milestones() == [25, 50, 75, 100]
    assert [e.payload for e in events("petition.threshold_met")] == [{"required": 4}]
    closed, first_milestone = events("petition.closed")[0], events("petition.milestone")[0]
    assert closed.id < first_milestone.id  # announced as signing closes, not before
    counting.sync_counts(utcnow())
    assert _milestones() == [25, 50, 75, 100] and len(events("petition.threshold_met")) == 1
    counting.apply_count_change(petition.id, -1, DAY1)  # later invalidations are announced as usual
    assert [e.payload for e in events("petition.threshold_lost")] == [{"required": 4}]


def test_petition_page_and_api_show_the_count_per_day_and_the_threshold(
    client, collecting_petition
):
    from tests.signing.conftest import confirm_token, payload, sign_url

    # California's preset takes paper sections only; this copy also signs online.
    petition = collecting_petition(
        required=2, rule="california_local", rule_changes={"signing_channels": ["online_email"]}
    )
    for n in range(2):
        response = client.post(
            sign_url(petition), json=payload(petition, email=f"v{n}@example.org")
        )
        assert response.status_code == 202
    for event in events("signature.confirmation_requested"):
        assert client.post(f"/signatures/confirm/{confirm_token(event)}").status_code == 200
    today = counting.local_day(utcnow()).isoformat()
    body = client.get(f"/api/v1/petitions/{petition.id}").get_json()
    assert body["signatures"] == {
        "count_public": True,
        "confirmed": 2,
        "per_day": [{"date": today, "confirmed": 2}],
    }
    assert body["threshold"].pop("basis")["required"] == 2  # how it was computed: its own test
    assert body["threshold"] == {"required": 2, "met": True, "percent": 100.0}
    html = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert "2 confirmed signatures of 2 required (100.0%)" in html
    assert "The required number is reached." in html
    # The day as the reader's language writes it, in the table behind the per-day chart.
    day = format_date(counting.local_day(utcnow()), format="medium", locale="en")
    assert f"<tr><td>{day}</td><td>2</td></tr>" in html
    assert 'class="column-chart" role="img"' in html


def test_invalidations_by_the_commissions_checks_clear_the_threshold_flag(app, make, tmp_path):
    from recall.models import Role
    from recall.services.verification import checks
    from tests.verification.conftest import SIGNED_IN_MARCH

    district = make.district(number=1)
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=district.body)
    petition = make.petition(make.deputy(district), **{**SIGNED_IN_MARCH, "required": 2})
    registered, unknown = factories.iin(date(1970, 1, 1)), factories.iin(date(1971, 1, 1))
    factories.load_roll(district.body, tmp_path / "roll.csv", [factories.roll_entry(registered)])
    factories.signature(petition, registered, "Aigerim Bekova")
    factories.signature(petition, unknown, "Nobody Known")
    counting.recount(petition.id)
    db.session.commit()
    db.session.refresh(petition)
    assert petition.threshold_met_at is not None and len(events("petition.threshold_met")) == 1
    result = checks.run_checks(commissioner, petition.id)
    db.session.commit()
    db.session.refresh(petition)
    assert result.by_reason == {"not_registered": 1} and counting.confirmed_count(petition) == 1
    assert petition.threshold_met_at is None
    assert [e.payload for e in events("petition.threshold_lost")] == [{"required": 2}]
