"""The one age rule shared by signing and verification, and the initiative group member check."""

from datetime import date

import pytest

from recall.rules.eligibility import ADULT_AGE, GROUP_MEMBER_CHECKS, group_member_check, is_adult


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


# ------------------------------------------- initiative group members (issue 10)

_DAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("birth", "roll_active", "roll_district", "expected"),
    [
        (None, True, 1, "no_iin"),
        (date(2008, 3, 11), False, None, "under_age"),  # 18 tomorrow
        (date(2008, 3, 11), True, 1, "under_age"),  # age is checked before the roll
        (date(2008, 3, 10), False, None, "eligible"),  # 18 today, no roll: age only
        (date(1980, 1, 1), True, None, "not_on_roll"),
        (date(1980, 1, 1), True, 2, "other_district"),
        (date(1980, 1, 1), True, 1, "eligible"),
        (date(1980, 1, 1), False, 2, "eligible"),  # no roll in force: nothing to compare with
    ],
)
def test_group_member_check(birth, roll_active, roll_district, expected):
    assert (
        group_member_check(
            birth, _DAY, roll_active=roll_active, roll_district=roll_district, district_number=1
        )
        == expected
    )
    assert expected in GROUP_MEMBER_CHECKS
