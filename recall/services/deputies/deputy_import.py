"""Import bodies, districts, parties and deputies from CSV or Popolo JSON.

Parsing and validation happen first, over the whole file, into plain records; only when every
record is valid are they written, in the caller's transaction. A bad row therefore writes
nothing. Records are matched on natural keys (body slug, district number within its body,
party name, deputy external id) so that importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from recall.errors import Invalid, NotFound
from recall.extensions import db
from recall.models import Body, BodyKind, Deputy, DeputyStatus, District, MandateType, Party
from recall.rules.seats import seat_rule_problem
from recall.services.deputies.body_kinds import get_kind

CSV_COLUMNS = (
    "body_slug",
    "body_name",
    "body_level",
    "body_region",
    "body_seats",
    "body_list_seats",
    "district_number",
    "district_name",
    "district_region",
    "registered_voters",
    "voters_as_of",
    "voters_at_election",
    "election_date",
    "deputy_id",
    "full_name",
    "mandate_type",
    "party",
    "term_start",
    "term_end",
    "status",
)
CSV_REQUIRED = ("body_slug", "body_name", "body_level", "body_seats")


class ImportRowError(Invalid):
    """A row that cannot be imported; ``row`` is the CSV line number or a JSON path."""

    def __init__(self, row: str | int, reason: str):
        super().__init__(f"row {row}: {reason}", field=str(row))
        self.row = row
        self.reason = reason


@dataclass
class BodyRecord:
    slug: str
    name: str
    kind: str  # a body kind's code (the CSV's body_level, Popolo's level extension)
    region: str | None
    seats_total: int
    seats_party_list: int
    row: str | int = field(default="", compare=False)


@dataclass
class DistrictRecord:
    body_slug: str
    number: int
    name: str
    region: str
    registered_voters: int | None = None
    voters_as_of: date | None = None
    # Registered voters at the election that elected the district's deputy, and its date.
    voters_at_election: int | None = None
    election_date: date | None = None


@dataclass
class DeputyRecord:
    row: str
    external_id: str
    full_name: str
    body_slug: str
    mandate_type: MandateType
    district_number: int | None
    party: str | None
    term_start: date
    term_end: date | None
    status: DeputyStatus


@dataclass
class ImportPlan:
    bodies: dict[str, BodyRecord] = field(default_factory=dict)
    districts: dict[tuple[str, int], DistrictRecord] = field(default_factory=dict)
    parties: set[str] = field(default_factory=set)
    deputies: list[DeputyRecord] = field(default_factory=list)


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def bump(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        def fmt(bucket):
            return ", ".join(f"{n} {k}" for k, n in sorted(bucket.items())) or "nothing"

        return f"created: {fmt(self.created)}; updated: {fmt(self.updated)}"


# -- value parsing -------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(row, name: str, value: Any, required: bool = True, minimum: int = 0) -> int | None:
    text = _text(value).replace(" ", "").replace("\u00a0", "")
    if not text:
        if required:
            raise ImportRowError(row, f"{name} is missing")
        return None
    try:
        number = int(text)
    except ValueError:
        raise ImportRowError(row, f"{name} must be a whole number, got {text!r}") from None
    if number < minimum:
        raise ImportRowError(row, f"{name} must be at least {minimum}, got {number}")
    return number


def _date(row, name: str, value: Any, required: bool = True) -> date | None:
    text = _text(value)
    if not text:
        if required:
            raise ImportRowError(row, f"{name} is missing")
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ImportRowError(row, f"{name} must be a date like 2023-03-19, got {text!r}") from None


def _enum(row, name: str, enum_cls, value: Any, default=None):
    text = _text(value).lower()
    if not text and default is not None:
        return default
    try:
        return enum_cls(text)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise ImportRowError(row, f"{name} must be one of {allowed}, got {text!r}") from None


# -- building the plan ---------------------------------------------------------------------


def _add_body(plan: ImportPlan, row, record: BodyRecord) -> None:
    known = plan.bodies.get(record.slug)
    if known is not None and known != record:
        raise ImportRowError(
            row, f"body {record.slug!r} is described differently than on an earlier row"
        )
    if record.seats_party_list > record.seats_total:
        raise ImportRowError(row, "body_list_seats cannot exceed body_seats")
    plan.bodies[record.slug] = record


def _add_district(plan: ImportPlan, row, record: DistrictRecord) -> None:
    key = (record.body_slug, record.number)
    known = plan.districts.get(key)
    if known is not None and known != record:
        raise ImportRowError(
            row, f"district {record.number} of {record.body_slug!r} differs from an earlier row"
        )
    plan.districts[key] = record


def _add_deputy(plan: ImportPlan, record: DeputyRecord) -> None:
    row = record.row
    if any(d.external_id == record.external_id for d in plan.deputies):
        raise ImportRowError(row, f"deputy id {record.external_id!r} appears twice")
    if record.mandate_type == MandateType.SINGLE_MANDATE and record.district_number is None:
        raise ImportRowError(row, "a single-mandate deputy needs a district")
    if record.mandate_type == MandateType.PARTY_LIST and record.district_number is not None:
        raise ImportRowError(row, "a party-list deputy has no district")
    if record.term_end and record.term_end < record.term_start:
        raise ImportRowError(row, "term_end is before term_start")
    if (
        record.district_number is not None
        and (record.body_slug, record.district_number) not in plan.districts
    ):
        raise ImportRowError(
            row, f"district {record.district_number} of {record.body_slug!r} is not described"
        )
    body = plan.bodies[record.body_slug]
    if record.mandate_type == MandateType.PARTY_LIST and body.seats_party_list == 0:
        raise ImportRowError(row, f"body {body.slug!r} has no party-list seats")
    if record.party:
        plan.parties.add(record.party)
    plan.deputies.append(record)


def plan_from_csv(text: str) -> ImportPlan:
    """Parse CSV text (header row required; see ``CSV_COLUMNS``)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise ImportRowError(1, "missing column(s): " + ", ".join(missing))
    unknown = [c for c in header if c and c not in CSV_COLUMNS]
    if unknown:
        raise ImportRowError(1, "unknown column(s): " + ", ".join(unknown))
    plan = ImportPlan()
    for line_no, raw in enumerate(reader, start=2):
        row = {k.strip(): v for k, v in raw.items() if k}
        if None in raw:
            raise ImportRowError(line_no, "more values than columns")
        slug = _text(row.get("body_slug"))
        if not slug:
            raise ImportRowError(line_no, "body_slug is missing")
        _add_body(
            plan,
            line_no,
            BodyRecord(
                slug=slug,
                name=_text(row.get("body_name")) or _fail(line_no, "body_name is missing"),
                kind=_text(row.get("body_level")) or _fail(line_no, "body_level is missing"),
                region=_text(row.get("body_region")) or None,
                seats_total=_int(line_no, "body_seats", row.get("body_seats"), minimum=1),
                seats_party_list=_int(
                    line_no, "body_list_seats", row.get("body_list_seats"), required=False
                )
                or 0,
                row=line_no,
            ),
        )
        number = _int(
            line_no, "district_number", row.get("district_number"), required=False, minimum=1
        )
        if number is not None:
            _add_district(
                plan,
                line_no,
                DistrictRecord(
                    body_slug=slug,
                    number=number,
                    name=_text(row.get("district_name"))
                    or _fail(line_no, "district_name is missing"),
                    region=_text(row.get("district_region"))
                    or _text(row.get("body_region"))
                    or _fail(line_no, "district_region is missing"),
                    registered_voters=_int(
                        line_no, "registered_voters", row.get("registered_voters"), required=False
                    ),
                    voters_as_of=_date(
                        line_no, "voters_as_of", row.get("voters_as_of"), required=False
                    ),
                    voters_at_election=_int(
                        line_no, "voters_at_election", row.get("voters_at_election"), required=False
                    ),
                    election_date=_date(
                        line_no, "election_date", row.get("election_date"), required=False
                    ),
                ),
            )
        full_name = _text(row.get("full_name"))
        if not full_name:
            continue  # a row describing only a body or a district
        mandate = _enum(
            line_no,
            "mandate_type",
            MandateType,
            row.get("mandate_type"),
            default=MandateType.SINGLE_MANDATE if number is not None else MandateType.PARTY_LIST,
        )
        _add_deputy(
            plan,
            DeputyRecord(
                row=str(line_no),
                external_id=_text(row.get("deputy_id")) or _fail(line_no, "deputy_id is missing"),
                full_name=full_name,
                body_slug=slug,
                mandate_type=mandate,
                district_number=number
                if mandate == MandateType.SINGLE_MANDATE
                else _none_or_fail(line_no, number),
                party=_text(row.get("party")) or None,
                term_start=_date(line_no, "term_start", row.get("term_start")),
                term_end=_date(line_no, "term_end", row.get("term_end"), required=False),
                status=_enum(
                    line_no, "status", DeputyStatus, row.get("status"), default=DeputyStatus.SERVING
                ),
            ),
        )
    return plan


