"""Reading promises: filtered lists, scorecards, summaries, the corrections log, CSV rows.

Filters come from query strings (pages, API, CSV export alike) through ``parse_filters``, which
refuses bad values with ``Invalid`` naming the field, so a typo never silently widens a list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from recall.errors import Invalid
from recall.extensions import db
from recall.models.body import Body, District, Party
from recall.models.deputy import Deputy
from recall.models.petition import Petition, PetitionPromise
from recall.models.promise import (
    Correction,
    Dispute,
    DisputeState,
    Promise,
    PromiseStatusChange,
    Topic,
)
from recall.rules.scorecard import PROMISE_STATUSES, Scorecard, scorecard
from recall.services.pagination import MAX_ROW_ID, Page, paginate

SORTS = ("recent", "oldest", "updated", "title", "deputy")
MAX_QUERY = 100


@dataclass(frozen=True)
class PromiseFilters:
    status: str | None = None
    topic: str | None = None  # topic slug
    deputy_id: int | None = None
    body_id: int | None = None
    party_id: int | None = None
    district_id: int | None = None
    made_from: date | None = None
    made_to: date | None = None
    q: str | None = None
    sort: str = "recent"

    def as_args(self) -> dict[str, str]:
        """The query-string form (for links to the same list, e.g. the CSV export)."""
        values = {
            "status": self.status,
            "topic": self.topic,
            "deputy": self.deputy_id,
            "body": self.body_id,
            "party": self.party_id,
            "district": self.district_id,
            "q": self.q,
            "from": self.made_from.isoformat() if self.made_from else None,
            "to": self.made_to.isoformat() if self.made_to else None,
            "sort": self.sort if self.sort != "recent" else None,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def _positive_int(args: Mapping[str, str], name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ROW_ID):
        raise Invalid(_("%(field)s must be a positive whole number.", field=name), field=name)
    return int(raw)


def _iso_date(args: Mapping[str, str], name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(
            _("%(field)s must be a date as YYYY-MM-DD.", field=name), field=name
        ) from None


def parse_filters(args: Mapping[str, str]) -> PromiseFilters:
    """Filters from a query string: ``status topic deputy body party district from to q sort``.

    Empty values mean "any". A value that is present but wrong raises ``Invalid`` with the
    query-string name as ``field`` (the API answers 422).
    """
    status = (args.get("status") or "").strip() or None
    if status and status not in PROMISE_STATUSES:
        raise Invalid(
            _(
                "Unknown status %(value)s; use one of: %(known)s.",
                value=status[:40],
                known=", ".join(PROMISE_STATUSES),
            ),
            field="status",
        )
    topic = (args.get("topic") or "").strip() or None
    if topic and db.session.scalar(sa.select(Topic.id).where(Topic.slug == topic)) is None:
        raise Invalid(_("Unknown topic %(value)s.", value=topic[:40]), field="topic")
    sort = (args.get("sort") or "").strip() or "recent"
    if sort not in SORTS:
        raise Invalid(
            _("Unknown sort order; use one of: %(known)s.", known=", ".join(SORTS)), field="sort"
        )
    made_from, made_to = _iso_date(args, "from"), _iso_date(args, "to")
    if made_from and made_to and made_from > made_to:
        raise Invalid(_("The start date is after the end date."), field="from")
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY:
        raise Invalid(
            _("The search text is too long (at most %(n)d characters).", n=MAX_QUERY), field="q"
        )
    return PromiseFilters(
        status=status,
        topic=topic,
        deputy_id=_positive_int(args, "deputy"),
        body_id=_positive_int(args, "body"),
        party_id=_positive_int(args, "party"),
        district_id=_positive_int(args, "district"),
        made_from=made_from,
        made_to=made_to,
        q=q or None,
        sort=sort,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(query: sa.Select, filters: PromiseFilters) -> sa.Select:
    """Apply ``filters`` to a query that already joins Promise to Deputy."""
    query = query.where(Promise.merged_into_id.is_(None))
    if filters.status:
        query = query.where(Promise.status == filters.status)
    if filters.topic:
        query = query.where(
            Promise.topic_id
            == sa.select(Topic.id).where(Topic.slug == filters.topic).scalar_subquery()
        )
    if filters.deputy_id:
        query = query.where(Promise.deputy_id == filters.deputy_id)
    if filters.body_id:
        query = query.where(Deputy.body_id == filters.body_id)
    if filters.party_id:
        query = query.where(Deputy.party_id == filters.party_id)
    if filters.district_id:
        query = query.where(Deputy.district_id == filters.district_id)
    if filters.made_from:
        query = query.where(Promise.made_on >= filters.made_from)
    if filters.made_to:
        query = query.where(Promise.made_on <= filters.made_to)
    if filters.q:
        pattern = f"%{_escape_like(filters.q)}%"
        query = query.where(
            sa.or_(
                *(
                    col.ilike(pattern, escape="\\")
                    for col in (
                        Promise.title,
                        Promise.statement,
                        Promise.quotation,
                        Deputy.full_name,
                    )
                )
            )
        )
    return query


_ORDER = {
    "recent": (Promise.made_on.desc(), Promise.id.desc()),
    "oldest": (Promise.made_on.asc(), Promise.id.asc()),
    "updated": (Promise.status_changed_at.desc().nulls_last(), Promise.id.desc()),
    "title": (Promise.title.asc(), Promise.id.asc()),
    "deputy": (Deputy.full_name.asc(), Promise.made_on.desc(), Promise.id.asc()),
}


def promise_query(filters: PromiseFilters, *, with_details: bool = False) -> sa.Select:
    """The ordered query for ``filters`` (``with_details`` loads history and sources too)."""
    query = _where(sa.select(Promise).join(Promise.deputy), filters).order_by(*_ORDER[filters.sort])
    options = [
        selectinload(Promise.deputy).selectinload(Deputy.body),
        selectinload(Promise.deputy).selectinload(Deputy.party),
        selectinload(Promise.deputy).selectinload(Deputy.district),
        selectinload(Promise.topic),
    ]
    if with_details:
        options += [
            selectinload(Promise.history),
            selectinload(Promise.sources),
            selectinload(Promise.disputes),
        ]
    return query.options(*options)


def list_promises(
    filters: PromiseFilters,
    page: int | None = 1,
    per_page: int | None = 20,
    *,
    with_details: bool = False,
) -> Page[Promise]:
    """One page of the promises matching ``filters``."""
    return paginate(promise_query(filters, with_details=with_details), page, per_page)


def iter_promises(filters: PromiseFilters) -> Iterator[Promise]:
    """Every matching promise with details, streamed in batches (for the CSV export)."""
    offset, batch = 0, 500
    while True:
        rows = list(
            db.session.scalars(
                promise_query(filters, with_details=True).limit(batch).offset(offset)
            )
        )
        yield from rows
        if len(rows) < batch:
            return
        offset += batch


# --- scorecards and summaries ----------------------------------------------------------------


def status_counts(filters: PromiseFilters = PromiseFilters()) -> dict[str, int]:
    """Promises per status for ``filters`` (every status present, zeros included)."""
    query = _where(sa.select(Promise.status, sa.func.count()).join(Promise.deputy), filters)
    counts = dict.fromkeys(PROMISE_STATUSES, 0)
    for status, n in db.session.execute(query.group_by(Promise.status)):
        counts[status.value if hasattr(status, "value") else status] = n
    return counts


def deputy_scorecard(deputy_id: int) -> Scorecard:
    """The scorecard of one deputy: counts per status and kept / rated."""
    return scorecard(status_counts(PromiseFilters(deputy_id=deputy_id)))


def deputy_promises(deputy_id: int) -> list[Promise]:
    """A deputy's promises (merged ones left out), newest first, with their history loaded."""
    return list(
        db.session.scalars(promise_query(PromiseFilters(deputy_id=deputy_id), with_details=True))
    )


