"""Days left until a moment, as people count them (pure: no Flask, no database)."""

from __future__ import annotations

import math
from datetime import datetime


def days_left(closes_at: datetime, now: datetime) -> int:
    """Whole days left until ``closes_at``, counting a started day as one (closing in 3 hours is
    1 day left); 0 once it has passed."""
    seconds = (closes_at - now).total_seconds()
    return max(0, math.ceil(seconds / 86400))
