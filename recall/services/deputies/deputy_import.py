"""Import bodies, districts, parties and deputies from CSV or Popolo JSON (``popolo_import``).

Parsing and validation happen first, over the whole file, into plain records; only when every
record is valid are they written, in the caller's transaction. A bad row therefore writes
nothing. Records are matched on natural keys (body slug, district code within its body,
party name, deputy external id) so that importing the same file twice changes nothing. A Popolo
import speaks for its bodies' whole membership: a serving deputy of those bodies it no longer
lists has their term ended (never deleted: petitions and promises refer to them).
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
from recall.models.base import utcnow
from recall.rules.names import usable_names
from recall.rules.seats import list_seats_for, seat_rule_problem
from recall.services.deputies.body_kinds import check_jurisdiction, get_kind, known_jurisdictions
from recall.services.names import ensure_region

CSV_COLUMNS = (
    "body_slug",
    "body_name",
    "body_level",
    "body_region",
    "body_seats",
    "body_list_seats",
    "district_number",
    "district_code",
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
        # A CSV line number reads "row 5: ..."; a JSON path "memberships[212].area_id: ...".
        where = f"row {row}" if isinstance(row, int) or str(row).isdigit() else str(row)
        super().__init__(f"{where}: {reason}", field=str(row))
        self.row = row
        self.reason = reason


@dataclass
class BodyRecord:
    slug: str
    name: str
    kind: str  # a body kind's code (the CSV's body_level, Popolo's level extension)
    region: str | None
    seats_total: int
    # None: from the kind's seat rule, else the number of list deputies (``list_deputies``).
    seats_party_list: int | None
    row: str | int = field(default="", compare=False)
    jurisdiction: str | None = None  # None: the kind's
    list_deputies: int = field(default=0, compare=False)
    names: dict[str, str] | None = field(default=None, compare=False)  # other_names by lang


@dataclass
class DistrictRecord:
    body_slug: str
    code: str  # as the source names the district; the number as text where it has no code
    number: int | None
    name: str
    region: str
    registered_voters: int | None = None
    voters_as_of: date | None = None
    # Registered voters at the election that elected the district's deputy, and its date.
    voters_at_election: int | None = None
    election_date: date | None = None
    names: dict[str, str] | None = None  # other_names by lang


@dataclass
class DeputyRecord:
    row: str
    external_id: str
    full_name: str
    body_slug: str
    mandate_type: MandateType
    district_code: str | None
    party: str | None
    term_start: date
    term_end: date | None
    status: DeputyStatus
    # Popolo only (None: the file says nothing, and the stored value is kept).
    names: dict[str, str] | None = None  # other_names by lang
    identifiers: list[dict[str, str]] | None = None
    birth_date: str | None = None


@dataclass
class ImportPlan:
    bodies: dict[str, BodyRecord] = field(default_factory=dict)
    districts: dict[tuple[str, str], DistrictRecord] = field(default_factory=dict)
    parties: set[str] = field(default_factory=set)
    deputies: list[DeputyRecord] = field(default_factory=list)
    # Bodies whose serving deputies missing from the file have their term ended (Popolo).
    complete_bodies: set[str] = field(default_factory=set)
    # Names per language of parties (by name) and regions (by name), from Popolo other_names.
    party_names: dict[str, dict[str, str]] = field(default_factory=dict)
    region_names: dict[str, dict[str, str]] = field(default_factory=dict)
    # Indexes for the checks, so a national file (thousands of seats) is read in linear time.
    numbered: dict[tuple[str, int], str] = field(default_factory=dict, repr=False)
    deputy_ids: set[str] = field(default_factory=set, repr=False)


@dataclass(frozen=True)
class PopoloOptions:
    """What a Popolo file may lack, from the command line."""

    body_slug: str | None = None  # the slug of the file's one legislature
    kind: str | None = None  # a body kind's code for legislatures without ``level``
    period: str | None = None  # the legislative period (event id) to import; default: the latest
    mandate: MandateType | None = None  # default: single-mandate with an area, else party list

    def given(self) -> bool:
        return any((self.body_slug, self.kind, self.period, self.mandate))


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    ended: int = 0  # deputies whose term the import ended

    def bump(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.ended)

    def summary(self) -> str:
        def fmt(bucket):
            return ", ".join(f"{n} {k}" for k, n in sorted(bucket.items())) or "nothing"

        return (
            f"created: {fmt(self.created)}; updated: {fmt(self.updated)}; "
            f"ended: {self.ended} deputies' terms"
        )


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
    if record.seats_party_list is not None and record.seats_party_list > record.seats_total:
        raise ImportRowError(row, "body_list_seats cannot exceed body_seats")
    plan.bodies[record.slug] = record


def _add_district(plan: ImportPlan, row, record: DistrictRecord) -> None:
    key = (record.body_slug, record.code)
    known = plan.districts.get(key)
    if known is not None and known != record:
        raise ImportRowError(
            row, f"district {record.code} of {record.body_slug!r} differs from an earlier row"
        )
    if known is None and record.number is not None:
        other = plan.numbered.setdefault((record.body_slug, record.number), record.code)
        if other != record.code:
            raise ImportRowError(
                row, f"districts {other} and {record.code} both have number {record.number}"
            )
    plan.districts[key] = record


def _add_deputy(plan: ImportPlan, record: DeputyRecord) -> None:
    row = record.row
    if record.external_id in plan.deputy_ids:
        raise ImportRowError(row, f"deputy id {record.external_id!r} appears twice")
    plan.deputy_ids.add(record.external_id)
    if record.mandate_type != MandateType.PARTY_LIST and record.district_code is None:
        raise ImportRowError(row, f"a {record.mandate_type.value} deputy needs a district")
    if record.mandate_type == MandateType.PARTY_LIST and record.district_code is not None:
        raise ImportRowError(row, "a party-list deputy has no district")
    if record.term_end and record.term_end < record.term_start:
        raise ImportRowError(row, "term_end is before term_start")
    if (
        record.district_code is not None
        and (record.body_slug, record.district_code) not in plan.districts
    ):
        raise ImportRowError(
            row, f"district {record.district_code} of {record.body_slug!r} is not described"
        )
    body = plan.bodies[record.body_slug]
    if record.mandate_type == MandateType.PARTY_LIST:
        if body.seats_party_list == 0:
            raise ImportRowError(row, f"body {body.slug!r} has no party-list seats")
        body.list_deputies += 1
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
        # A district is known by its code where the row gives one, else by its number.
        code = _text(row.get("district_code")) or (str(number) if number is not None else None)
        if code is not None:
            _add_district(
                plan,
                line_no,
                DistrictRecord(
                    body_slug=slug,
                    code=code,
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
            default=MandateType.SINGLE_MANDATE if code is not None else MandateType.PARTY_LIST,
        )
        _add_deputy(
            plan,
            DeputyRecord(
                row=str(line_no),
                external_id=_text(row.get("deputy_id")) or _fail(line_no, "deputy_id is missing"),
                full_name=full_name,
                body_slug=slug,
                mandate_type=mandate,
                district_code=_district_code(line_no, mandate, code),
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


def _district_code(row, mandate: MandateType, code: str | None) -> str | None:
    if mandate == MandateType.PARTY_LIST and code is not None:
        raise ImportRowError(row, "a party-list deputy has no district")
    return None if mandate == MandateType.PARTY_LIST else code


def plan_from_file(path: str | Path, options: PopoloOptions | None = None) -> ImportPlan:
    """Choose the parser by the file's extension (``.csv`` or ``.json``); ``options`` supply what
    a Popolo file lacks (a CSV file names everything itself)."""
    from recall.services.deputies.popolo_import import plan_from_popolo

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
        return plan_from_popolo(data, options or PopoloOptions())
    if path.suffix.lower() == ".csv":
        if options is not None and options.given():
            raise Invalid("--body-slug, --kind, --period and --mandate are for Popolo files")
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
    """Each body's kind, its list seats where the file left them to the kind, and its seat rule
    checked, before anything is written."""
    kinds: dict[str, BodyKind] = {}
    for record in plan.bodies.values():
        try:
            kind = get_kind(record.kind)  # a seeded kind missing from this database is added
        except NotFound:
            raise ImportRowError(record.row, f"no body kind {record.kind!r}") from None
        if record.seats_party_list is None:
            record.seats_party_list = (
                list_seats_for(record.seats_total, kind.list_seats_percent)
                if kind.list_seats_percent is not None
                else min(record.list_deputies, record.seats_total)
            )
        problem = seat_rule_problem(
            record.seats_total, record.seats_party_list, kind.list_seats_percent
        )
        if problem:
            raise ImportRowError(record.row, problem)
        if record.list_deputies and not record.seats_party_list:
            raise ImportRowError(record.row, f"body {record.slug!r} has no party-list seats")
        if record.jurisdiction:
            record.jurisdiction = _known_jurisdiction(record)
        kinds[record.slug] = kind
    return kinds


def _known_jurisdiction(record: BodyRecord) -> str:
    """The body's ``jurisdiction`` extension as the app spells it; a file cannot bring in a new
    jurisdiction (a typo would leave the body without a rule): add a kind for it first."""
    try:
        return check_jurisdiction(record.jurisdiction)
    except Invalid:
        known = ", ".join(known_jurisdictions())
        where = f"{record.row}.jurisdiction" if not str(record.row).isdigit() else record.row
        raise ImportRowError(
            where,
            f"unknown jurisdiction {record.jurisdiction!r} (known: {known}; a new one comes "
            "with a body kind: flask deputies add-kind --new-jurisdiction)",
        ) from None


def _write_bodies(plan: ImportPlan, result: ImportResult) -> dict[str, Body]:
    kinds = _resolve_kinds(plan)
    bodies: dict[str, Body] = {}
    for record in plan.bodies.values():
        existing = db.session.scalar(sa.select(Body).where(Body.slug == record.slug))
        kind = kinds[record.slug]
        values = {
            "slug": record.slug,
            "name": record.name,
            "kind": kind,
            "jurisdiction": record.jurisdiction or kind.jurisdiction,
            "region": record.region,
            "seats_total": record.seats_total,
            "seats_party_list": record.seats_party_list,
        }
        bodies[record.slug] = _upsert(
            result, "bodies", existing, Body, _with_names(values, record.names)
        )
    db.session.flush()
    return bodies


def _write_districts(
    plan: ImportPlan, result: ImportResult, bodies: dict[str, Body]
) -> dict[tuple[str, str], District]:
    districts: dict[tuple[str, str], District] = {}
    # Every district of the file's bodies in one query, not one per record.
    known = {
        (d.body_id, d.code): d
        for d in db.session.scalars(
            sa.select(District).where(District.body_id.in_([b.id for b in bodies.values()]))
        )
    }
    for key, record in plan.districts.items():
        body = bodies[record.body_slug]
        existing = known.get((body.id, record.code))
        values = {
            "body_id": body.id,
            "code": record.code,
            "number": record.number,
            "name": record.name,
            "region": record.region,
        }
        optional = ("registered_voters", "voters_as_of", "voters_at_election", "election_date")
        for name in optional:
            if getattr(record, name) is not None:
                values[name] = getattr(record, name)
        districts[key] = _upsert(
            result, "districts", existing, District, _with_names(values, record.names)
        )
    db.session.flush()
    return districts


def _with_names(values: dict[str, Any], names: dict[str, str] | None) -> dict[str, Any]:
    """Add Popolo other_names by language (``recall.services.names`` shows them) where the file
    gives any; a tag that is no language code is left out rather than failing the file."""
    if names is not None:
        values["names"] = usable_names(names)
    return values


def _deputy_values(record: DeputyRecord, existing: Deputy | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "external_id": record.external_id,
        "full_name": record.full_name,
        "mandate_type": record.mandate_type,
        "term_start": record.term_start,
        "term_end": record.term_end,
        "status": record.status,
    }
    for name in ("identifiers", "birth_date"):
        if getattr(record, name) is not None:
            values[name] = getattr(record, name)
    _with_names(values, record.names)
    if (
        existing is not None
        and existing.status == DeputyStatus.RECALLED
        and record.status == DeputyStatus.SERVING
    ):
        # A recall is decided here, by the vote a petition led to; a source that has not caught
        # up with it does not bring the deputy back.
        del values["status"], values["term_end"]
    return values


def _deputies_by_external_id(ids: list[str]) -> dict[str, Deputy]:
    """The stored deputies with these ids, read in chunks (one query per thousand, not per id)."""
    found: dict[str, Deputy] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for deputy in db.session.scalars(sa.select(Deputy).where(Deputy.external_id.in_(chunk))):
            found[deputy.external_id] = deputy
    return found


def _end_unlisted(plan: ImportPlan, result: ImportResult, bodies: dict[str, Body]) -> None:
    """End the term of each serving deputy of a complete body that the file no longer lists."""
    listed = {record.external_id for record in plan.deputies}
    today = utcnow().date()
    for slug in sorted(plan.complete_bodies):
        serving = db.session.scalars(
            sa.select(Deputy)
            .where(
                Deputy.body_id == bodies[slug].id,
                Deputy.status == DeputyStatus.SERVING,
                Deputy.external_id.is_not(None),
            )
            .order_by(Deputy.id)
        )
        for deputy in serving:
            if deputy.external_id in listed:
                continue
            end = deputy.term_end if deputy.term_end and deputy.term_end <= today else today
            deputy.term_end = max(end, deputy.term_start)
            deputy.status = DeputyStatus.TERM_ENDED
            result.ended += 1


def apply_plan(plan: ImportPlan) -> ImportResult:
    """Write a validated plan. Flushes; the caller commits (or rolls back on error)."""
    result = ImportResult()
    bodies = _write_bodies(plan, result)
    districts = _write_districts(plan, result, bodies)
    parties: dict[str, Party] = {}
    known_parties = {
        p.name: p for p in db.session.scalars(sa.select(Party).where(Party.name.in_(plan.parties)))
    }
    for name in sorted(plan.parties):
        values = _with_names({"name": name}, plan.party_names.get(name))
        parties[name] = _upsert(result, "parties", known_parties.get(name), Party, values)
    for region, names in sorted(plan.region_names.items()):
        if names:
            ensure_region(region, usable_names(names))
    db.session.flush()
    known_deputies = _deputies_by_external_id([r.external_id for r in plan.deputies])
    for record in plan.deputies:
        existing = known_deputies.get(record.external_id)
        district = (
            districts[(record.body_slug, record.district_code)] if record.district_code else None
        )
        values = _deputy_values(record, existing)
        values["body_id"] = bodies[record.body_slug].id
        values["district_id"] = district.id if district else None
        values["party_id"] = parties[record.party].id if record.party else None
        _upsert(result, "deputies", existing, Deputy, values)
    db.session.flush()
    _end_unlisted(plan, result, bodies)
    db.session.flush()
    return result


def import_deputies(path: str | Path, options: PopoloOptions | None = None) -> ImportResult:
    """Parse and validate the whole file, then write it. Raises ``ImportRowError`` before writing."""
    return apply_plan(plan_from_file(path, options))


def iter_csv_rows(plan_rows: Iterable[dict[str, Any]]) -> str:
    """Render rows as import CSV text (used by tests and the demo export)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in plan_rows:
        writer.writerow(row)
    return out.getvalue()
