"""Petition progress milestones (25%, 50%, ... of the required signatures).

Used to announce progress once per milestone: only milestones crossed by this
change are returned, so re-running with the same counts announces nothing.
All comparisons are integer-exact (count x 100 against percent x required).
"""

from collections.abc import Sequence
from typing import Final

from recall.rules.numbers import check_count, is_int

DEFAULT_MILESTONES: Final = (25, 50, 75, 100)


def crossed_milestones(
    previous_count: int,
    new_count: int,
    required: int,
    milestones: Sequence[int] = DEFAULT_MILESTONES,
) -> list[int]:
    """Percent milestones newly reached when the count rises.

    Contract: milestone m is crossed when previous_count was below m% of
    ``required`` and new_count is at or above it. Returns them ascending,
    without repeats; an unchanged or falling count (e.g. signatures rejected
    after checking) returns []. Counts >= 0, ``required`` > 0, milestones
    positive ints (values above 100 are allowed, e.g. 110 for a safety
    margin), else ValueError.
    """
    check_count("previous_count", previous_count)
    check_count("new_count", new_count)
    check_count("required", required)
    if required == 0:
        raise ValueError("required must be positive")
    for m in milestones:
        if not is_int(m) or m <= 0:
            raise ValueError("milestones must be positive ints")
    if new_count <= previous_count:
        return []
    return sorted(
        m for m in set(milestones) if previous_count * 100 < m * required <= new_count * 100
    )


def threshold_met(count: int, required: int) -> bool:
    """True when ``count`` >= ``required`` (both non-negative ints)."""
    check_count("count", count)
    check_count("required", required)
    return count >= required
