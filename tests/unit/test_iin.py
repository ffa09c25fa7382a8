"""Tests for recall.rules.iin: DOMAIN.md section 2."""

from datetime import date

import pytest

from recall.rules.iin import (
    MESSAGES,
    IinInfo,
    InvalidIIN,
    age_on,
    check_digit,
    make_iin,
    mask_iin,
    parse_iin,
)


def with_check(first11: str) -> str:
    """Complete 11 digits into a number whose check digit is right."""
    digit = check_digit(first11)
    assert digit is not None, "test data must be issuable"
    return first11 + str(digit)


# ------------------------------------------------------------ valid numbers


@pytest.mark.parametrize(
    ("value", "born", "sex", "last4"),
    [
        ("061211600012", date(2006, 12, 11), "female", "0012"),
        ("791028302728", date(1979, 10, 28), "male", "2728"),
        # First weighting pass gives 10, second pass gives 1.
        ("900101300811", date(1990, 1, 1), "male", "0811"),
        # Century digits at both ends of 1-6; 2000 is a leap year.
        (with_check("9602291" + "0001"), date(1896, 2, 29), "male", None),
        (with_check("0002296" + "0001"), date(2000, 2, 29), "female", None),
    ],
)
def test_parse_valid(value: str, born: date, sex: str, last4: str | None) -> None:
    info = parse_iin(value)
    assert info == IinInfo(iin=value, birth_date=born, sex=sex, last4=value[8:])  # type: ignore[arg-type]
    if last4 is not None:
        assert info.last4 == last4


def test_parse_strips_surrounding_whitespace_only() -> None:
    assert parse_iin(" \t061211600012\n").iin == "061211600012"
    with pytest.raises(InvalidIIN) as exc:
        parse_iin("061211 600012")
    assert exc.value.code == "format"


@pytest.mark.parametrize("value", ["980109050588", "991223050176"])
def test_domain_examples_with_century_digit_zero(value: str) -> None:
    # DOMAIN.md lists these as valid. Their check digits are right, but the
    # century digit is 0, which encodes neither century nor sex, so no birth
    # date (hence no age) can be read: parse_iin refuses them by design.
    assert value[6] == "0"
    assert check_digit(value[:11]) == int(value[11])
    with pytest.raises(InvalidIIN) as exc:
        parse_iin(value)
    assert exc.value.code == "birth_date"


# ----------------------------------------------------------------- failures


@pytest.mark.parametrize(
    "value",
    [
        "",
        "06121160001",  # 11 digits
        "0612116000120",  # 13 digits
        "06121160001a",
        "0612-1160001",
        "０６１２１１６０００１２",  # full-width digits
        "٠٦١٢١١٦٠٠٠١٢",  # Arabic-Indic digits
        "+61211600012",
    ],
)
def test_format_errors(value: str) -> None:
    with pytest.raises(InvalidIIN) as exc:
        parse_iin(value)
    assert exc.value.code == "format"
    assert exc.value.message == MESSAGES["format"]


@pytest.mark.parametrize("last", [d for d in "0123456789" if d != "2"])
def test_wrong_check_digit(last: str) -> None:
    with pytest.raises(InvalidIIN) as exc:
        parse_iin("06121160001" + last)
    assert exc.value.code == "checksum"


@pytest.mark.parametrize("last", list("0123456789"))
def test_never_issued_number_is_a_checksum_error(last: str) -> None:
    # Both passes give 10 for these first 11 digits: no check digit fits.
    assert check_digit("90010130080") is None
    with pytest.raises(InvalidIIN) as exc:
        parse_iin("90010130080" + last)
    assert exc.value.code == "checksum"


def test_checksum_is_checked_before_birth_date() -> None:
    # Month 13 and a wrong check digit: the typo message wins.
    first11 = "9013013" + "0001"
    wrong = (check_digit(first11) or 0) + 1
    with pytest.raises(InvalidIIN) as exc:
        parse_iin(first11 + str(wrong % 10))
    assert exc.value.code == "checksum"


@pytest.mark.parametrize(
    "first11",
    [
        "9001010" + "0001",  # century digit 0
        "9001017" + "0001",  # century digit 7
        "9001018" + "0001",
        "9001019" + "0001",
        "9013013" + "0001",  # month 13
        "9000013" + "0001",  # month 0
        "9001003" + "0001",  # day 0
        "9002303" + "0001",  # 30 February
        "9004313" + "0001",  # 31 April
        "0002291" + "0001",  # 1800 was not a leap year
        "0002293" + "0001",  # nor was 1900
        "0102295" + "0001",  # nor was 2001
    ],
)
def test_birth_date_errors(first11: str) -> None:
    with pytest.raises(InvalidIIN) as exc:
        parse_iin(with_check(first11))
    assert exc.value.code == "birth_date"
    assert exc.value.message == MESSAGES["birth_date"]


def test_birth_date_in_the_future_relative_to_today() -> None:
    value = make_iin(date(2030, 5, 1), "female", 1)
    assert parse_iin(value).birth_date == date(2030, 5, 1)  # no today: no check
    assert parse_iin(value, today=date(2030, 5, 1)).birth_date == date(2030, 5, 1)
    with pytest.raises(InvalidIIN) as exc:
        parse_iin(value, today=date(2030, 4, 30))
    assert exc.value.code == "birth_date"


