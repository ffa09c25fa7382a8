"""Template helpers available on every page."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import format_decimal, get_locale
from markupsafe import Markup

from recall.i18n import LANGUAGE_NAMES, format_clock, format_day, format_moment
from recall.models.base import utcnow
from recall.notifications.mail import public_url
from recall.rules import charts
from recall.rules.deadlines import days_left
from recall.rules.iin import mask_iin
from recall.rules.progress import clock
from recall.services.names import display_name, region_display_name, street_name
from recall.services.words import word
from recall.web.page_cache import csrf_slot


def _url_with(**changes) -> str:
    """The current URL with some query arguments replaced (for pagination and filters)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    from flask import url_for

    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _number(value) -> str:
    """A number as the reader's language writes it (thousands separated: 12 035 578, 12,035,578)."""
    return "" if value is None else format_decimal(value)


def _decimal1(value) -> str:
    """A share in percent with one decimal, as the reader's language writes it (12.5, 12,5)."""
    return "" if value is None else format_decimal(value, format="#,##0.0")


def _svg(draw):
    """A chart function of ``recall.rules.charts`` for templates (it escapes what it draws)."""
    return lambda *args, **kwargs: Markup(draw(*args, **kwargs))


def init_app(app: Flask) -> None:
    @app.context_processor
    def _globals():
        return {
            "current_locale": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
        }

    app.jinja_env.filters["mask_iin"] = mask_iin
    # Names in the reader's language (issue 11): {{ body|name }}, {{ district.region|region_name }}.
    app.jinja_env.filters["name"] = display_name
    app.jinja_env.filters["region_name"] = region_display_name
    app.jinja_env.filters["street_name"] = street_name  # {{ place|street_name }}
    # Numbers and dates per locale, the same everywhere (issue 14): ``{{ n|number }}``, ``{{ d|day }}``.
    app.jinja_env.filters["number"] = _number
    app.jinja_env.filters["day"] = format_day
    # A moment to the minute in the application's time zone: ``{{ entry.created_at|moment }}``.
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["clock_time"] = format_clock  # 14:05, for what expires within the hour
    app.jinja_env.filters["decimal1"] = _decimal1
    app.jinja_env.globals["csrf_slot"] = csrf_slot  # a form on a page the cache may share
    app.jinja_env.globals["clock"] = clock  # h:mm:ss, as the commands' progress shows it
    app.jinja_env.globals["progress_bar_svg"] = _svg(charts.progress_bar_svg)
    app.jinja_env.globals["column_chart_svg"] = _svg(charts.column_chart_svg)
    # Absolute links on PUBLIC_BASE_URL: share links, Open Graph tags, the printed QR code.
    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.globals["days_left"] = lambda moment: days_left(moment, utcnow())
    # A global, not a context variable, so that imported macros (pagination) can use it.
    app.jinja_env.globals["url_with"] = _url_with
    # Codes as words in the reader's language (recall.services.words, shared with e-mails).
    app.jinja_env.globals["word"] = word
