"""Whole numbers from untyped input: bools are never numbers."""

from decimal import Decimal

import pytest

from recall.rules.numbers import check_count, int_or_none, is_int


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, True), (-3, True), (7, True), (True, False), (False, False), (1.0, False), ("1", False)],
)
def test_is_int(value, expected) -> None:
    assert is_int(value) is expected


def test_check_count_refuses_bools_negatives_and_non_ints() -> None:
    check_count("n", 0)
    for value, message in ((True, "n must be an int"), (2.0, "n must be an int"), (-1, "negative")):
        with pytest.raises(ValueError, match=message):
            check_count("n", value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12),
        (" 42 ", 42),
        ("007", 7),
        (True, None),
        ("true", None),
        ("-1", None),
        ("1.5", None),
        ("²", None),  # str.isdigit() says yes, int() refuses it
        (Decimal(3), None),
        (None, None),
        ("", None),
    ],
)
def test_int_or_none(value, expected) -> None:
    assert int_or_none(value) == expected
