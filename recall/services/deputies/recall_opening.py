"""Telling a deputy's followers when a recall can be opened (issue 10).

The deputy page says from when a recall can be opened (the rule's lock-outs against the term,
``recall_rules.deputy_eligibility``). When that day comes, the periodic task
``deputies.announce_recall_openable`` records ``deputy.recall_openable`` through the outbox once
per window (the deputy keeps the announced opening day); the notification rules send it to the
deputy's followers and the webhooks. Only windows that opened in the last ``GRACE_DAYS`` are
announced: a task that was down catches up, and the first run does not announce every serving
deputy whose window opened years ago.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Body, Deputy, DeputyStatus
from recall.services.outbox import record_event
from recall.services.rules.recall_rules import deputy_eligibility, rule_in_force

GRACE_DAYS = 7


def announce_recall_openable(now: datetime) -> int:
    """Record ``deputy.recall_openable`` for every deputy whose recall window opened in the last
    ``GRACE_DAYS`` and was not announced yet; returns how many. Flushes, commits nothing."""
    today = now.date()  # the day deputy_eligibility judges on
    announced = 0
    for body in db.session.scalars(sa.select(Body).order_by(Body.id)):
        rule = rule_in_force(body)
        if rule is None:
            continue
        latest = today - timedelta(days=rule.lockout_first_days)
        candidates = db.session.scalars(
            sa.select(Deputy)
            .where(
                Deputy.body_id == body.id,
                Deputy.status == DeputyStatus.SERVING,
                Deputy.term_start <= latest,
                Deputy.term_start >= latest - timedelta(days=GRACE_DAYS),
            )
            .order_by(Deputy.id)
            .with_for_update(skip_locked=True)
        )
        for deputy in candidates:
            eligibility = deputy_eligibility(deputy, rule, today)
            opens_on = eligibility.opens_on
            if not eligibility.allowed or opens_on is None:
                continue
            if deputy.recall_openable_announced_on == opens_on:
                continue
            deputy.recall_openable_announced_on = opens_on
            payload = {"deputy_id": deputy.id, "opens_on": opens_on.isoformat()}
            if eligibility.open_until:
                payload["open_until"] = eligibility.open_until.isoformat()
            record_event("deputy.recall_openable", "deputy", deputy.id, payload)
            announced += 1
    db.session.flush()
    return announced
