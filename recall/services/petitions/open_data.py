"""Petitions as open data: their public counts, days left and certified results, for the API
list and the CSV downloads.

What may be published follows the rule, as on the pages: a count is withheld while signing is
open under a rule that seals the running count (``counting.count_is_public``), and never shown
before registration. A result is published once a certification is confirmed by a second
commissioner: what was filed, how many were valid, the invalid ones by reason code and, when the
rule used one, the random sample and its projection.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Petition, PetitionState
from recall.models.base import utcnow
from recall.models.counting import PetitionDayCount
from recall.models.verification import CertificationProposal
from recall.services.petitions.lifecycle import PetitionFilters, filtered_petitions
from recall.services.signing import counting

SAMPLE_KEYS = ("seed", "raw", "n", "v", "d", "projected", "required", "formula", "outcome")


@dataclass(frozen=True)
class PetitionFigures:
    """What the open data says about one petition's numbers."""

    count_public: bool
    confirmed: int | None  # None while sealed or before registration
    days_left: int | None  # None unless signing is open
    result: dict[str, Any] | None  # None until a certification is confirmed


def days_left(petition: Petition, now: datetime) -> int | None:
    """Whole days (rounded up) until signing closes; 0 on the last day; None unless collecting."""
    if petition.state != PetitionState.COLLECTING or petition.closes_at is None:
        return None
    seconds = (petition.closes_at - now).total_seconds()
    return max(0, math.ceil(seconds / 86400))


def result_of(proposal: CertificationProposal) -> dict[str, Any]:
    """The published result of a confirmed certification (its stored numbers, no personal data)."""
    numbers = proposal.numbers or {}
    draw = numbers.get("draw")
    return {
        "outcome": proposal.outcome,
        "certified_at": proposal.confirmed_at.isoformat() if proposal.confirmed_at else None,
        "method": numbers.get("method"),
        "required": numbers.get("required"),
        "filed": numbers.get("raw"),
        "valid": numbers.get("valid"),
        "invalid": numbers.get("invalid"),
        "invalid_by_reason": dict(numbers.get("invalid_by_reason") or {}),
        "sample": None if not draw else {key: draw.get(key) for key in SAMPLE_KEYS},
    }


def _confirmed_results(petition_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not petition_ids:
        return {}
    proposals = db.session.scalars(
        sa.select(CertificationProposal)
        .where(
            CertificationProposal.petition_id.in_(petition_ids),
            CertificationProposal.confirmed_at.is_not(None),
        )
        .order_by(CertificationProposal.confirmed_at)
    )
    return {p.petition_id: result_of(p) for p in proposals}  # the latest confirmation wins


def petition_figures(
    petitions: list[Petition], now: datetime | None = None
) -> dict[int, PetitionFigures]:
    """Figures of ``petitions`` by id, in three queries whatever their number."""
    now = now or utcnow()
    public = {p.id: counting.count_is_public(p) for p in petitions}
    counts = counting.confirmed_counts([pid for pid, shown in public.items() if shown])
    results = _confirmed_results([p.id for p in petitions])
    return {
        p.id: PetitionFigures(
            count_public=public[p.id],
            confirmed=counts.get(p.id) if public[p.id] else None,
            days_left=days_left(p, now),
            result=results.get(p.id),
        )
        for p in petitions
    }


# ------------------------------------------------------------------ CSV


PETITION_COLUMNS = (
    "petition_id",
    "state",
    "deputy_id",
    "deputy_name",
    "body_slug",
    "district_id",
    "district_number",
    "district_name",
    "opened_at",
    "opens_at",
    "closes_at",
    "days_left",
    "registered_voters",
    "required_signatures",
    "count_public",
    "signatures_confirmed",
    "certified_at",
    "outcome",
    "method",
    "filed",
    "valid",
    "invalid",
    "invalid_by_reason",
    "sample_size",
    "sample_valid",
    "sample_duplicates",
    "projected_valid",
)
DAILY_COLUMNS = ("petition_id", "district_id", "district_number", "date", "confirmed")
_BATCH = 500


def _iso(value) -> str:
    return value.isoformat() if value is not None else ""


def _blank(value) -> Any:
    return "" if value is None else value


def _safe(text: str | None) -> str:
    """A name for a CSV cell; a leading = + - @ is neutralised so no spreadsheet runs it."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _batches(filters: PetitionFilters) -> Iterator[list[Petition]]:
    petitions = list(db.session.scalars(filtered_petitions(filters)))
    for start in range(0, len(petitions), _BATCH):
        yield petitions[start : start + _BATCH]


def petitions_csv_rows(filters: PetitionFilters) -> Iterator[list[Any]]:
    """One row per petition matching ``filters`` (newest first) with its count and result."""
    yield list(PETITION_COLUMNS)
    now = utcnow()
    for batch in _batches(filters):
        figures = petition_figures(batch, now)
        for p in batch:
            f = figures[p.id]
            result = f.result or {}
            sample = result.get("sample") or {}
            by_reason = result.get("invalid_by_reason") or {}
            yield [
                p.id,
                p.state.value,
                p.deputy_id,
                _safe(p.deputy.full_name),
                p.body.slug,
                p.district_id,
                p.district.number,
                _safe(p.district.name),
                _iso(p.created_at),
                _iso(p.opens_at),
                _iso(p.closes_at),
                _blank(f.days_left),
                _blank(p.registered_voters),
                _blank(p.required_signatures),
                "true" if f.count_public else "false",
                _blank(f.confirmed),
                _blank(result.get("certified_at")),
                _blank(result.get("outcome")),
                _blank(result.get("method")),
                _blank(result.get("filed")),
                _blank(result.get("valid")),
                _blank(result.get("invalid")),
                ";".join(f"{code}:{n}" for code, n in sorted(by_reason.items())),
                _blank(sample.get("n")),
                _blank(sample.get("v")),
                _blank(sample.get("d")),
                _blank(sample.get("projected")),
            ]


def daily_counts_csv_rows(filters: PetitionFilters) -> Iterator[list[Any]]:
    """Confirmed signatures per petition, per district and per signing day (local date, ISO
    8601), for petitions whose count may be published; days without a signature are left out."""
    yield list(DAILY_COLUMNS)
    for batch in _batches(filters):
        shown = {p.id: p for p in batch if counting.count_is_public(p)}
        if not shown:
            continue
        rows = db.session.execute(
            sa.select(
                PetitionDayCount.petition_id,
                PetitionDayCount.day,
                sa.func.sum(PetitionDayCount.confirmed),
            )
            .where(PetitionDayCount.petition_id.in_(list(shown)))
            .group_by(PetitionDayCount.petition_id, PetitionDayCount.day)
            .order_by(PetitionDayCount.petition_id.desc(), PetitionDayCount.day)
        )
        for petition_id, day, total in rows:
            if total:
                p = shown[petition_id]
                yield [p.id, p.district_id, p.district.number, day.isoformat(), int(total)]
