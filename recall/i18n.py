"""Language choice (the switcher, which sets a cookie; the cookie; Accept-Language) and the
application's local time zone."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from flask import current_app, has_request_context, request
from flask_babel import format_date, format_time
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANG_COOKIE = "lang"
API_PREFIX = "/api/v1/"
API_DEFAULT_LOCALE = "en"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def select_locale() -> str:
    """Flask-Babel locale selector."""
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    explicit = request.args.get("lang") if request.query_string else None  # no parse for none
    if explicit in supported:
        return explicit
    if request.path.startswith(API_PREFIX):
        # A program asks with Accept-Language; without it, English (docs/api.md), not the
        # site's default language or a browser's cookie.
        return _accepted(supported) or API_DEFAULT_LOCALE
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in supported:
        return cookie
    return _accepted(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


# Accept-Language headers are few (browsers send their users' settings): parsing one and matching
# it, then parsing the chosen locale, cost a signature about 3% of its CPU on every request.
_CACHED_HEADER_LENGTH = 200


def _accepted(supported) -> str | None:
    """The best of ``supported`` for the request's Accept-Language (None when nothing matches)."""
    header = request.environ.get("HTTP_ACCEPT_LANGUAGE") or ""
    if len(header) > _CACHED_HEADER_LENGTH:  # not a browser's: not worth a cache entry
        return _best_match(header, tuple(supported))
    return _cached_best_match(header, tuple(supported))


def _best_match(header: str, supported: tuple[str, ...]) -> str | None:
    return parse_accept_header(header, LanguageAccept).best_match(supported)


_cached_best_match = lru_cache(maxsize=256)(_best_match)


@lru_cache(maxsize=64)
def _parsed_locale(name: str) -> Locale:
    return Locale.parse(name)


def selected_locale() -> Locale:
    """:func:`select_locale` as the ``Locale`` Flask-Babel makes of it, parsed once per name
    (Flask-Babel leaves a ``Locale`` as it is)."""
    return _parsed_locale(select_locale())


def local_zone() -> ZoneInfo:
    """The application's time zone (``BABEL_DEFAULT_TIMEZONE``, UTC when unset): signing days,
    counts per day and the age check all use it. ``local_zone().key`` is its name, for SQL."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")


def start_of_local_day(day: date) -> datetime:
    """The moment ``day`` begins in the application's time zone (an aware datetime): periodic
    digests cut their periods there."""
    return datetime.combine(day, time.min, tzinfo=local_zone())


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it here.

    For strings stored as data and translated where they are shown (topic names, for example):
    translating at definition time would store one language in the database.
    """
    return message


def format_day(value: date | datetime | str | None) -> str:
    """A date as the reader's language writes it (3 Dec 2026, 3 дек. 2026 г.); a datetime is read
    in the application's time zone first; an ISO string is read first. Pages (``|day``), e-mails
    and messages all use it, so no reader meets 2026-11-03."""
    if value is None or value == "":
        return ""
    return format_date(_parsed(value), format="medium")


def format_moment(value: datetime | str | None) -> str:
    """A moment as the reader's language writes it, in the application's time zone, to the minute
    (3 Dec 2026, 14:05 / 3 дек. 2026 г., 14:05); ``|moment`` on pages."""
    if value is None or value == "":
        return ""
    moment = _parsed(value)
    return f"{format_date(moment, format='medium')}, {format_time(moment, format='short')}"


def format_clock(value: datetime | str | None) -> str:
    """The time of day of a moment, in the application's time zone, as the reader's language
    writes it (14:05): for what expires within the hour (a review claim, a signing challenge),
    where a date would only be noise. ``|clock_time`` on pages."""
    if value is None or value == "":
        return ""
    return format_time(_parsed(value), format="short")


_ISO_MONTH = re.compile(r"\d{4}-\d{2}")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def _parsed(value: date | datetime | str) -> date | datetime:
    """``value``, an ISO string read as a date or a datetime (without a zone: UTC, as stored)."""
    if not isinstance(value, str):
        return value
    if _ISO_DAY.fullmatch(value):
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


def format_iso(value: object) -> object:
    """An ISO date or date-time string (as event payloads carry them) written for the reader;
    any other value unchanged (e-mails list payload fields this way)."""
    if not isinstance(value, str):
        return value
    if _ISO_MONTH.fullmatch(value):  # a report card's month: "November 2026"
        return format_date(date.fromisoformat(f"{value}-01"), format="LLLL yyyy")
    if _ISO_DAY.fullmatch(value):
        return format_day(value)
    if _ISO_MOMENT.fullmatch(value):
        return format_moment(value)
    return value
