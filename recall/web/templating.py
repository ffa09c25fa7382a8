"""Template helpers available on every page."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import get_locale

from recall.i18n import LANGUAGE_NAMES
from recall.rules.iin import mask_iin
from recall.rules.progress import clock
from recall.services.names import display_name, region_display_name


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
    app.jinja_env.globals["clock"] = clock  # h:mm:ss, as the commands' progress shows it
    # A global, not a context variable, so that imported macros (pagination) can use it.
    app.jinja_env.globals["url_with"] = _url_with
