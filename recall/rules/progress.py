"""How far a long task is: rows done, rate, time left (pure; the CLI and the import page share it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    """``done`` rows after ``elapsed`` seconds; ``fraction`` of the work done (0-1) when known."""

    done: int
    elapsed: float
    fraction: float | None = None

    @property
    def rate(self) -> float | None:
        """Rows per second, once there is something to divide."""
        return self.done / self.elapsed if self.elapsed > 0 and self.done else None

    @property
    def percent(self) -> int | None:
        return None if self.fraction is None else min(100, int(self.fraction * 100))

    @property
    def seconds_left(self) -> float | None:
        """Time left at the pace so far: elapsed x (1 - f) / f; None until some work is done."""
        if self.fraction is None or self.fraction <= 0 or self.elapsed <= 0:
            return None
        return max(0.0, self.elapsed * (1 - min(self.fraction, 1.0)) / self.fraction)


def estimate(
    done: int, elapsed: float, *, total: int | None = None, fraction: float | None = None
) -> Estimate:
    """The estimate after ``done`` of ``total`` rows, or with the ``fraction`` known otherwise
    (bytes read of a file whose row count is not known until the end)."""
    if fraction is None and total:
        fraction = done / total
    return Estimate(done=done, elapsed=elapsed, fraction=fraction)


def clock(seconds: float) -> str:
    """``h:mm:ss`` (or ``m:ss`` under an hour)."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
