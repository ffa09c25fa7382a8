"""Promise-tracker scorecard arithmetic (DOMAIN.md section 5).

Statuses follow PolitiFact-style meters. A promise counts as *rated* once it
has any status other than ``not_yet_rated``: "in the works" and "stalled" are
judgements about the promise just as "kept" is, and leaving them out would
let a deputy with one kept promise and twenty stalled ones show 100% kept.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Final

from recall.rules.numbers import is_int

PROMISE_STATUSES: Final = (
    "not_yet_rated",
    "in_the_works",
    "stalled",
    "compromise",
    "kept",
    "broken",
)
RATED_STATUSES: Final = tuple(s for s in PROMISE_STATUSES if s != "not_yet_rated")


@dataclass(frozen=True)
class Scorecard:
    """Counts for one deputy (or any set of promises).

    ``counts`` has every status in :data:`PROMISE_STATUSES` order, zeros
    included, and is read-only. ``kept_share`` = kept / rated, exact, or None
    when nothing is rated (no share is shown rather than a misleading 0%).
    """

    counts: Mapping[str, int]
    total: int
    rated: int
    kept: int
    kept_share: Fraction | None
    formula: str


def scorecard(counts: Mapping[str, int]) -> Scorecard:
    """Build a :class:`Scorecard` from per-status counts.

    Contract: keys must be statuses from :data:`PROMISE_STATUSES` (ValueError
    for anything else, so a typo cannot silently drop promises); values are
    non-negative ints; missing statuses count as 0. ``rated`` is the sum over
    :data:`RATED_STATUSES`, ``total`` over all statuses.
    """
    unknown = sorted(set(counts) - set(PROMISE_STATUSES), key=str)
    if unknown:
        raise ValueError(f"unknown promise status: {unknown[0]!r}")
    full: dict[str, int] = {}
    for status in PROMISE_STATUSES:
        value = counts.get(status, 0)
        if not is_int(value) or value < 0:
            raise ValueError(f"count for {status!r} must be a non-negative int")
        full[status] = value
    total = sum(full.values())
    rated = sum(full[s] for s in RATED_STATUSES)
    kept = full["kept"]
    if rated:
        share: Fraction | None = Fraction(kept, rated)
        formula = f"kept share = kept / rated = {kept} / {rated}"
    else:
        share = None
        formula = f"kept share: no rated promises yet ({total} not yet rated)"
    return Scorecard(
        counts=MappingProxyType(full),
        total=total,
        rated=rated,
        kept=kept,
        kept_share=share,
        formula=formula,
    )
