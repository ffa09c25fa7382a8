"""Progress of long commands on a terminal: one line rewritten in place; nothing in scripts.

``flask voters import``, ``flask verification check`` and ``flask verification export`` run for
minutes at national scale. On a terminal (standard error is a TTY) they show rows done, rate,
percentage and time left, at most a few times a second; piped or in cron they stay quiet, so
their output is only the result. ``--progress`` / ``--no-progress`` (:data:`progress_option`)
override the guess.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

import click

from recall.rules.progress import Estimate, clock, estimate

REFRESH_SECONDS = 0.25


def describe(est: Estimate, unit: str = "rows") -> str:
    """``1,234,567 rows · 45,210 rows/s · 62% · 0:12 left · 0:27``."""
    parts = [f"{est.done:,} {unit}"]
    if est.rate is not None:
        parts.append(f"{est.rate:,.0f} {unit}/s")
    if est.percent is not None:
        parts.append(f"{est.percent}%")
    if est.seconds_left is not None and est.percent is not None and est.percent < 100:
        parts.append(f"{clock(est.seconds_left)} left")
    parts.append(clock(est.elapsed))
    return " · ".join(parts)


def wanted(stream: TextIO, forced: bool | None = None) -> bool:
    if forced is not None:
        return forced
    return bool(getattr(stream, "isatty", lambda: False)())


progress_option = click.option(
    "--progress/--no-progress",
    "show_progress",
    default=None,
    help="Show rows, rate and time left (default: only on a terminal).",
)


class TerminalProgress:
    """``update(done, total=..., fraction=...)`` as work goes; ``finish()`` ends the line."""

    def __init__(
        self,
        label: str,
        unit: str = "rows",
        *,
        enabled: bool | None = None,
        stream: TextIO | None = None,
    ):
        self.label, self.unit = label, unit
        self.stream = stream or sys.stderr
        self.enabled = wanted(self.stream, enabled)
        self.started = time.monotonic()
        self._shown = 0.0
        self._width = 0
        self.last: Estimate | None = None

    def update(self, done: int, *, total: int | None = None, fraction: float | None = None):
        self.last = estimate(done, time.monotonic() - self.started, total=total, fraction=fraction)
        now = time.monotonic()
        if self.enabled and now - self._shown >= REFRESH_SECONDS:
            self._shown = now
            self._write(self.last)

    def step(self, name: str) -> None:
        """For work done in a few big steps (the set-based checks): the step and the time so far."""
        if self.enabled:
            line = f"{self.label}: {name} · {clock(time.monotonic() - self.started)}"
            self._put(line)

    def finish(self) -> None:
        if self.enabled:
            if self.last is not None:
                self._write(self.last)
            self.stream.write("\n")
            self.stream.flush()

    def _write(self, est: Estimate) -> None:
        self._put(f"{self.label}: {describe(est, self.unit)}")

    def _put(self, line: str) -> None:
        pad = max(0, self._width - len(line))
        self._width = len(line)
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()
