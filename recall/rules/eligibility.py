"""Who may sign: one age rule for signing (refused at the form) and verification (``under_age``).

Pure: no database, no Flask. The SQL check in ``recall.services.verification.checks`` uses
``ADULT_AGE`` with the same birthday convention as ``recall.rules.iin.age_on``.
"""

from datetime import date
from typing import Final, Literal

from recall.rules.iin import age_on

#: Full years of age a signer must have on the day of signing (the voting age).
ADULT_AGE: Final = 18


def is_adult(birth_date: date, on_day: date) -> bool:
    """True when someone born on ``birth_date`` is ``ADULT_AGE`` or older on ``on_day``.

    Someone not yet born on ``on_day`` is not an adult (no error). Born on 29 February: a year
    older on 1 March in common years, as ``age_on`` counts.
    """
    return on_day >= birth_date and age_on(birth_date, on_day) >= ADULT_AGE


# The check of an initiative group member (issue 10: the group is made of voters of the
# district). Only ``eligible`` members count toward the rule's minimum group size.
GroupMemberCheck = Literal["eligible", "no_iin", "under_age", "not_on_roll", "other_district"]
GROUP_MEMBER_CHECKS: Final = ("eligible", "no_iin", "under_age", "not_on_roll", "other_district")


def group_member_check(
    birth_date: date | None,
    on_day: date,
    *,
    roll_active: bool,
    roll_district: int | None,
    district_number: int,
) -> GroupMemberCheck:
    """Whether a group member is a voter of the petition's district on ``on_day``.

    ``birth_date`` comes from the member's IIN (None: no IIN given yet; its checksum was checked
    when it was given). ``roll_active``: a roll covering the district is in force on the day, in
    which case the member must be on it (``roll_district``: the district number their IIN is
    registered in on that roll, None when absent) in ``district_number``. Without a roll the
    age is all that can be checked. First failure wins: no_iin, under_age, not_on_roll,
    other_district.
    """
    if birth_date is None:
        return "no_iin"
    if not is_adult(birth_date, on_day):
        return "under_age"
    if roll_active:
        if roll_district is None:
            return "not_on_roll"
        if roll_district != district_number:
            return "other_district"
    return "eligible"
