"""Language choice: the switcher (which sets a cookie), then the cookie, then Accept-Language."""
from __future__ import annotations

from flask import current_app, request

LANG_COOKIE = "lang"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def select_locale() -> str:
    """Flask-Babel locale selector."""
    supported = current_app.config["LANGUAGES"]
    explicit = request.args.get("lang")
    if explicit in supported:
        return explicit
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in supported:
        return cookie
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
