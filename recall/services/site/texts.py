"""The operator's texts (privacy notice, how it works), read from files an operator edits.

``SITE_TEXTS_DIR/<lang>/<name>.txt`` (default: ``site_texts/`` in the repository), plain text with a
blank line between paragraphs: no markup to get wrong, nothing to escape. A language without its
file falls back to the site's default language, then to English, so a page is never empty.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from recall.errors import NotFound

TEXTS = ("privacy", "how-it-works")
SHIPPED_DIR = Path(__file__).resolve().parents[3] / "site_texts"


def texts_dir() -> Path:
    """The folder the texts are read from (``SITE_TEXTS_DIR`` or the shipped one)."""
    configured = current_app.config.get("SITE_TEXTS_DIR")
    return Path(configured) if configured else SHIPPED_DIR


def site_text(name: str, locale: str) -> list[str]:
    """The paragraphs of text ``name`` in ``locale`` (or the fallback language); ``NotFound`` for
    a name that is not one of :data:`TEXTS` or has no file in any language."""
    if name not in TEXTS:
        raise NotFound(f"no site text {name!r}")
    for lang in (locale, current_app.config["BABEL_DEFAULT_LOCALE"], "en"):
        path = texts_dir() / lang / f"{name}.txt"
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    raise NotFound(f"no site text {name!r}")
