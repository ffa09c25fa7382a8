"""Tests for recall.rules.scorecard: DOMAIN.md section 5."""

from fractions import Fraction
from typing import Any

import pytest

from recall.rules.scorecard import PROMISE_STATUSES, RATED_STATUSES, scorecard

ZEROS = dict.fromkeys(PROMISE_STATUSES, 0)


def test_status_lists() -> None:
    assert PROMISE_STATUSES == (
        "not_yet_rated",
        "in_the_works",
        "stalled",
        "compromise",
        "kept",
        "broken",
    )
    assert RATED_STATUSES == ("in_the_works", "stalled", "compromise", "kept", "broken")


def test_no_promises() -> None:
    card = scorecard({})
    assert dict(card.counts) == ZEROS
    assert list(card.counts) == list(PROMISE_STATUSES)
    assert (card.total, card.rated, card.kept, card.kept_share) == (0, 0, 0, None)
    assert card.formula == "kept share: no rated promises yet (0 not yet rated)"


def test_none_rated() -> None:
    card = scorecard({"not_yet_rated": 3})
    assert (card.total, card.rated, card.kept, card.kept_share) == (3, 0, 0, None)
    assert card.formula == "kept share: no rated promises yet (3 not yet rated)"


def test_all_broken() -> None:
    card = scorecard({"broken": 4})
    assert (card.total, card.rated, card.kept) == (4, 4, 0)
    assert card.kept_share == Fraction(0)
    assert card.kept_share is not None
    assert card.formula == "kept share = kept / rated = 0 / 4"


def test_mixed() -> None:
    card = scorecard(
        {
            "kept": 3,
            "broken": 2,
            "compromise": 1,
            "stalled": 1,
            "in_the_works": 1,
            "not_yet_rated": 2,
        }
    )
    assert dict(card.counts) == {
        "not_yet_rated": 2,
        "in_the_works": 1,
        "stalled": 1,
        "compromise": 1,
        "kept": 3,
        "broken": 2,
    }
    assert (card.total, card.rated, card.kept) == (10, 8, 3)
    assert card.kept_share == Fraction(3, 8)
    assert card.formula == "kept share = kept / rated = 3 / 8"


def test_all_kept() -> None:
    assert scorecard({"kept": 5, "not_yet_rated": 7}).kept_share == Fraction(1)


def test_counts_are_read_only() -> None:
    card = scorecard({"kept": 1})
    with pytest.raises(TypeError):
        card.counts["kept"] = 2  # type: ignore[index]


@pytest.mark.parametrize(
    "counts",
    [
        {"fulfilled": 1},
        {"Kept": 1},
        {"kept": -1},
        {"kept": 1.0},
        {"kept": True},
        {"kept": "3"},
    ],
)
def test_bad_counts_raise(counts: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        scorecard(counts)
