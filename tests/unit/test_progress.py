"""Rows, rate and time left of a long task (recall/rules/progress.py)."""

from recall.rules.progress import clock, estimate


def test_time_left_follows_the_pace_so_far():
    est = estimate(250_000, 10.0, fraction=0.25)
    assert est.rate == 25_000
    assert est.percent == 25
    assert est.seconds_left == 30.0
    assert estimate(500, 5.0, total=1000).seconds_left == 5.0


def test_nothing_is_guessed_before_there_is_work_to_divide():
    assert estimate(0, 0.0, fraction=0.0).rate is None
    assert estimate(0, 3.0, fraction=0.0).seconds_left is None
    assert estimate(10, 3.0).percent is None and estimate(10, 3.0).seconds_left is None
    assert estimate(10, 3.0, fraction=1.5).seconds_left == 0.0


def test_clock():
    assert (clock(0), clock(61.4), clock(3725)) == ("0:00", "1:01", "1:02:05")