def _fail(row, reason: str):
    raise ImportRowError(row, reason)


def _none_or_fail(row, number: int | None) -> None:
    if number is not None:
        raise ImportRowError(row, "a party-list deputy has no district")
    return None


def plan_from_popolo(data: dict[str, Any]) -> ImportPlan:
    """Read Popolo JSON: organizations (legislatures with ``level``/``seats`` extensions, and
    parties), areas (districts: ``identifier`` is the number, ``region`` or a parent area gives the
    region), posts (a seat of a legislature in an area), persons and memberships."""
    if not isinstance(data, dict):
        raise ImportRowError("$", "a Popolo file is a JSON object")
    plan = ImportPlan()
    areas = {a.get("id"): a for a in data.get("areas", [])}
    posts = {p.get("id"): p for p in data.get("posts", [])}
    persons = {p.get("id"): p for p in data.get("persons", [])}
    parties: dict[str, str] = {}
    legislatures: dict[str, str] = {}
    for index, org in enumerate(data.get("organizations", [])):
        row = f"organizations[{index}]"
        kind = _text(org.get("classification")).lower()
        if kind == "party":
            parties[org.get("id")] = _text(org.get("name")) or _fail(row, "name is missing")
        elif kind in ("legislature", "chamber"):
            slug = _text(org.get("slug") or org.get("id")) or _fail(row, "id is missing")
            legislatures[org.get("id")] = slug
            _add_body(
                plan,
                row,
                BodyRecord(
                    slug=slug,
                    name=_text(org.get("name")) or _fail(row, "name is missing"),
                    kind=_text(org.get("level")) or _fail(row, "level is missing"),
                    region=_text(org.get("region")) or None,
                    seats_total=_int(row, "seats", org.get("seats"), minimum=1),
                    seats_party_list=_int(
                        row, "party_list_seats", org.get("party_list_seats"), required=False
                    )
                    or 0,
                    row=row,
                ),
            )
        else:
            raise ImportRowError(row, f"classification must be legislature or party, got {kind!r}")

    def area_region(area: dict[str, Any], row: str) -> str:
        if area.get("region"):
            return _text(area["region"])
        parent = areas.get(area.get("parent_id"))
        if parent and parent.get("name"):
            return _text(parent["name"])
        raise ImportRowError(row, "the area has no region and no parent area")

    for index, post in enumerate(data.get("posts", [])):
        row = f"posts[{index}]"
        body_slug = legislatures.get(post.get("organization_id")) or _fail(
            row, "organization_id is not a legislature"
        )
        area = areas.get(post.get("area_id")) or _fail(row, "area_id names no area")
        _add_district(
            plan,
            row,
            DistrictRecord(
                body_slug=body_slug,
                number=_int(row, "area identifier", area.get("identifier"), minimum=1),
                name=_text(area.get("name")) or _fail(row, "the area has no name"),
                region=area_region(area, row),
                registered_voters=_int(
                    row, "registered_voters", area.get("registered_voters"), required=False
                ),
                voters_as_of=_date(row, "voters_as_of", area.get("voters_as_of"), required=False),
                voters_at_election=_int(
                    row, "voters_at_election", area.get("voters_at_election"), required=False
                ),
                election_date=_date(
                    row, "election_date", area.get("election_date"), required=False
                ),
            ),
        )
    for index, membership in enumerate(data.get("memberships", [])):
        row = f"memberships[{index}]"
        person = persons.get(membership.get("person_id")) or _fail(row, "person_id names no person")
        body_slug = legislatures.get(membership.get("organization_id"))
        if body_slug is None:
            continue  # a party membership; the party comes from on_behalf_of_id
        post = posts.get(membership.get("post_id")) if membership.get("post_id") else None
        district_number = None
        if post is not None:
            area = areas.get(post.get("area_id")) or {}
            district_number = _int(row, "area identifier", area.get("identifier"), minimum=1)
        party_id = membership.get("on_behalf_of_id")
        if party_id and party_id not in parties:
            raise ImportRowError(row, "on_behalf_of_id names no party")
        _add_deputy(
            plan,
            DeputyRecord(
                row=row,
                external_id=_text(person.get("id")),
                full_name=_text(person.get("name")) or _fail(row, "the person has no name"),
                body_slug=body_slug,
                mandate_type=MandateType.SINGLE_MANDATE
                if district_number
                else MandateType.PARTY_LIST,
                district_number=district_number,
                party=parties.get(party_id) if party_id else None,
                term_start=_date(row, "start_date", membership.get("start_date")),
                term_end=_date(row, "end_date", membership.get("end_date"), required=False),
                status=_enum(
                    row,
                    "end_reason",
                    DeputyStatus,
                    membership.get("end_reason"),
                    default=DeputyStatus.SERVING,
                ),
            ),
        )
    return plan


