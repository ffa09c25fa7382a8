"""Language choice (the switcher, which sets a cookie; the cookie; Accept-Language) and the
application's local time zone."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request

LANG_COOKIE = "lang"
API_PREFIX = "/api/v1/"
API_DEFAULT_LOCALE = "en"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def select_locale() -> str:
    """Flask-Babel locale selector."""
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    explicit = request.args.get("lang")
    if explicit in supported:
        return explicit
    if request.path.startswith(API_PREFIX):
        # A program asks with Accept-Language; without it, English (docs/api.md), not the
        # site's default language or a browser's cookie.
        return request.accept_languages.best_match(supported) or API_DEFAULT_LOCALE
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in supported:
        return cookie
    return (
        request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


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
