"""The name a reader sees, and the search key that ignores script and case (recall/rules/names.py)."""

from __future__ import annotations

import pytest

from recall.rules.names import clean_names, fold, pick_name, query_words, search_key


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Тулегенова", "Tulegenova"),
        ("ТУЛЕГЕНОВА", "tulegenova"),
        ("Сейткали", "Seitkali"),  # й written y or i
        ("Ерлан", "Yerlan"),  # initial е written e or ye
        ("Қызылорда", "Kyzylorda"),  # қ written q or k
        ("Джаксыбеков", "Zhaksybekov"),  # дж written dzh or zh
        ("Хасенов", "Khasenov"),
        ("Нурпейісова", "Nurpeisova"),  # Kazakh і, й then і
        ("Әйгерім", "Aigerim"),
        ("Жанар", "Janar"),  # Kazakh Latin j
        ("Бухар-Жырау", "Bukhar Zhyrau"),  # punctuation is a word break
    ],
)
def test_cyrillic_and_latin_spellings_of_one_name_fold_to_one_key(cyrillic, latin):
    assert fold(cyrillic) == fold(latin)
    assert fold(cyrillic).isascii()


def test_different_names_keep_different_keys():
    assert fold("Тулегенова") != fold("Tolegenova")
    assert fold("Omarova") != fold("Akhmetova")
    assert fold("Astana") != fold("Almaty")


def test_fold_of_nothing_is_empty():
    assert fold(None) == "" and fold("") == "" and fold(" - ( ) ") == ""


def test_search_key_keeps_each_name_once_and_separates_them():
    key = search_key(["Tulegenova Aigerim", "Тулегенова Айгерим", None, "", "Төлегенова Әйгерім"])
    assert key == "tulegenova aigerim|tolegenova aigerim"
    # A query never matches across two names: the separator is no letter.
    assert "aigerim tolegenova" not in key


def test_query_words_fold_each_word():
    assert query_words("  Тулегенова,  АЙГЕРИМ ") == ["tulegenova", "aigerim"]
    assert query_words("%_") == []


def test_pick_name_follows_the_stated_order():
    names = {"kk": "Мәжіліс", "ru": "Мажилис", "en": "Mazhilis", "de": "Mazhilis (de)"}
    assert pick_name(names, "kk", "legacy") == "Мәжіліс"
    assert pick_name(names, "ru_RU", "legacy") == "Мажилис"  # a region variant finds its language
    assert pick_name({"kk": "Мәжіліс", "en": "Mazhilis"}, "ru", "legacy") == "Мәжіліс"  # ru, kk...
    assert pick_name({"en": "Mazhilis", "de": "D"}, "fr", "legacy") == "Mazhilis"  # ...then en
    assert pick_name({"de": "D", "cs": "C"}, "fr", "legacy") == "C"  # then others, by code
    assert pick_name({"ru": ""}, "ru", "legacy") == "legacy"  # empty counts as missing
    assert pick_name(None, None, None) == ""


def test_clean_names_normalises_codes_and_drops_empty_values():
    assert clean_names({"RU": " Мажилис ", "zh_Hant": "馬日利斯", "en": "", "kk": None}) == {
        "ru": "Мажилис",
        "zh-hant": "馬日利斯",
    }
    for bad in ("", "russian", "1a", "r u"):
        with pytest.raises(ValueError):
            clean_names({bad: "x"})
