"""Kazakh IIN (individual identification number): parse, check, mask, build.

The IIN is 12 digits: ``YYMMDD`` birth date, one digit for century and sex,
a 4-digit serial and a check digit (DOMAIN.md section 2). It reveals birth date
and sex, so it is personal data: nothing in this module puts the number into an
exception message or a ``repr``, so it cannot leak into logs by accident.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from recall.rules.numbers import is_int

Sex = Literal["male", "female"]

# Machine codes carried by InvalidIIN.code; callers map them to translated text.
CODE_FORMAT: Final = "format"
CODE_CHECKSUM: Final = "checksum"
CODE_BIRTH_DATE: Final = "birth_date"

# Plain-English messages, one per code. They are constants (not built from the
# input) so that translation catalogues can key on them and no IIN is echoed.
MSG_FORMAT: Final = "An IIN must be exactly 12 digits."
MSG_CHECKSUM: Final = "This IIN is not valid. Please check that every digit is typed correctly."
MSG_BIRTH_DATE: Final = "This IIN does not contain a valid date of birth."

MESSAGES: Final[dict[str, str]] = {
    CODE_FORMAT: MSG_FORMAT,
    CODE_CHECKSUM: MSG_CHECKSUM,
    CODE_BIRTH_DATE: MSG_BIRTH_DATE,
}

MASK_PREFIX: Final = "********"

# Check-digit weights (DOMAIN.md section 2): first pass 1..11; when that gives
# 10, a second pass with the weights rotated by two.
_WEIGHTS_FIRST: Final = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_SECOND: Final = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# Century/sex digit -> (first year of the century, sex). Odd male, even female.
_CENTURY_SEX: Final[dict[int, tuple[int, Sex]]] = {
    1: (1800, "male"),
    2: (1800, "female"),
    3: (1900, "male"),
    4: (1900, "female"),
    5: (2000, "male"),
    6: (2000, "female"),
}

# ASCII digits only: str.isdigit() would also accept e.g. Arabic-Indic digits
# or superscripts, which int() may or may not read and no IIN contains.
_TWELVE_DIGITS: Final = re.compile(r"[0-9]{12}")
_ELEVEN_DIGITS: Final = re.compile(r"[0-9]{11}")
_FOUR_DIGITS: Final = re.compile(r"[0-9]{4}")


class InvalidIIN(ValueError):
    """An IIN failed validation.

    ``code`` is one of ``format``, ``checksum``, ``birth_date``; ``message`` is
    the matching plain-English text from :data:`MESSAGES`. Neither contains the
    number that was checked.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IinInfo:
    """What a valid IIN tells us. ``repr`` is masked: it is personal data."""

    iin: str
    birth_date: date
    sex: Sex
    last4: str

    def __repr__(self) -> str:
        return f"IinInfo(iin={MASK_PREFIX + self.last4!r})"


def hash_reference(iin_hash: str) -> str:
    """A short name of a voter for people comparing rows: the first 8 hex digits of the keyed hash.

    Two rows of one voter (a signature and its roll entry) show the same reference; without
    ``IIN_HASH_KEY`` nothing of the IIN follows from it, unlike its last digits, which with the
    birth date leave two or three candidates.
    """
    return iin_hash[:8]


def check_digit(first11: str) -> int | None:
    """Return the check digit for the first 11 digits of an IIN.

    Contract: ``first11`` must be exactly 11 ASCII digits (else ValueError).
    Returns 0-9, or None when both weighting passes give 10, which means no
    IIN with these first 11 digits is issued.
    """
    if not isinstance(first11, str) or not _ELEVEN_DIGITS.fullmatch(first11):
        raise ValueError("check_digit needs exactly 11 ASCII digits")
    digits = [int(c) for c in first11]
    r = sum(d * w for d, w in zip(digits, _WEIGHTS_FIRST, strict=False)) % 11
    if r == 10:
        r = sum(d * w for d, w in zip(digits, _WEIGHTS_SECOND, strict=False)) % 11
        if r == 10:
            return None
    return r


