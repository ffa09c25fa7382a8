"""A monthly report card: a scorecard now and a month ago, the changes, and rankings by share kept.

Pure: no database, no Flask. Counts per promise status come in, as for :mod:`scorecard`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date

from recall.rules.scorecard import PROMISE_STATUSES, Scorecard, scorecard


@dataclass(frozen=True)
class ReportCard:
    """``now`` at the end of the month, ``before`` at the end of the month before it."""

    now: Scorecard
    before: Scorecard

    @property
    def changes(self) -> dict[str, int]:
        """Per status, how many more (or fewer) promises it has than a month before."""
        return {s: self.now.counts[s] - self.before.counts[s] for s in PROMISE_STATUSES}

    @property
    def in_the_works(self) -> int:
        return self.now.counts["in_the_works"]

    @property
    def broken(self) -> int:
        return self.now.counts["broken"]


def report_card(now: Mapping[str, int], before: Mapping[str, int]) -> ReportCard:
    """The card from per-status counts at the end of the month and of the month before."""
    return ReportCard(now=scorecard(now), before=scorecard(before))


@dataclass(frozen=True)
class Ranked:
    rank: int | None  # None: nothing rated, so no share to rank by
    key: Hashable
    card: Scorecard


def rank_by_kept_share(rows: list[tuple[Hashable, Scorecard]]) -> list[Ranked]:
    """Rank by kept share (highest first); equal shares share a rank and are ordered by more
    promises rated, so 1 of 1 does not look like 10 of 10 without the counts shown beside it.
    Rows with nothing rated come last, unranked."""
    rated = [(k, c) for k, c in rows if c.kept_share is not None]
    rated.sort(key=lambda kc: (-kc[1].kept_share, -kc[1].rated))
    ranked: list[Ranked] = []
    for position, (key, card) in enumerate(rated, start=1):
        same = ranked and ranked[-1].card.kept_share == card.kept_share
        ranked.append(Ranked(ranked[-1].rank if same else position, key, card))
    ranked += [Ranked(None, k, c) for k, c in rows if c.kept_share is None]
    return ranked


def month_of(text: str | None, today: date) -> date:
    """The first day of the month ``YYYY-MM`` (``today``'s month when empty). ValueError for a
    malformed month or one after ``today``'s."""
    if not text:
        return today.replace(day=1)
    year, _, month = text.partition("-")
    if not (len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit()):
        raise ValueError(f"not a month: {text!r}")
    first = date(int(year), int(month), 1)  # ValueError for month 13
    if first > today:
        raise ValueError("a month in the future")
    return first


def previous_month(first: date) -> date:
    return date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1)


def next_month(first: date) -> date:
    return date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
