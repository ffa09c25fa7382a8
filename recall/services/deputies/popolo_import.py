"""Read Popolo JSON as real publishers write it (EveryPolitician) and as ``popolo_export`` does.

* ``organizations``: ``legislature`` or ``chamber`` (a body), ``party``; other classifications are
  not bodies and memberships of them are skipped. A body's slug, kind and seats come from the
  project's extensions (``slug``, ``level``, ``seats``, ``party_list_seats``, ``region``,
  ``jurisdiction``) or from the options (``--body-slug``, ``--kind``); without ``seats`` a body has
  as many seats as the imported period lists deputies.
* ``areas``: any id, a name, an optional parent (its name is the district's region). A district's
  code is the area's ``code``, else its ``identifier``, else its ``id``; its number is the
  ``identifier`` where that is a whole number.
* ``events`` of classification ``legislative period`` give term dates; ``--period`` picks the one
  to import (default: the latest one the memberships name).
* ``memberships`` of a body, in the chosen period: ``area_id`` (or a post's area),
  ``on_behalf_of_id`` (the party), ``start_date``/``end_date`` (else the period's). Several
  memberships of one person in the period (EveryPolitician splits a term at a change of party)
  make one deputy: the term from the first start to the last end, party and area from the last.
* ``persons``: ``name``, ``other_names`` by ``lang``, ``identifiers``, ``birth_date``.

Every error names its JSON path (``memberships[212].area_id``); the caller writes nothing then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from recall.models import DeputyStatus, MandateType
from recall.models.base import utcnow
from recall.services.deputies.deputy_import import (
    BodyRecord,
    DeputyRecord,
    DistrictRecord,
    ImportPlan,
    ImportRowError,
    PopoloOptions,
    _add_deputy,
    _add_district,
    _date,
    _enum,
    _int,
    _text,
)

LEGISLATURES = ("legislature", "chamber")
PERIOD = "legislative period"
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _fail(path: str, reason: str):
    raise ImportRowError(path, reason)


def _extension(parse, path: str, item: dict[str, Any], name: str):
    """An optional value of the project's extensions, parsed, its error naming its path."""
    return parse(f"{path}.{name}", name, item.get(name), False)


def _other_names(item: dict[str, Any], path: str) -> dict[str, str] | None:
    """``other_names`` by ``lang`` (the first name given in a language; names without a
    language, such as a party's short name, are not names in a language). None when the item
    has no ``other_names``: the names already stored are kept."""
    if "other_names" not in item:
        return None
    other = item.get("other_names") or []
    if not isinstance(other, list):
        _fail(f"{path}.other_names", "must be a list")
    names: dict[str, str] = {}
    for n, entry in enumerate(other):
        if not isinstance(entry, dict):
            _fail(f"{path}.other_names[{n}]", "must be an object")
        lang, name = _text(entry.get("lang")), _text(entry.get("name"))
        if lang and name:
            names.setdefault(lang, name)
    return names


def _items(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list):
        _fail(key, "must be a list")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            _fail(f"{key}[{index}]", "must be an object")
    return items


