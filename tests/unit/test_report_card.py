"""The monthly report card's arithmetic (recall/rules/report_card.py)."""

from __future__ import annotations

from datetime import date

import pytest

from recall.rules.report_card import (
    month_of,
    next_month,
    previous_month,
    rank_by_kept_share,
    report_card,
)
from recall.rules.scorecard import scorecard


def test_changes_since_last_month():
    card = report_card(
        {"kept": 3, "broken": 1, "in_the_works": 2},
        {"kept": 1, "in_the_works": 3, "not_yet_rated": 1},
    )
    assert card.changes["kept"] == 2 and card.changes["broken"] == 1
    assert card.changes["in_the_works"] == -1 and card.changes["not_yet_rated"] == -1
    assert (card.now.kept, card.broken, card.in_the_works) == (3, 1, 2)


def test_rankings_by_kept_share_with_ties_and_unrated_last():
    rows = [
        ("one of one", scorecard({"kept": 1})),
        ("nothing rated", scorecard({"not_yet_rated": 4})),
        ("half", scorecard({"kept": 2, "broken": 2})),
        ("ten of ten", scorecard({"kept": 10})),
        ("also half", scorecard({"kept": 1, "stalled": 1})),
    ]
    ranked = rank_by_kept_share(rows)
    assert [(r.rank, r.key) for r in ranked] == [
        (1, "ten of ten"),
        (1, "one of one"),
        (3, "half"),
        (3, "also half"),
        (None, "nothing rated"),
    ]


def test_months():
    today = date(2026, 12, 3)
    assert month_of("", today) == date(2026, 12, 1)
    assert month_of("2026-01", today) == date(2026, 1, 1)
    for bad in ("2026-13", "26-01", "2026-1", "2027-01", "x"):
        with pytest.raises(ValueError):
            month_of(bad, today)
    assert previous_month(date(2026, 1, 1)) == date(2025, 12, 1)
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
