from __future__ import annotations

from datetime import UTC, datetime, timedelta

from recall.rules.deadlines import days_left

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_a_started_day_counts_as_one_and_a_past_moment_as_none():
    assert days_left(NOW + timedelta(days=30), NOW) == 30
    assert days_left(NOW + timedelta(hours=3), NOW) == 1
    assert days_left(NOW + timedelta(days=2, seconds=1), NOW) == 3
    assert days_left(NOW, NOW) == 0
    assert days_left(NOW - timedelta(days=5), NOW) == 0