def test_errors_are_value_errors_and_never_echo_the_number() -> None:
    with pytest.raises(ValueError) as exc:
        parse_iin("061211600013")
    assert isinstance(exc.value, InvalidIIN)
    assert "061211600013" not in str(exc.value)
    assert str(exc.value) == MESSAGES["checksum"]


def test_repr_is_masked() -> None:
    assert repr(parse_iin("061211600012")) == "IinInfo(iin='********0012')"


def test_parse_rejects_non_string() -> None:
    with pytest.raises(TypeError):
        parse_iin(61211600012)  # type: ignore[arg-type]


def test_messages_cover_every_code() -> None:
    assert set(MESSAGES) == {"format", "checksum", "birth_date"}


# -------------------------------------------------------------- check digit


@pytest.mark.parametrize(
    ("first11", "expected"),
    [
        ("06121160001", 2),
        ("79102830272", 8),
        ("98010905058", 8),
        ("99122305017", 6),
        ("90010130081", 1),  # via the second weighting pass
        ("90010130080", None),  # both passes give 10
    ],
)
def test_check_digit(first11: str, expected: int | None) -> None:
    assert check_digit(first11) == expected


@pytest.mark.parametrize("bad", ["0612116000", "061211600012", "0612116000a", ""])
def test_check_digit_needs_eleven_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)


# ---------------------------------------------------------------------- age


@pytest.mark.parametrize(
    ("born", "on", "expected"),
    [
        (date(2006, 12, 11), date(2024, 12, 10), 17),
        (date(2006, 12, 11), date(2024, 12, 11), 18),
        (date(2006, 12, 11), date(2006, 12, 11), 0),
        (date(1979, 10, 28), date(2025, 1, 1), 45),
        # 29 February: a year older on 1 March in common years.
        (date(2004, 2, 29), date(2022, 2, 28), 17),
        (date(2004, 2, 29), date(2022, 3, 1), 18),
        (date(2004, 2, 29), date(2024, 2, 28), 19),
        (date(2004, 2, 29), date(2024, 2, 29), 20),
    ],
)
def test_age_on(born: date, on: date, expected: int) -> None:
    assert age_on(born, on) == expected


def test_age_on_before_birth_is_an_error() -> None:
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


# --------------------------------------------------------------------- mask


def test_mask() -> None:
    assert mask_iin("061211600012") == "********0012"
    assert mask_iin(" 791028302728 ") == "********2728"
    # The database keeps only the last four digits; templates mask those.
    assert mask_iin("0012") == "********0012"


@pytest.mark.parametrize("bad", ["", "012", "00123", "06121160001", "0612116000123", "abcd"])
def test_mask_refuses_non_iin(bad: str) -> None:
    with pytest.raises(InvalidIIN) as exc:
        mask_iin(bad)
    assert exc.value.code == "format"


# --------------------------------------------------------------------- make


@pytest.mark.parametrize(
    ("born", "sex", "serial", "expected"),
    [
        (date(2006, 12, 11), "female", 1, "061211600012"),
        (date(1979, 10, 28), "male", 272, "791028302728"),
        (date(1990, 1, 1), "male", 81, "900101300811"),
        # Serial 80 is never issued for this date/sex: the next one is used.
        (date(1990, 1, 1), "male", 80, "900101300811"),
    ],
)
def test_make_iin_known_values(born: date, sex: str, serial: int, expected: str) -> None:
    assert make_iin(born, sex, serial) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("born", "sex", "century_digit"),
    [
        (date(1850, 6, 1), "male", "1"),
        (date(1899, 12, 31), "female", "2"),
        (date(1900, 1, 1), "male", "3"),
        (date(1999, 7, 15), "female", "4"),
        (date(2000, 2, 29), "male", "5"),
        (date(2099, 12, 31), "female", "6"),
    ],
)
def test_make_iin_round_trips(born: date, sex: str, century_digit: str) -> None:
    for serial in (0, 1234, 9999):
        value = make_iin(born, sex, serial)  # type: ignore[arg-type]
        assert value[6] == century_digit
        info = parse_iin(value)
        assert (info.birth_date, info.sex) == (born, sex)


def test_make_iin_covers_every_serial_of_a_day() -> None:
    born = date(1990, 1, 1)
    values = {make_iin(born, "male", s) for s in range(10_000)}
    # Unissuable serials map onto their successor, so fewer distinct values.
    unissuable = sum(check_digit(f"9001013{s:04d}") is None for s in range(10_000))
    assert unissuable > 0
    assert len(values) == 10_000 - unissuable
    assert all(parse_iin(v).birth_date == born for v in values)


@pytest.mark.parametrize(
    ("born", "sex", "serial"),
    [
        (date(1799, 12, 31), "male", 1),
        (date(2100, 1, 1), "male", 1),
        (date(1990, 1, 1), "other", 1),
        (date(1990, 1, 1), "male", -1),
        (date(1990, 1, 1), "male", 10_000),
        (date(1990, 1, 1), "male", True),
    ],
)
def test_make_iin_rejects_bad_input(born: date, sex: str, serial: int) -> None:
    with pytest.raises(ValueError):
        make_iin(born, sex, serial)  # type: ignore[arg-type]
