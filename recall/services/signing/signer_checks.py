"""What a signer types, checked the same way online, on paper and on appeals: the full name,
the IIN (check digit, birth date, age on the day of signing) and the consent to processing."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _

from recall.errors import Invalid
from recall.rules.eligibility import ADULT_AGE, is_adult
from recall.rules.iin import CODE_BIRTH_DATE, CODE_CHECKSUM, IinInfo, InvalidIIN, age_on, parse_iin

# Older than anyone alive: the IIN format allows births in the 1800s, a living signer does not.
MAX_AGE = 120
NAME_MIN, NAME_MAX = 2, 200

# Latin, Russian and Kazakh letters; words joined by single spaces, hyphens or apostrophes.
_LETTERS = "A-Za-zА-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі"
_NAME = re.compile(rf"[{_LETTERS}]+(?:(?: |-|'|’|ʼ)[{_LETTERS}]+)*")


def check_full_name(value: str | None, field: str = "full_name") -> str:
    """Return the name with spaces tidied, or raise ``Invalid``: letters (Latin, Russian, Kazakh),
    single spaces, hyphens and apostrophes, 2 to 200 characters."""
    name = " ".join((value or "").split())
    if not name:
        raise Invalid(_("Enter your full name."), field=field)
    if len(name) < NAME_MIN or len(name) > NAME_MAX:
        raise Invalid(
            _(
                "The full name must be between %(min)d and %(max)d characters.",
                min=NAME_MIN,
                max=NAME_MAX,
            ),
            field=field,
        )
    if not _NAME.fullmatch(name):
        raise Invalid(
            _(
                "The full name may contain only letters (Kazakh, Russian or Latin), spaces, hyphens "
                "and apostrophes."
            ),
            field=field,
        )
    return name


def check_iin(value: str | None, today: date, field: str = "iin", *, adult: bool = True) -> IinInfo:
    """Parse an IIN (spaces ignored) and check the signer is of age (18 to 120) on ``today``; raise ``Invalid``.

    ``adult`` False leaves the age of 18 out (an initiative group member's age is part of the
    check the commission sees, not a refusal)."""
    raw = "".join(str(value or "").split())
    if not raw:
        raise Invalid(_("Enter your IIN (12 digits)."), field=field)
    try:
        info = parse_iin(raw, today=today)
    except InvalidIIN as exc:
        if exc.code == CODE_CHECKSUM:
            raise Invalid(
                _("This IIN is not valid: please check that every digit is typed correctly."),
                field=field,
            ) from None
        if exc.code == CODE_BIRTH_DATE:
            raise Invalid(
                _("This IIN does not contain a valid date of birth."), field=field
            ) from None
        raise Invalid(_("The IIN must be exactly 12 digits."), field=field) from None
    if age_on(info.birth_date, today) > MAX_AGE:
        raise Invalid(_("This IIN does not contain a valid date of birth."), field=field)
    if adult and not is_adult(info.birth_date, today):
        raise Invalid(
            _("You must be at least %(age)d years old on the day of signing.", age=ADULT_AGE),
            field=field,
        )
    return info


def check_consent(consent: bool | None) -> None:
    """``Invalid`` (field ``consent``) unless the signer agreed to the processing of their data
    (recall and appeal signing alike)."""
    if consent is not True:
        raise Invalid(
            _("Please agree to the processing of your personal data to sign."), field="consent"
        )
