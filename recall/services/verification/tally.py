"""What a petition's verification counts: the filed signatures (confirmed or withdrawn, online
and paper), those that count, and the verdicts by status and reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from recall.extensions import db
from recall.models.signature import CheckStatus, Signature, SignatureStatus

FILED_STATUSES = (SignatureStatus.CONFIRMED, SignatureStatus.WITHDRAWN)


def filed(petition_id: int):
    """The petition's filed signatures (what the checks judge and a sample is drawn from)."""
    return sa.and_(Signature.petition_id == petition_id, Signature.status.in_(FILED_STATUSES))


def counted():
    """Mirror of ``recall.services.signing.counting.is_counted`` in SQL."""
    return sa.and_(
        Signature.status == SignatureStatus.CONFIRMED,
        Signature.duplicate_of_id.is_(None),
        Signature.check_status != CheckStatus.INVALID,
        Signature.shadow_ban_id.is_(None),
    )


@dataclass
class CheckResult:
    """What one run found: verdicts by status and reason, and the change to the public count."""

    petition_id: int
    checked: int
    by_status: dict[str, int]
    by_reason: dict[str, int]
    count_change: int

    def summary(self) -> str:
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(self.by_reason.items())) or "-"
        return (
            f"Petition {self.petition_id}: {self.checked} checked; "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items()))
            + f"; reasons: {reasons}; count change {self.count_change:+d}"
        )


def tally(petition_id: int, count_change: int = 0) -> CheckResult:
    rows = db.session.execute(
        sa.select(Signature.check_status, Signature.reason_code, sa.func.count())
        .where(filed(petition_id))
        .group_by(Signature.check_status, Signature.reason_code)
    ).all()
    by_status: Counter = Counter()
    by_reason: Counter = Counter()
    for status, reason, n in rows:
        by_status[CheckStatus(status).value] += n
        if reason:
            by_reason[reason] += n
    checked = sum(n for s, n in by_status.items() if s != CheckStatus.UNCHECKED.value)
    return CheckResult(petition_id, checked, dict(by_status), dict(by_reason), count_change)
