"""Pure arithmetic of constituent petitions (appeals): the response threshold, the dates a
publication freezes, and how a deputy's answers are classified. No database here."""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

DEFAULT_OPEN_MONTHS = 6
DEFAULT_RESPONSE_DAYS = 30
DEFAULT_THRESHOLD_COUNT = 1000


@dataclass(frozen=True)
class AppealTerms:
    """What a body's settings say (the defaults where an administrator set nothing)."""

    open_months: int = DEFAULT_OPEN_MONTHS
    threshold_count: int | None = DEFAULT_THRESHOLD_COUNT
    threshold_share: Decimal | None = None
    response_days: int = DEFAULT_RESPONSE_DAYS


def required_constituents(terms: AppealTerms, registered_voters: int) -> int:
    """Constituent signatures that oblige an answer: the number set, or the share of the
    registered voters rounded up; never less than one."""
    if terms.threshold_count is not None:
        return max(1, int(terms.threshold_count))
    share = Decimal(terms.threshold_share or 0)
    return max(1, math.ceil(share * Decimal(max(0, registered_voters))))


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months (the last day of a shorter month when needed)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def response_due(reached_at: datetime, response_days: int) -> datetime:
    """When the answer is due: ``response_days`` after the threshold was reached."""
    return reached_at + timedelta(days=response_days)


def threshold_crossed(before: int, after: int, threshold: int | None) -> bool:
    """True only for the one change of a count that reaches ``threshold`` (never again after)."""
    return threshold is not None and before < threshold <= after


ON_TIME, LATE, OVERDUE, PENDING = "on_time", "late", "overdue", "pending"


def answer_timeliness(
    due_at: datetime | None, answered_at: datetime | None, now: datetime
) -> str | None:
    """How an appeal that reached its threshold was answered: on time, late, overdue (no answer
    after the due date) or pending (not yet due); None when nothing was due."""
    if due_at is None:
        return None
    if answered_at is not None:
        return ON_TIME if answered_at <= due_at else LATE
    return OVERDUE if now > due_at else PENDING