def _index(items: list[dict[str, Any]], key: str) -> dict[str, tuple[int, dict[str, Any]]]:
    """Items by id (with their position, for error paths); ids must be present and unique."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, item in enumerate(items):
        ident = _text(item.get("id")) or _fail(f"{key}[{index}].id", "is missing")
        if ident in found:
            _fail(f"{key}[{index}].id", f"{ident!r} appears twice")
        found[ident] = (index, item)
    return found


@dataclass
class _Seat:
    """One membership of a body in the chosen period, checked."""

    path: str
    body_slug: str
    person_id: str
    area_id: str | None
    area_path: str
    party_id: str | None
    start: date
    end: date | None
    end_reason: DeputyStatus | None
    mandate: MandateType | None  # the project's extension ``mandate_type``


class _Reader:
    def __init__(self, data: Any, options: PopoloOptions):
        if not isinstance(data, dict):
            _fail("$", "a Popolo file is a JSON object")
        self.options = options
        self.persons = _index(_items(data, "persons"), "persons")
        self.areas = _index(_items(data, "areas"), "areas")
        self.posts = _index(_items(data, "posts"), "posts")
        self.organizations = _index(_items(data, "organizations"), "organizations")
        self.memberships = _items(data, "memberships")
        self.periods: dict[str, tuple[int, dict[str, Any]]] = {}
        for index, event in enumerate(_items(data, "events")):
            if _text(event.get("classification")).lower() == PERIOD:
                ident = _text(event.get("id")) or _fail(f"events[{index}].id", "is missing")
                self.periods[ident] = (index, event)
        self.plan = ImportPlan()
        self.legislatures: dict[str, str] = {}  # organization id -> body slug
        self.parties: dict[str, str] = {}  # organization id -> party name

    # -- organizations ---------------------------------------------------------------------

    def read_organizations(self) -> None:
        bodies = [
            (ident, index, org)
            for ident, (index, org) in self.organizations.items()
            if _text(org.get("classification")).lower() in LEGISLATURES
        ]
        if self.options.body_slug and len(bodies) != 1:
            _fail("--body-slug", f"names one body, but the file has {len(bodies)} legislatures")
        for ident, (index, org) in self.organizations.items():
            if _text(org.get("classification")).lower() == "party":
                path = f"organizations[{index}]"
                name = _text(org.get("name")) or _fail(f"{path}.name", "is missing")
                self.parties[ident] = name
                self.plan.party_names[name] = _other_names(org, path)
        for ident, index, org in bodies:
            path = f"organizations[{index}]"
            slug = self.options.body_slug or _text(org.get("slug"))
            if not slug and org.get("level"):
                slug = ident  # the project's older files: the id is the slug
            if not slug:
                _fail(f"{path}.slug", "is missing: name the body with --body-slug")
            kind = self.options.kind or _text(org.get("level")) or _text(org.get("kind"))
            if not kind:
                _fail(f"{path}.level", "the body's kind is missing: give it with --kind")
            self.legislatures[ident] = slug
            self.plan.bodies[slug] = BodyRecord(
                slug=slug,
                name=_text(org.get("name")) or _fail(f"{path}.name", "is missing"),
                kind=kind,
                region=_text(org.get("region")) or None,
                seats_total=_int(f"{path}.seats", "seats", org.get("seats"), False, 1) or 0,
                seats_party_list=_int(
                    f"{path}.party_list_seats",
                    "party_list_seats",
                    org.get("party_list_seats"),
                    False,
                ),
                row=path,
                jurisdiction=_text(org.get("jurisdiction")) or None,
                names=_other_names(org, path),
            )

    # -- periods ---------------------------------------------------------------------------

    def _period_dates(self, ident: str) -> tuple[date | None, date | None]:
        index, event = self.periods[ident]
        path = f"events[{index}]"
        return (
            _date(f"{path}.start_date", "start_date", event.get("start_date"), required=False),
            _date(f"{path}.end_date", "end_date", event.get("end_date"), required=False),
        )

    def chosen_period(self) -> str | None:
        """``--period``, else the latest period (by start date) a body's membership names."""
        if self.options.period:
            if self.options.period not in self.periods:
                known = ", ".join(sorted(self.periods)) or "none"
                _fail("--period", f"no legislative period {self.options.period!r} (known: {known})")
            return self.options.period
        named = {
            _text(m.get("legislative_period_id"))
            for m in self.memberships
            if m.get("organization_id") in self.legislatures and m.get("legislative_period_id")
        }
        dated = [(self._period_dates(p)[0] or date.min, p) for p in named if p in self.periods]
        return max(dated)[1] if dated else None

    # -- memberships -----------------------------------------------------------------------

    def _area_of(self, membership: dict[str, Any], path: str) -> tuple[str | None, str]:
        post_id = _text(membership.get("post_id"))
        area_id = _text(membership.get("area_id"))
        area_path = f"{path}.area_id"
        if post_id:
            if post_id not in self.posts:
                _fail(f"{path}.post_id", f"names no post ({post_id!r})")
            post_index, post = self.posts[post_id]
            if not area_id and post.get("area_id"):
                area_id, area_path = _text(post.get("area_id")), f"posts[{post_index}].area_id"
        if area_id and area_id not in self.areas:
            _fail(area_path, f"names no area ({area_id!r})")
        return area_id or None, area_path

    def read_seats(self, period: str | None) -> list[_Seat]:
        seats = []
        for index, membership in enumerate(self.memberships):
            path = f"memberships[{index}]"
            org = _text(membership.get("organization_id"))
            person = _text(membership.get("person_id"))
            if person not in self.persons:
                _fail(f"{path}.person_id", f"names no person ({person!r})")
            if org not in self.organizations:
                _fail(f"{path}.organization_id", f"names no organization ({org!r})")
            if org not in self.legislatures:
                continue  # a party membership (or of a committee): the party is on_behalf_of_id
            lp = _text(membership.get("legislative_period_id"))
            if lp and lp not in self.periods:
                _fail(f"{path}.legislative_period_id", f"names no legislative period ({lp!r})")
            area_id, area_path = self._area_of(membership, path)
            party = _text(membership.get("on_behalf_of_id")) or None
            if party and party not in self.parties:
                _fail(f"{path}.on_behalf_of_id", f"names no party ({party!r})")
            if period and lp and lp != period:
                continue
            first, last = self._period_dates(lp) if lp else (None, None)
            start = _date(f"{path}.start_date", "start_date", membership.get("start_date"), False)
            if start is None and first is None:
                _fail(f"{path}.start_date", "is missing, and no legislative period gives one")
            end = _date(f"{path}.end_date", "end_date", membership.get("end_date"), False) or last
            reason = membership.get("end_reason")
            mandate = membership.get("mandate_type")
            seats.append(
                _Seat(
                    path=path,
                    body_slug=self.legislatures[org],
                    person_id=person,
                    area_id=area_id,
                    area_path=area_path,
                    party_id=party,
                    start=start or first,
                    end=end,
                    end_reason=_enum(f"{path}.end_reason", "end_reason", DeputyStatus, reason)
                    if reason
                    else None,
                    mandate=_enum(f"{path}.mandate_type", "mandate_type", MandateType, mandate)
                    if mandate
                    else None,
                )
            )
        return seats

    # -- districts and deputies --------------------------------------------------------------

    def district_for(self, body_slug: str, area_id: str) -> str:
        """Describe an area as a district of a body; returns the district's code."""
        index, area = self.areas[area_id]
        path = f"areas[{index}]"
        identifier = _text(area.get("identifier"))
        code = _text(area.get("code")) or identifier or area_id
        number = int(identifier) if identifier.isdigit() and int(identifier) > 0 else None
        if isinstance(area.get("number"), int) and area["number"] > 0:
            number = area["number"]
        parent = self.areas.get(_text(area.get("parent_id")))
        if area.get("parent_id") and parent is None:
            _fail(f"{path}.parent_id", f"names no area ({area.get('parent_id')!r})")
        region = _text(area.get("region"))
        if not region and parent:
            region = _text(parent[1].get("name"))
            self.plan.region_names[region] = _other_names(parent[1], f"areas[{parent[0]}]")
        region = region or self.plan.bodies[body_slug].region or ""
        _add_district(
            self.plan,
            path,
            DistrictRecord(
                body_slug=body_slug,
                code=code[:120],
                number=number,
                name=_text(area.get("name")) or _fail(f"{path}.name", "is missing"),
                region=region[:120],
                registered_voters=_extension(_int, path, area, "registered_voters"),
                voters_as_of=_extension(_date, path, area, "voters_as_of"),
                voters_at_election=_extension(_int, path, area, "voters_at_election"),
                election_date=_extension(_date, path, area, "election_date"),
                names=_other_names(area, path),
            ),
        )
        return code[:120]

    def person_details(self, person_id: str) -> dict[str, Any]:
        index, person = self.persons[person_id]
        path = f"persons[{index}]"
        identifiers = []
        for n, ident in enumerate(person.get("identifiers") or []):
            if not isinstance(ident, dict) or not _text(ident.get("identifier")):
                _fail(f"{path}.identifiers[{n}]", "needs an identifier")
            identifiers.append(
                {"scheme": _text(ident.get("scheme")), "identifier": _text(ident["identifier"])}
            )
        birth = _text(person.get("birth_date")) or None
        if birth and not _PARTIAL_DATE.match(birth):
            _fail(f"{path}.birth_date", f"must be a date like 1961-05-02 (or 1961), got {birth!r}")
        return {
            "full_name": _text(person.get("name")) or _fail(f"{path}.name", "is missing"),
            "names": _other_names(person, path),
            "identifiers": sorted(identifiers, key=lambda i: (i["scheme"], i["identifier"]))
            or None,
            "birth_date": birth,
        }

    def mandate_for(self, seat: _Seat) -> MandateType:
        mandate = self.options.mandate or seat.mandate
        if mandate is None:
            return MandateType.SINGLE_MANDATE if seat.area_id else MandateType.PARTY_LIST
        if mandate != MandateType.PARTY_LIST and not seat.area_id:
            _fail(seat.area_path, f"a {mandate.value} seat needs an area")
        return mandate

    def add_deputies(self, seats: list[_Seat]) -> None:
        by_person: dict[str, list[_Seat]] = {}
        for seat in seats:
            held = by_person.setdefault(seat.person_id, [])
            if held and held[0].body_slug != seat.body_slug:
                _fail(f"{seat.path}.person_id", "the person holds seats in two bodies")
            held.append(seat)
        today = utcnow().date()
        for person_id, held in by_person.items():
            held.sort(key=lambda s: (s.start, s.path))
            last = held[-1]
            mandate = self.mandate_for(last)
            ends = [s.end for s in held]
            end = None if None in ends else max(ends)
            status = last.end_reason or (
                DeputyStatus.TERM_ENDED if end is not None and end < today else DeputyStatus.SERVING
            )
            details = self.person_details(person_id)
            _add_deputy(
                self.plan,
                DeputyRecord(
                    row=last.path,
                    external_id=person_id,
                    body_slug=last.body_slug,
                    mandate_type=mandate,
                    district_code=self.district_for(last.body_slug, last.area_id)
                    if mandate != MandateType.PARTY_LIST
                    else None,
                    party=self.parties[last.party_id] if last.party_id else None,
                    term_start=held[0].start,
                    term_end=end,
                    status=status,
                    **details,
                ),
            )

    def add_vacant_posts(self) -> None:
        """A post of a body in an area is a district even while nobody holds its seat."""
        for index, post in self.posts.values():
            slug = self.legislatures.get(_text(post.get("organization_id")))
            area_id = _text(post.get("area_id"))
            if slug is None or not area_id or self.options.mandate == MandateType.PARTY_LIST:
                continue
            if area_id not in self.areas:
                _fail(f"posts[{index}].area_id", f"names no area ({area_id!r})")
            self.district_for(slug, area_id)

    def finish_bodies(self) -> None:
        """Seats where the file gives none: as many as deputies; bodies without any are left out."""
        counts: dict[str, int] = {}
        for record in self.plan.deputies:
            counts[record.body_slug] = counts.get(record.body_slug, 0) + 1
        for slug, body in list(self.plan.bodies.items()):
            if not body.seats_total:
                if not counts.get(slug):
                    # A legislature the chosen period has no seat in: not a body of this import.
                    del self.plan.bodies[slug]
                    for key in [k for k in self.plan.districts if k[0] == slug]:
                        del self.plan.districts[key]
                    continue
                body.seats_total = counts[slug]
            if body.seats_party_list is not None and body.seats_party_list > body.seats_total:
                _fail(f"{body.row}.party_list_seats", "cannot exceed seats")
            self.plan.complete_bodies.add(slug)


def plan_from_popolo(data: Any, options: PopoloOptions | None = None) -> ImportPlan:
    """Read a Popolo document into a checked plan (see the module's note)."""
    reader = _Reader(data, options or PopoloOptions())
    reader.read_organizations()
    seats = reader.read_seats(reader.chosen_period())
    reader.add_deputies(seats)
    reader.add_vacant_posts()
    reader.finish_bodies()
    return reader.plan