def citable_promises(deputy_id: int) -> list[Promise]:
    """The promises a recall petition against the deputy may cite, by id (merged ones left out:
    a petition cites the promise they were merged into)."""
    return list(
        db.session.scalars(
            sa.select(Promise)
            .where(Promise.deputy_id == deputy_id, Promise.merged_into_id.is_(None))
            .order_by(Promise.id)
        )
    )


def cited_promise_ids(raw) -> list[int]:
    """The promise ids a petition or an appeal cites, distinct and sorted, from what a form or a
    JSON body gave; ``Invalid`` (field ``promise_ids``) when one is not a number."""
    try:
        return sorted({int(p) for p in (raw or [])})
    except (TypeError, ValueError):
        raise Invalid(_("Promises are named by their numbers."), field="promise_ids") from None


def check_cited_promises(deputy: Deputy, ids: list[int], most: int) -> list[int]:
    """``ids`` (sorted, distinct), the promises a petition or an appeal cites, when there are at
    most ``most`` and each is a promise of ``deputy``; ``Invalid`` (field ``promise_ids``) naming
    the first that is not. Reads only."""
    if len(ids) > most:
        raise Invalid(_("Cite at most %(n)d promises.", n=most), field="promise_ids")
    found = set(
        db.session.scalars(
            sa.select(Promise.id).where(Promise.id.in_(ids), Promise.deputy_id == deputy.id)
        )
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid(
            _("Promise %(id)d is not a promise of this deputy.", id=missing[0]), field="promise_ids"
        )
    return ids


@dataclass(frozen=True)
class SummaryRow:
    key: int | None  # body, party or district id (None: deputies without a party)
    label: str
    filter_args: dict[str, str]
    card: Scorecard


GROUPS = ("body", "party", "district")


def summary(group: str, *, body_id: int | None = None) -> list[SummaryRow]:
    """A scorecard per body, party or district (only groups with promises), largest first.

    ``body_id`` narrows the summary to one body (useful for districts and parties).
    """
    if group not in GROUPS:
        raise Invalid(_("Unknown grouping."), field="group")
    column = {"body": Deputy.body_id, "party": Deputy.party_id, "district": Deputy.district_id}[
        group
    ]
    query = (
        sa.select(column, Promise.status, sa.func.count())
        .join(Promise.deputy)
        .where(Promise.merged_into_id.is_(None))
    )
    if body_id:
        query = query.where(Deputy.body_id == body_id)
    if group == "district":
        query = query.where(Deputy.district_id.is_not(None))
    counts: dict[int | None, dict[str, int]] = {}
    for key, status, n in db.session.execute(query.group_by(column, Promise.status)):
        counts.setdefault(key, {})[status.value if hasattr(status, "value") else status] = n
    labels = _labels(group, [k for k in counts if k is not None])
    rows = []
    for key, by_status in counts.items():
        args = {group: str(key)} if key is not None else {}
        if body_id:
            args["body"] = str(body_id)
        rows.append(
            SummaryRow(
                key=key,
                label=labels.get(key, _("independent")),
                filter_args=args,
                card=scorecard(by_status),
            )
        )
    return sorted(rows, key=lambda r: (-r.card.total, r.label))


def _labels(group: str, keys: list[int]) -> dict[int, str]:
    if not keys:
        return {}
    if group == "body":
        return {b.id: b.name for b in db.session.scalars(sa.select(Body).where(Body.id.in_(keys)))}
    if group == "party":
        return {
            p.id: p.name for p in db.session.scalars(sa.select(Party).where(Party.id.in_(keys)))
        }
    return {
        d.id: f"{d.name} · {d.region}"
        for d in db.session.scalars(sa.select(District).where(District.id.in_(keys)))
    }


# --- per promise -----------------------------------------------------------------------------


def open_disputes(promise: Promise) -> list[Dispute]:
    return [d for d in promise.disputes if d.state == DisputeState.OPEN]


def petitions_citing(promise_id: int) -> list:
    """Petitions that cite the promise as grounds, in petition id order."""
    return list(
        db.session.scalars(
            sa.select(Petition)
            .join(PetitionPromise, PetitionPromise.petition_id == Petition.id)
            .where(PetitionPromise.promise_id == promise_id)
            .order_by(Petition.id)
        )
    )


def corrections_log(page: int | None = 1, per_page: int | None = 30) -> Page[Correction]:
    """The site-wide corrections log, newest first."""
    query = (
        sa.select(Correction)
        .order_by(Correction.created_at.desc(), Correction.id.desc())
        .options(
            selectinload(Correction.promise).selectinload(Promise.deputy),
            selectinload(Correction.revision),
            selectinload(Correction.status_change).selectinload(PromiseStatusChange.corrects),
            selectinload(Correction.organization),
        )
    )
    return paginate(query, page, per_page)


# --- CSV -------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "deputy_id",
    "deputy",
    "body",
    "party",
    "district",
    "title",
    "statement",
    "made_on",
    "topic",
    "level",
    "status",
    "broken_reason",
    "status_changed_at",
    "source_url",
    "quotation",
    "sources",
    "history",
    "open_disputes",
)


