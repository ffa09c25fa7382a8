"""Names per language, for every surface: which name a reader sees, and writing names.

The order in which a name is chosen is ``recall.rules.names.pick_name``'s: the reader's language,
then Russian, Kazakh, English, any other language, then the row's legacy name column. Templates
use the ``name`` and ``region_name`` filters (``recall/web/templating.py``), the API the same
functions with the requested language, so a page and the API never disagree.

Writers (the deputies import, the demo, the locality import) call ``set_names`` and
``ensure_region``; the search key follows by itself (``recall/models/names.py``).
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from flask import has_app_context
from flask_babel import get_locale
from flask_babel import gettext as _

from recall.errors import Invalid
from recall.extensions import db
from recall.models import NamedMixin, Region
from recall.rules.names import clean_names, pick_name


def current_language() -> str | None:
    """The reader's language (Flask-Babel's choice), or ``None`` outside a request/app."""
    if not has_app_context():
        return None
    locale = get_locale()
    return str(locale) if locale else None


def display_name(row: NamedMixin | None, language: str | None = None) -> str:
    """``row``'s name for a reader of ``language`` (default: the current one); ``""`` for None."""
    if row is None:
        return ""
    return pick_name(row.names, language or current_language(), row.legacy_name)


def district_label(district, language: str | None = None) -> str:
    """ "12. Name" for a list of districts: the number where it has one, else its code
    (``E14000530``, a district imported from a real Popolo file), then its name in ``language``."""
    return f"{district.designation}. {display_name(district, language)}"


def street_name(place, language: str | None = None) -> str:
    """A locality's street or micro-district for a reader of ``language`` (default: the current
    one), in ``pick_name``'s order, the street as the file spelled it last; ``""`` when none."""
    if place is None:
        return ""
    return pick_name(place.street_names, language or current_language(), place.street)


def names_of(row: NamedMixin | None) -> dict[str, str]:
    """Every name of ``row`` by language (a copy); ``{}`` for None."""
    return dict(row.names or {}) if row is not None else {}


def set_names(row: NamedMixin, names: Mapping[str, object], *, replace: bool = False) -> None:
    """Merge ``names`` into ``row.names`` (or replace them all with ``replace=True``).

    Empty values are dropped (an empty value never clears a name unless ``replace``). Raises
    ``Invalid`` for a key that is not a language code. Flushes nothing.
    """
    try:
        cleaned = clean_names(names)
    except ValueError as error:
        raise Invalid(
            _("%(code)s is not a language code.", code=error.args[0]), field="names"
        ) from error
    row.names = cleaned if replace else {**(row.names or {}), **cleaned}


def _region(name: str) -> Region | None:
    # One indexed lookup per call: no cache to go stale between requests or after an import.
    return db.session.scalar(sa.select(Region).where(Region.name == name))


def region_display_name(region: str | None, language: str | None = None) -> str:
    """The name to show for a ``region`` string (as bodies and districts store it)."""
    if not region:
        return ""
    row = _region(region)
    return display_name(row, language) if row is not None else region


def region_names(region: str | None) -> dict[str, str]:
    """Every name of the ``region`` string's region row; ``{}`` without one."""
    return names_of(_region(region)) if region else {}


def ensure_region(name: str, names: Mapping[str, object] | None = None) -> Region:
    """The region called ``name`` (created when missing), with ``names`` merged in. Flushes."""
    region = _region(name)
    if region is None:
        region = Region(name=name)
        db.session.add(region)
    if names:
        set_names(region, names)
    db.session.flush()
    return region
