"""A deputy's responsiveness: reached the threshold, answered on time, late, overdue."""

from __future__ import annotations

from datetime import timedelta

from recall.extensions import db
from recall.models.appeal import AppealState
from recall.models.base import utcnow
from recall.rules.appeals import LATE, ON_TIME, OVERDUE, PENDING, answer_timeliness
from recall.services.appeals import queries

S = AppealState


def test_the_pure_rule():
    now = utcnow()
    due = now - timedelta(days=1)
    assert answer_timeliness(None, None, now) is None
    assert answer_timeliness(due, due - timedelta(hours=1), now) == ON_TIME
    assert answer_timeliness(due, due + timedelta(hours=1), now) == LATE
    assert answer_timeliness(due, None, now) == OVERDUE
    assert answer_timeliness(now + timedelta(days=1), None, now) == PENDING


def _figures_fixture(make):
    deputy = make.deputy()
    now = utcnow()
    past, future = now - timedelta(days=2), now + timedelta(days=2)
    reached = {"threshold_reached_at": now - timedelta(days=40)}
    make.appeal(deputy, state=S.OPEN)  # not reached
    make.appeal(deputy, state=S.ANSWERED, response_due_at=future, answered_at=now, **reached)
    make.appeal(deputy, state=S.ANSWERED, response_due_at=past, answered_at=now, **reached)
    make.appeal(deputy, state=S.OVERDUE, response_due_at=past, **reached)
    make.appeal(deputy, state=S.RESPONSE_DUE, response_due_at=future, **reached)
    make.appeal(deputy, state=S.DRAFT)  # not public: not counted
    make.appeal(state=S.OVERDUE, response_due_at=past, **reached)  # another deputy
    return deputy


def test_figures_of_a_deputy(app, make):
    deputy = _figures_fixture(make)
    figures = queries.responsiveness(deputy.id)
    assert figures.as_dict() == {
        "published": 5,
        "reached_threshold": 4,
        "answered_on_time": 1,
        "answered_late": 1,
        "overdue": 1,
        "awaiting": 1,
    }


def test_deputy_page_and_api_show_them(app, client, make):
    deputy = _figures_fixture(make)
    db.session.commit()
    data = client.get(f"/api/v1/deputies/{deputy.id}").get_json()
    assert data["appeals"]["overdue"] == 1 and data["appeals"]["answered_late"] == 1
    page = client.get(f"/deputies/{deputy.id}").get_data(as_text=True)
    assert "How this deputy answers" in page and "Answered on time" in page