def plan_from_file(path: str | Path) -> ImportPlan:
    """Choose the parser by the file's extension (``.csv`` or ``.json``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"cannot read {path}: {exc}") from exc
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportRowError(f"line {exc.lineno}", f"not valid JSON: {exc.msg}") from exc
        return plan_from_popolo(data)
    if path.suffix.lower() == ".csv":
        return plan_from_csv(text)
    raise Invalid(f"{path.name}: expected a .csv or .json (Popolo) file")


# -- writing -------------------------------------------------------------------------------


def _sync(obj, values: dict[str, Any]) -> bool:
    """Set attributes that differ; True when something changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _upsert(result: ImportResult, kind: str, existing, make, values: dict[str, Any]):
    if existing is None:
        obj = make(**values)
        db.session.add(obj)
        result.bump(result.created, kind)
        return obj
    if _sync(existing, values):
        result.bump(result.updated, kind)
    return existing


def _resolve_kinds(plan: ImportPlan) -> dict[str, BodyKind]:
    """Each body's kind, and its seat rule checked, before anything is written."""
    kinds: dict[str, BodyKind] = {}
    for record in plan.bodies.values():
        try:
            kind = get_kind(record.kind)  # a seeded kind missing from this database is added
        except NotFound:
            raise ImportRowError(record.row, f"no body kind {record.kind!r}") from None
        problem = seat_rule_problem(
            record.seats_total, record.seats_party_list, kind.list_seats_percent
        )
        if problem:
            raise ImportRowError(record.row, problem)
        kinds[record.slug] = kind
    return kinds


