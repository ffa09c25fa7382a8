"""Localities: importing the table of places and their districts, and finding a district by place.

**The file** (``flask districts import-localities FILE.csv``) is CSV with a header row:

- ``locality`` (required): the town or village, in any script;
- ``street`` (optional): a street or micro-district of it, when the locality is split between
  districts;
- ``district_code`` (required): the district's code as its body knows it (a Kazakh district's
  code is its number);
- ``body`` (optional): the body's slug; needed only when the code names districts of several bodies;
- ``locality_kk``, ``locality_ru``, ``locality_en`` (optional): the locality's name in those
  languages (shown to readers of each; searched in every script);
- ``street_kk``, ``street_ru``, ``street_en`` (optional): the street's name in those languages,
  the same way; a row may give them without ``street``, which is then the first of them in the
  fallback order (Russian, Kazakh, English).

All or nothing: every row is checked first and every bad row is reported by its line number; a
file with any bad row writes nothing. The file is the whole table for each body it names: those
bodies' earlier localities are replaced, so importing the same file twice changes nothing.

**Search** (``find_districts``): every word of the query, folded to one script
(``recall.rules.names``), must appear in a locality's name or street, in any of their languages
(the locality's search key holds them all); when no place matches, in a
district's own name. A place split between districts lists every district it touches, each with
the matching places.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from recall.errors import Invalid
from recall.extensions import db
from recall.models import Body, Deputy, DeputyStatus, District, Locality
from recall.rules.names import pick_name, query_words
from recall.services.pagination import Page, paginate

COLUMNS = (
    "locality",
    "street",
    "district_code",
    "body",
    "locality_kk",
    "locality_ru",
    "locality_en",
    "street_kk",
    "street_ru",
    "street_en",
)
REQUIRED = ("locality", "district_code")
NAME_LANGUAGES = ("kk", "ru", "en")
MAX_TEXT = 200
MAX_ERRORS_SHOWN = 20
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class LocalityImport:
    created: int
    replaced: int  # rows of the same bodies that the file replaced
    bodies: int


@dataclass
class _Row:
    line: int
    district_id: int
    body_id: int
    name: str
    street: str | None
    names: dict[str, str]
    street_names: dict[str, str]


@dataclass
class _Districts:
    """Every district by (body slug, code) and by code alone, read once for the whole file."""

    by_body_code: dict[tuple[str, str], District] = field(default_factory=dict)
    by_code: dict[str, list[District]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls) -> _Districts:
        known = cls()
        for district, slug in db.session.execute(sa.select(District, Body.slug).join(Body)):
            known.by_body_code[(slug, district.code)] = district
            known.by_code[district.code].append(district)
        return known

    def find(self, code: str, slug: str | None) -> District | str:
        """The district, or the reason (translated) it cannot be told."""
        if slug:
            district = self.by_body_code.get((slug, code))
            return district or _("no district %(code)s in body %(body)s", code=code, body=slug)
        matches = self.by_code.get(code, [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            return _("no district has the code %(code)s", code=code)
        return _("several bodies have a district %(code)s: add a body column", code=code)


def _cell(raw: dict, column: str) -> str:
    return (raw.get(column) or "").strip()


def _check_row(line: int, raw: dict, known: _Districts) -> _Row | str:
    if None in raw:
        return _("more values than columns")
    name, code = _cell(raw, "locality"), _cell(raw, "district_code")
    if not name:
        return _("locality is missing")
    if not code:
        return _("district_code is missing")
    too_long = [c for c in COLUMNS if len(_cell(raw, c)) > MAX_TEXT]
    if too_long:
        return _("%(column)s is longer than %(n)d characters", column=too_long[0], n=MAX_TEXT)
    district = known.find(code, _cell(raw, "body") or None)
    if not isinstance(district, District):
        return district
    names = _names_in(raw, "locality")
    street_names = _names_in(raw, "street")
    return _Row(
        line=line,
        district_id=district.id,
        body_id=district.body_id,
        name=name,
        # A street given only per language is known by its first name in the fallback order.
        street=_cell(raw, "street") or pick_name(street_names, None, None) or None,
        names=names,
        street_names=street_names,
    )


def _names_in(raw: dict, prefix: str) -> dict[str, str]:
    """The non-empty ``<prefix>_<lang>`` cells of a row, by language."""
    names = {lang: _cell(raw, f"{prefix}_{lang}") for lang in NAME_LANGUAGES}
    return {lang: value for lang, value in names.items() if value}


def _read_rows(text: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        problem = (
            _("missing column(s): %(columns)s", columns=", ".join(missing))
            if missing
            else _("unknown column(s): %(columns)s", columns=", ".join(unknown))
        )
        raise Invalid(_("Line 1: %(problem)s.", problem=problem), field="file")
    reader.fieldnames = header
    known = _Districts.load()
    rows: list[_Row] = []
    errors: list[str] = []
    for line, raw in enumerate(reader, start=2):
        checked = _check_row(line, raw, known)
        if isinstance(checked, _Row):
            rows.append(checked)
        else:
            errors.append(_("Line %(n)d: %(problem)s.", n=line, problem=checked))
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > len(shown):
            shown.append(_("…and %(n)d more.", n=len(errors) - len(shown)))
        head = ngettext(
            "%(num)d bad row; nothing was imported.",
            "%(num)d bad rows; nothing was imported.",
            len(errors),
        )
        raise Invalid("\n".join([head, *shown]), field="file")
    if not rows:
        raise Invalid(_("The file has no localities."), field="file")
    return rows


def import_localities(text: str) -> LocalityImport:
    """Replace the localities of every body the CSV ``text`` names (see the module's note).

    Raises ``Invalid`` listing every bad row by line number; writes nothing then. Flushes.
    """
    rows = _read_rows(text)
    body_ids = {row.body_id for row in rows}
    replaced = db.session.execute(
        sa.delete(Locality).where(
            Locality.district_id.in_(sa.select(District.id).where(District.body_id.in_(body_ids)))
        )
    ).rowcount
    seen: set[tuple[int, str, str | None]] = set()
    for row in rows:
        key = (row.district_id, row.name, row.street)
        if key in seen:  # the same line twice says nothing more
            continue
        seen.add(key)
        db.session.add(
            Locality(
                district_id=row.district_id,
                name=row.name,
                street=row.street,
                names=row.names,
                street_names=row.street_names,
            )
        )
    db.session.flush()
    return LocalityImport(created=len(seen), replaced=replaced or 0, bodies=len(body_ids))


def import_localities_file(path: str | Path) -> LocalityImport:
    """``import_localities`` on a UTF-8 file (a byte-order mark is allowed)."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise Invalid(_("The file is larger than 50 MB."), field="file")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(_("Cannot read the file: %(error)s", error=str(exc)), field="file") from exc
    return import_localities(text)


# -- search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictMatch:
    """A district a search found, with the places in it that matched (empty when only the
    district's own name did)."""

    district: District
    places: list[Locality]
    deputies: list[Deputy]  # serving


def _all_words(column, words: list[str]):
    return sa.and_(*(column.contains(word) for word in words))


def find_districts(
    query: str | None, page: int | None = 1, per_page: int | None = 20
) -> Page[DistrictMatch]:
    """Districts with a place (else an own name) containing every word of ``query``, any script.

    Ordered by body, then district number and code. An empty query (or one with no letters or
    digits) raises ``Invalid``: every district of every body is no answer to "where do you live".
    """
    words = query_words((query or "")[:100])
    if not words:
        raise Invalid(_("Type the name of your town, village or street."), field="q")
    by_place = sa.select(Locality.district_id).where(_all_words(Locality.search_key, words))
    # Places first; a district's own name only when no place matches: "Karaganda" is the city's
    # districts, not every district of the region whose name says "Karaganda Region".
    if db.session.scalar(sa.select(by_place.exists())):
        where = District.id.in_(by_place)
    else:
        where = _all_words(District.search_key, words)
    districts = (
        sa.select(District)
        .where(where)
        .order_by(District.body_id, District.number.nulls_last(), District.code, District.id)
    )
    found = paginate(districts, page, per_page)
    places: dict[int, list[Locality]] = defaultdict(list)
    deputies: dict[int, list[Deputy]] = defaultdict(list)
    if found.items:
        for deputy in db.session.scalars(
            sa.select(Deputy)
            .where(
                Deputy.district_id.in_([d.id for d in found.items]),
                Deputy.status == DeputyStatus.SERVING,
            )
            .order_by(Deputy.full_name, Deputy.id)
        ):
            deputies[deputy.district_id].append(deputy)
        for place in db.session.scalars(
            sa.select(Locality)
            .where(
                Locality.district_id.in_([d.id for d in found.items]),
                _all_words(Locality.search_key, words),
            )
            .order_by(Locality.name, Locality.street.nulls_first(), Locality.id)
        ):
            places[place.district_id].append(place)
    return replace(
        found,
        items=[DistrictMatch(d, places.get(d.id, []), deputies.get(d.id, [])) for d in found.items],
    )
