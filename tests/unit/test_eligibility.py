"""The one age rule shared by signing and verification."""

from datetime import date

import pytest

from recall.rules.eligibility import ADULT_AGE, is_adult


@pytest.mark.parametrize(
    ("born", "on", "expected"),
    [
        (date(2008, 5, 10), date(2026, 5, 9), False),  # the day before the 18th birthday
        (date(2008, 5, 10), date(2026, 5, 10), True),  # the birthday itself
        (date(2008, 2, 29), date(2026, 2, 28), False),  # leapling: not yet in a common year
        (date(2008, 2, 29), date(2026, 3, 1), True),
        (date(1950, 1, 1), date(2026, 1, 1), True),
        (date(2027, 1, 1), date(2026, 1, 1), False),  # not born yet: no error
    ],
)
def test_is_adult(born: date, on: date, expected: bool) -> None:
    assert is_adult(born, on) is expected


def test_adult_age_is_the_voting_age() -> None:
    assert ADULT_AGE == 18