def apply_plan(plan: ImportPlan) -> ImportResult:
    """Write a validated plan. Flushes; the caller commits (or rolls back on error)."""
    result = ImportResult()
    kinds = _resolve_kinds(plan)
    bodies: dict[str, Body] = {}
    for record in plan.bodies.values():
        existing = db.session.scalar(sa.select(Body).where(Body.slug == record.slug))
        bodies[record.slug] = _upsert(
            result,
            "bodies",
            existing,
            Body,
            {
                "slug": record.slug,
                "name": record.name,
                "kind": kinds[record.slug],
                "region": record.region,
                "seats_total": record.seats_total,
                "seats_party_list": record.seats_party_list,
            },
        )
    db.session.flush()
    districts: dict[tuple[str, int], District] = {}
    for key, record in plan.districts.items():
        body = bodies[record.body_slug]
        existing = db.session.scalar(
            sa.select(District).where(District.body_id == body.id, District.number == record.number)
        )
        values = {
            "body_id": body.id,
            "number": record.number,
            "name": record.name,
            "region": record.region,
        }
        if record.registered_voters is not None:
            values["registered_voters"] = record.registered_voters
        if record.voters_as_of is not None:
            values["voters_as_of"] = record.voters_as_of
        if record.voters_at_election is not None:
            values["voters_at_election"] = record.voters_at_election
        if record.election_date is not None:
            values["election_date"] = record.election_date
        districts[key] = _upsert(result, "districts", existing, District, values)
    parties: dict[str, Party] = {}
    for name in sorted(plan.parties):
        existing = db.session.scalar(sa.select(Party).where(Party.name == name))
        parties[name] = _upsert(result, "parties", existing, Party, {"name": name})
    db.session.flush()
    for record in plan.deputies:
        existing = db.session.scalar(
            sa.select(Deputy).where(Deputy.external_id == record.external_id)
        )
        district = (
            districts.get((record.body_slug, record.district_number))
            if record.district_number
            else None
        )
        _upsert(
            result,
            "deputies",
            existing,
            Deputy,
            {
                "external_id": record.external_id,
                "full_name": record.full_name,
                "body_id": bodies[record.body_slug].id,
                "mandate_type": record.mandate_type,
                "district_id": district.id if district else None,
                "party_id": parties[record.party].id if record.party else None,
                "term_start": record.term_start,
                "term_end": record.term_end,
                "status": record.status,
            },
        )
    db.session.flush()
    return result


def import_deputies(path: str | Path) -> ImportResult:
    """Parse and validate the whole file, then write it. Raises ``ImportRowError`` before writing."""
    return apply_plan(plan_from_file(path))


def iter_csv_rows(plan_rows: Iterable[dict[str, Any]]) -> str:
    """Render rows as import CSV text (used by tests and the demo export)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in plan_rows:
        writer.writerow(row)
    return out.getvalue()
