"""Paper collectors' outcomes: after the roll checks, per collector named on the sheets, how many
lines were filed and how many were invalid, deceased, of another district, duplicates or not on
the roll; a collector whose invalid share stands far above the others' is an outlier (issue 18).

An outlier has at least ``MIN_LINES`` lines and an invalid share at least ``OUTLIER_FACTOR`` times
the share of all the other collectors' lines together and ``OUTLIER_MARGIN`` above it: a forger
copying names from a roster shows many lines not on the roll, of the dead or of other districts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from recall.extensions import db
from recall.models.signature import CheckStatus, Signature, SignatureSource
from recall.models.user import User
from recall.services.verification.access import get_petition

MIN_LINES = 10
OUTLIER_FACTOR = 2.0
OUTLIER_MARGIN = 0.15
REASONS = ("not_registered", "deceased", "other_district", "duplicate")


@dataclass
class CollectorStats:
    collector: str
    lines: int
    checked: int
    invalid: int
    by_reason: dict[str, int] = field(default_factory=dict)
    outlier: bool = False

    @property
    def invalid_share(self) -> float:
        return self.invalid / self.checked if self.checked else 0.0


def collector_stats(actor: User | None, petition_id: int) -> list[CollectorStats]:
    """Per collector of the petition's paper signatures (named ones only), worst share first.
    Commissioners of the petition's body. Reads only."""
    petition = get_petition(actor, petition_id)
    rows = db.session.execute(
        sa.select(
            Signature.paper_collector,
            Signature.check_status,
            Signature.reason_code,
            sa.func.count(),
        )
        .where(
            Signature.petition_id == petition.id,
            Signature.source == SignatureSource.PAPER,
            Signature.paper_collector.is_not(None),
        )
        .group_by(Signature.paper_collector, Signature.check_status, Signature.reason_code)
    ).all()
    stats: dict[str, CollectorStats] = {}
    for collector, status, reason, n in rows:
        item = stats.setdefault(collector, CollectorStats(collector, 0, 0, 0))
        item.lines += n
        if status in (CheckStatus.VALID, CheckStatus.INVALID):
            item.checked += n
        if status == CheckStatus.INVALID:
            item.invalid += n
            key = reason if reason in REASONS else "other"
            item.by_reason[key] = item.by_reason.get(key, 0) + n
    total_checked = sum(s.checked for s in stats.values())
    total_invalid = sum(s.invalid for s in stats.values())
    for item in stats.values():
        others_checked = total_checked - item.checked
        others_share = (total_invalid - item.invalid) / others_checked if others_checked else 0.0
        item.outlier = (
            item.checked >= MIN_LINES
            and item.invalid_share >= OUTLIER_FACTOR * others_share
            and item.invalid_share - others_share >= OUTLIER_MARGIN
        )
    return sorted(stats.values(), key=lambda s: (-s.invalid_share, s.collector))
