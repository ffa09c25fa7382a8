"""Seat rules of body kinds (recall/rules/seats.py)."""

from recall.rules.seats import list_seats_for, seat_rule_problem


def test_list_seats_round_half_up_as_the_kazakh_bodies_have_them():
    assert list_seats_for(98, 70) == 69  # the Mazhilis: 68.6 -> 69
    assert list_seats_for(32, 50) == 16  # an oblast maslikhat
    assert list_seats_for(33, 50) == 17  # 16.5 -> 17
    assert list_seats_for(15, 0) == 0  # a district maslikhat


def test_seat_rule_problem_names_what_is_wrong():
    assert seat_rule_problem(98, 69, 70) is None
    assert seat_rule_problem(98, 68, 70) == (
        "the kind elects 70% of seats by party list: 69 of 98, not 68"
    )
    assert seat_rule_problem(15, 1, 0) is not None
    assert seat_rule_problem(650, 0, None) is None  # no seat rule: any split
    assert seat_rule_problem(10, 11, None) is not None
    assert seat_rule_problem(0, 0, None) is not None
