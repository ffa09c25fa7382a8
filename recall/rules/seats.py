"""Seat rules of body kinds: how many of a body's seats are elected by party list."""

from __future__ import annotations


def list_seats_for(seats_total: int, list_seats_percent: int) -> int:
    """The party-list seats a law giving ``list_seats_percent`` % of ``seats_total`` to lists
    means, half seats rounded up (98 seats at 70 %: 68.6 -> 69, as the Mazhilis has)."""
    return (seats_total * list_seats_percent * 2 + 100) // 200


def seat_rule_problem(
    seats_total: int, seats_party_list: int, list_seats_percent: int | None
) -> str | None:
    """Why the seat counts break the kind's seat rule, or None when they keep it (or there is none)."""
    if seats_total < 1:
        return "a body has at least one seat"
    if not 0 <= seats_party_list <= seats_total:
        return "party-list seats must be between 0 and the number of seats"
    if list_seats_percent is None:
        return None
    expected = list_seats_for(seats_total, list_seats_percent)
    if seats_party_list != expected:
        return (
            f"the kind elects {list_seats_percent}% of seats by party list: "
            f"{expected} of {seats_total}, not {seats_party_list}"
        )
    return None