def _safe_cell(value) -> str:
    """Text for a CSV cell; a leading = + - @ is neutralised so spreadsheets never run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_row(p: Promise) -> list[str]:
    history = " | ".join(
        f"{c.changed_on.isoformat()} {c.status.value}"
        f"{' (' + c.broken_reason.value + ')' if c.broken_reason else ''}"
        f"{' [correction]' if c.corrects_id else ''}: {' '.join(c.evidence)}"
        for c in p.history
    )
    values = [
        p.id,
        p.deputy_id,
        p.deputy.full_name,
        p.deputy.body.name,
        p.deputy.party.name if p.deputy.party else "",
        p.deputy.district.name if p.deputy.district else "",
        p.title,
        p.statement,
        p.made_on.isoformat(),
        p.topic.slug,
        p.level.value,
        p.status.value,
        p.broken_reason.value if p.broken_reason else "",
        p.status_changed_at.isoformat() if p.status_changed_at else "",
        p.source_url,
        p.quotation or "",
        " ".join([p.source_url, *(s.url for s in p.sources)]),
        history,
        len(open_disputes(p)),
    ]
    return [_safe_cell(v) for v in values]


def csv_rows(filters: PromiseFilters) -> Iterator[list[str]]:
    """The CSV export of the list for ``filters``, row by row (header first)."""
    yield list(CSV_COLUMNS)
    for promise in iter_promises(filters):
        yield _csv_row(promise)
