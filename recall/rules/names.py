"""Names in several languages: which one a reader sees, and the search key that ignores script.

Pure functions (no database, no Flask): ``recall/services/names.py`` applies them to rows.

**Which name is shown.** A row carries ``names`` (language code -> name, e.g. ``{"kk": ..., "ru":
..., "en": ...}``, plus any other language a Popolo file's ``other_names`` brought) and its legacy
single ``name`` (the name as its source spelled it). ``pick_name`` returns the first of: the
reader's language, then ``FALLBACK_ORDER`` (Russian, read by nearly every voter in Kazakhstan, then
Kazakh, then English), then any other language in alphabetical order of its code, then the legacy
name. Empty strings count as missing.

**The search key.** ``fold`` turns a name into lowercase ASCII words with ``anyascii`` (a
maintained Unicode-to-ASCII transliteration of every script), then evens out the few spellings in
which Russian and Kazakh names are romanized differently, so the Cyrillic and Latin spellings of
one name give one key: Тулегенова/Tulegenova, Сейткали/Seitkali (й: y or i), Ерлан/Yerlan (е at
the start of a word: e or ye), Қарағанды/Karaganda (қ: q or k, ғ: gh or g), Джаксыбеков/
Zhaksybekov (дж: dzh or zh), Хасенов/Hasenov (х: kh or h), Нурпейісова/Nurpeisova (doubled
letters). ``search_key`` joins the folded names of a row with ``|``, a character ``fold`` never
writes, so a query matches inside one name, never across two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from anyascii import anyascii

FALLBACK_ORDER: tuple[str, ...] = ("ru", "kk", "en")
KEY_SEPARATOR = "|"
MAX_LANGUAGE_CODE = 16  # "kk", "en", "zh-Hant", "sr-Latn": BCP 47 tags as Popolo files use them

_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{1,8})*")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_DOUBLED = re.compile(r"([a-z])\1+")
# Applied in order to the ASCII form, word by word; each pair is two romanizations of one
# Cyrillic letter (or the same letter written twice), so both spellings fold to the same key.
_VARIANTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bye"), "e"),  # Ерлан: Yerlan / Erlan
    (re.compile(r"dzh"), "zh"),  # Джаксыбеков: Dzhaksybekov / Zhaksybekov
    (re.compile(r"kh"), "h"),  # Хасенов: Khasenov / Hasenov
    (re.compile(r"gh"), "g"),  # Ғабит: Ghabit / Gabit
    (re.compile(r"q"), "k"),  # Қарағанды: Qaraghandy / Karaganda
    (re.compile(r"y"), "i"),  # Сейткали: Seytkali / Seitkali; Айгерим: Aygerim / Aigerim
    (re.compile(r"j"), "zh"),  # Жанар: Zhanar / Janar (Kazakh Latin)
)


def fold(text: str | None) -> str:
    """``text`` as lowercase ASCII words separated by single spaces, romanization variants evened
    out (see the module's docstring). ``""`` for ``None`` or text with no letters or digits."""
    if not text:
        return ""
    ascii_text = _NOT_WORD.sub(" ", anyascii(text).lower()).strip()
    for pattern, replacement in _VARIANTS:
        ascii_text = pattern.sub(replacement, ascii_text)
    return _DOUBLED.sub(r"\1", ascii_text)


def search_key(texts: Iterable[str | None]) -> str:
    """The folded forms of ``texts``, each once, in first-seen order, joined by ``|``."""
    seen: dict[str, None] = {}
    for text in texts:
        key = fold(text)
        if key:
            seen.setdefault(key, None)
    return KEY_SEPARATOR.join(seen)


def query_words(query: str | None) -> list[str]:
    """The folded words of a search query; a row matches when its key contains every one."""
    return fold(query).split()


def pick_name(names: Mapping[str, str] | None, locale: str | None, legacy: str | None) -> str:
    """The name to show a reader of ``locale`` (see the module's docstring for the order)."""
    names = names or {}
    wanted = [locale.lower(), re.split(r"[-_]", locale)[0].lower()] if locale else []
    for code in (*wanted, *FALLBACK_ORDER, *sorted(names)):
        value = names.get(code)
        if value:
            return value
    return legacy or ""


def clean_names(names: Mapping[str, object] | None) -> dict[str, str]:
    """``names`` with codes lowercased (``zh_Hant`` -> ``zh-hant``), values stripped, and empty or malformed
    entries dropped. Raises ``ValueError(code)`` for the first code that is not a language code."""
    cleaned: dict[str, str] = {}
    for code, value in (names or {}).items():
        tag = str(code).strip().lower().replace("_", "-")
        if len(tag) > MAX_LANGUAGE_CODE or not _LANGUAGE_TAG.fullmatch(tag):
            raise ValueError(code)
        text = str(value).strip() if value is not None else ""
        if text:
            cleaned[tag] = text
    return cleaned


def usable_names(names: Mapping[str, object] | None) -> dict[str, str]:
    """Like ``clean_names``, but leaving out entries whose code is not a language code (for
    sources such as Popolo files, where one odd tag should not reject the whole file)."""
    usable: dict[str, str] = {}
    for code, value in (names or {}).items():
        try:
            usable.update(clean_names({code: value}))
        except ValueError:
            continue
    return usable
