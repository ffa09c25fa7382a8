"""Tests for recall.rules.milestones."""

from typing import Any

import pytest

from recall.rules.milestones import crossed_milestones, threshold_met


@pytest.mark.parametrize(
    ("previous", "new", "required", "expected"),
    [
        (0, 250, 1_000, [25]),
        (0, 249, 1_000, []),
        (249, 250, 1_000, [25]),
        (250, 251, 1_000, []),  # 25% was already reached
        (0, 1_000, 1_000, [25, 50, 75, 100]),
        (0, 5_000, 1_000, [25, 50, 75, 100]),
        (740, 760, 1_000, [75]),
        (999, 1_000, 1_000, [100]),
        (1_000, 1_200, 1_000, []),
        # 25% of 7,001 is 1,750.25: 1,750 is short of it, 1,751 reaches it.
        (0, 1_750, 7_001, []),
        (1_750, 1_751, 7_001, [25]),
        (0, 1, 1, [25, 50, 75, 100]),
        (500, 400, 1_000, []),  # falling count
        (500, 500, 1_000, []),  # unchanged
    ],
)
def test_crossed_milestones(previous: int, new: int, required: int, expected: list[int]) -> None:
    assert crossed_milestones(previous, new, required) == expected


def test_custom_milestones_sorted_and_unique() -> None:
    assert crossed_milestones(0, 1_100, 1_000, milestones=(110, 10, 10, 50)) == [10, 50, 110]
    assert crossed_milestones(1_000, 1_100, 1_000, milestones=(100, 110)) == [110]


@pytest.mark.parametrize(
    ("previous", "new", "required", "milestones"),
    [
        (0, 1, 0, (25,)),
        (-1, 1, 10, (25,)),
        (0, -1, 10, (25,)),
        (0, 1, 10, (0,)),
        (0, 1, 10, (25.0,)),
        (0, 1, True, (25,)),
    ],
)
def test_crossed_milestones_rejects_bad_input(
    previous: int, new: int, required: int, milestones: Any
) -> None:
    with pytest.raises(ValueError):
        crossed_milestones(previous, new, required, milestones)


@pytest.mark.parametrize(
    ("count", "required", "expected"),
    [
        (0, 0, True),
        (0, 1, False),
        (6_999, 7_000, False),
        (7_000, 7_000, True),
        (7_001, 7_000, True),
    ],
)
def test_threshold_met(count: int, required: int, expected: bool) -> None:
    assert threshold_met(count, required) is expected


@pytest.mark.parametrize(("count", "required"), [(-1, 1), (1, -1), (1.0, 1), (True, 1)])
def test_threshold_met_rejects_bad_input(count: Any, required: Any) -> None:
    with pytest.raises(ValueError):
        threshold_met(count, required)