def parse_iin(value: str, today: date | None = None) -> IinInfo:
    """Validate an IIN and return what it encodes.

    Contract: surrounding whitespace is stripped, nothing else (inner spaces
    or dashes make it invalid). Checks run in this order and the first failure
    raises :class:`InvalidIIN`:

    * ``format``: not exactly 12 ASCII digits;
    * ``checksum``: the 12th digit is not the check digit, or the number is of
      the never-issued kind (both weighting passes give 10);
    * ``birth_date``: century digit not 1-6, ``YYMMDD`` not a real date, or
      (only when ``today`` is given) a birth date after ``today``.

    The checksum is checked before the date because a wrong check digit is
    almost always a typo, and "check your digits" is then the useful message.
    ``today`` is a parameter, not read from the clock, to keep this pure.
    """
    if not isinstance(value, str):
        raise TypeError("parse_iin expects a str")
    iin = value.strip()
    if not _TWELVE_DIGITS.fullmatch(iin):
        raise InvalidIIN(CODE_FORMAT, MSG_FORMAT)
    expected = check_digit(iin[:11])
    if expected is None or expected != int(iin[11]):
        raise InvalidIIN(CODE_CHECKSUM, MSG_CHECKSUM)
    century_sex = _CENTURY_SEX.get(int(iin[6]))
    if century_sex is None:
        raise InvalidIIN(CODE_BIRTH_DATE, MSG_BIRTH_DATE)
    century, sex = century_sex
    try:
        born = date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        # Raised without chaining detail: date()'s message is not for people.
        raise InvalidIIN(CODE_BIRTH_DATE, MSG_BIRTH_DATE) from None
    if today is not None and born > today:
        raise InvalidIIN(CODE_BIRTH_DATE, MSG_BIRTH_DATE)
    return IinInfo(iin=iin, birth_date=born, sex=sex, last4=iin[8:])


def age_on(birth_date: date, on: date) -> int:
    """Full years of age on the date ``on``.

    Contract: ``on`` must not be before ``birth_date`` (ValueError). Someone
    born on 29 February turns a year older on 1 March in common years: the
    birthday has not happened while (month, day) is before (2, 29), and in a
    common year 28 February still is.
    """
    if on < birth_date:
        raise ValueError("age_on: 'on' is before the birth date")
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def mask_iin(iin: str) -> str:
    """Return ``'********'`` followed by the last four digits of an IIN.

    Contract: accepts a full IIN (12 ASCII digits) or just its last four
    digits (4 ASCII digits, which is all the database keeps), surrounding
    whitespace stripped; anything else raises InvalidIIN(``format``). The
    checksum is not re-checked: masking is for display of numbers already
    accepted. Refusing other input, rather than masking whatever comes, keeps
    a mistaken call from showing more than four digits of something.
    """
    if not isinstance(iin, str):
        raise TypeError("mask_iin expects a str")
    stripped = iin.strip()
    if not (_TWELVE_DIGITS.fullmatch(stripped) or _FOUR_DIGITS.fullmatch(stripped)):
        raise InvalidIIN(CODE_FORMAT, MSG_FORMAT)
    return MASK_PREFIX + stripped[-4:]


def make_iin(birth_date: date, sex: Sex, serial: int) -> str:
    """Build a valid IIN for tests and demo data.

    Contract: ``birth_date`` year 1800-2099, ``sex`` 'male' or 'female',
    ``serial`` 0-9999 (else ValueError). If the requested serial gives a
    never-issued number (both passes give 10), the next serial is tried,
    wrapping 9999 -> 0, so the returned IIN's serial (digits 8-11) may differ
    from the one asked for. The result always passes :func:`parse_iin`.
    """
    if sex not in ("male", "female"):
        raise ValueError("sex must be 'male' or 'female'")
    if not is_int(serial):
        raise ValueError("serial must be an int")
    if not 0 <= serial <= 9999:
        raise ValueError("serial must be 0-9999")
    century = birth_date.year // 100 * 100
    century_digit = next(
        (d for d, (c, s) in _CENTURY_SEX.items() if c == century and s == sex),
        None,
    )
    if century_digit is None:
        raise ValueError("birth year must be 1800-2099")
    head = f"{birth_date:%y%m%d}{century_digit}"
    # At most a handful of serials in a row are unissuable; 10,000 bounds it.
    for step in range(10_000):
        first11 = f"{head}{(serial + step) % 10_000:04d}"
        digit = check_digit(first11)
        if digit is not None:
            return f"{first11}{digit}"
    raise AssertionError("unreachable: some serial always has a check digit")
