"""A periodic task for the runner tests: records that it ran."""
from __future__ import annotations

CALLS: list = []


def count(now) -> None:
    CALLS.append(now)
