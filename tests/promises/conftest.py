"""Fixtures for the promise tracker: topics seeded, a deputy, monitors of two organizations."""

from __future__ import annotations

from datetime import date

import pytest

from recall.extensions import db
from recall.models import Role
from recall.services.promises import recording as svc

SOURCE = "https://example.org/speech/2023-02-01"
EVIDENCE = ["https://example.org/budget-2024"]


@pytest.fixture
def topics(app):
    return svc.ensure_default_topics()


@pytest.fixture
def deputy(app, make):
    return make.deputy()


@pytest.fixture
def monitor(app, make):
    return make.user(role=Role.MONITOR)


@pytest.fixture
def other_monitor(app, make):
    """A monitor of another organization than ``monitor``."""
    return make.user(role=Role.MONITOR)


@pytest.fixture
def record(topics, monitor):
    """Record a promise for a deputy (defaults for every field; override any)."""

    def _record(deputy, actor=None, confirm_distinct=False, **overrides):
        values = {
            "deputy_id": deputy.id,
            "title": "Build a school in Zhanaarka",
            "statement": "I will build a school.",
            "made_on": date(2023, 2, 1),
            "source_url": SOURCE,
            "topic": "education",
            "level": "local",
        }
        values.update(overrides)
        return svc.record_promise(
            actor or monitor, svc.PromiseInput(**values), confirm_distinct=confirm_distinct
        )

    return _record


@pytest.fixture
def rate(monitor):
    """Rate a promise (defaults: dated 2024-01-10, one evidence link)."""

    def _rate(promise, status, actor=None, **overrides):
        values = {
            "status": status,
            "changed_on": date(2024, 1, 10),
            "explanation": "Budget line adopted.",
            "evidence": list(EVIDENCE),
            "broken_reason": "no_majority" if status == "broken" else None,
        }
        values.update(overrides)
        return svc.change_status(actor or monitor, promise.id, **values)

    return _rate


def commit():
    db.session.commit()
