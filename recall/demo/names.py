"""The demo's names in Kazakh and Russian (Cyrillic) and English (Latin) (issue 11).

Every name is written the way each language writes it, not transliterated: Kazakh uses its own
letters (Қарағанды, Нұрлан, Әйгерім), Russian its usual forms (Караганда, Нурлан, Айгерим), English
the common romanization (Karaganda, Nurlan, Aigerim). A reader of the Russian page sees Russian.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# English region name (as bodies and districts store it) -> Kazakh, Russian.
REGIONS: dict[str, tuple[str, str]] = {
    "Almaty": ("Алматы қаласы", "город Алматы"),
    "Turkestan Region": ("Түркістан облысы", "Туркестанская область"),
    "Astana": ("Астана қаласы", "город Астана"),
    "Shymkent": ("Шымкент қаласы", "город Шымкент"),
    "Almaty Region": ("Алматы облысы", "Алматинская область"),
    "Jambyl Region": ("Жамбыл облысы", "Жамбылская область"),
    "Karaganda Region": ("Қарағанды облысы", "Карагандинская область"),
    "Abai Region": ("Абай облысы", "Абайская область"),
    "Akmola Region": ("Ақмола облысы", "Акмолинская область"),
    "Aktobe Region": ("Ақтөбе облысы", "Актюбинская область"),
    "Atyrau Region": ("Атырау облысы", "Атырауская область"),
    "East Kazakhstan Region": ("Шығыс Қазақстан облысы", "Восточно-Казахстанская область"),
    "Jetisu Region": ("Жетісу облысы", "Жетысуская область"),
    "Kostanay Region": ("Қостанай облысы", "Костанайская область"),
    "Kyzylorda Region": ("Қызылорда облысы", "Кызылординская область"),
    "Mangystau Region": ("Маңғыстау облысы", "Мангистауская область"),
    "Pavlodar Region": ("Павлодар облысы", "Павлодарская область"),
    "North Kazakhstan Region": ("Солтүстік Қазақстан облысы", "Северо-Казахстанская область"),
    "Ulytau Region": ("Ұлытау облысы", "Улытауская область"),
    "West Kazakhstan Region": ("Батыс Қазақстан облысы", "Западно-Казахстанская область"),
}

# English party name -> Kazakh, Russian.
PARTIES: dict[str, tuple[str, str]] = {
    "Amanat": ("«AMANAT» партиясы", "партия «AMANAT»"),
    "Auyl People's Democratic Patriotic Party": (
        "«Ауыл» халықтық-демократиялық патриоттық партиясы",
        "Народно-демократическая патриотическая партия «Ауыл»",
    ),
    "Respublica": ("«Respublica» партиясы", "партия «Respublica»"),
    "Ak Zhol Democratic Party": (
        "«Ақ жол» демократиялық партиясы",
        "Демократическая партия «Ак жол»",
    ),
    "People's Party of Kazakhstan": ("Қазақстан Халық партиясы", "Народная партия Казахстана"),
    "National Social Democratic Party": (
        "Жалпыұлттық социал-демократиялық партия",
        "Общенациональная социал-демократическая партия",
    ),
}

# Body slug -> Kazakh, Russian, English.
BODIES: dict[str, tuple[str, str, str]] = {
    "mazhilis": ("Парламент Мәжілісі", "Мажилис Парламента", "Mazhilis of the Parliament"),
    "karaganda-oblast-maslikhat": (
        "Қарағанды облыстық мәслихаты",
        "Карагандинский областной маслихат",
        "Karaganda Region Maslikhat",
    ),
    "bukhar-zhyrau-district-maslikhat": (
        "Бұқар жырау аудандық мәслихаты",
        "Бухар-Жырауский районный маслихат",
        "Bukhar-Zhyrau District Maslikhat",
    ),
}


@dataclass(frozen=True)
class Spelling:
    kk: str
    ru: str
    en: str


def _s(kk: str, ru: str, en: str) -> Spelling:
    return Spelling(kk, ru, en)


# Given names, by gender; surnames as the masculine form (the feminine adds -а / -a).
MALE_NAMES = (
    _s("Нұрлан", "Нурлан", "Nurlan"),
    _s("Ерлан", "Ерлан", "Yerlan"),
    _s("Марат", "Марат", "Marat"),
    _s("Дәулет", "Даулет", "Daulet"),
    _s("Асқар", "Аскар", "Askar"),
    _s("Тимур", "Тимур", "Timur"),
    _s("Бауыржан", "Бауыржан", "Bauyrzhan"),
    _s("Руслан", "Руслан", "Ruslan"),
    _s("Серік", "Серик", "Serik"),
)
FEMALE_NAMES = (
    _s("Әйгерім", "Айгерим", "Aigerim"),
    _s("Дана", "Дана", "Dana"),
    _s("Әлия", "Алия", "Aliya"),
    _s("Сәуле", "Сауле", "Saule"),
    _s("Жанар", "Жанар", "Zhanar"),
    _s("Гүлнара", "Гульнара", "Gulnara"),
    _s("Мадина", "Мадина", "Madina"),
    _s("Әсел", "Асель", "Asel"),
    _s("Айнұр", "Айнур", "Ainur"),
)
SURNAMES = (
    _s("Ахметов", "Ахметов", "Akhmetov"),
    _s("Омаров", "Омаров", "Omarov"),
    _s("Сүлейменов", "Сулейменов", "Suleimenov"),
    _s("Жақыпов", "Жакупов", "Zhakupov"),
    _s("Беков", "Беков", "Bekov"),
    _s("Нұрпейісов", "Нурпеисов", "Nurpeisov"),
    _s("Кәрімов", "Каримов", "Karimov"),
    _s("Төлегенов", "Тулегенов", "Tulegenov"),
    _s("Әбенов", "Абенов", "Abenov"),
    _s("Ысмайылов", "Исмаилов", "Ismailov"),
    _s("Жақсыбеков", "Джаксыбеков", "Dzhaksybekov"),
    _s("Сәрсенов", "Сарсенов", "Sarsenov"),
    _s("Мұқанов", "Муканов", "Mukanov"),
)
DEMO_MARK = Spelling("(демо)", "(демо)", "(demo)")


def person_names(rng: random.Random) -> dict[str, str]:
    """A fictional person's name in kk, ru and en (surname first, as lists print them)."""
    surname = rng.choice(SURNAMES)
    female = rng.random() < 0.5
    given = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    names = {}
    for lang in ("kk", "ru", "en"):
        family = getattr(surname, lang) + ("a" if female and lang == "en" else "")
        family += "а" if female and lang != "en" else ""
        names[lang] = f"{family} {getattr(given, lang)} {getattr(DEMO_MARK, lang)}"
    return names


def mazhilis_district_names(number: int, region: str, index: int | None) -> dict[str, str]:
    """A Mazhilis district's name in kk, ru and en; ``index`` numbers a region's several ones."""
    kk_region, ru_region = REGIONS[region]
    part = f", {index}" if index else ""
    return {
        "kk": f"№ {number} бір мандатты аумақтық сайлау округі ({kk_region}{part})",
        "ru": f"Одномандатный территориальный избирательный округ № {number} ({ru_region}{part})",
        "en": f"Single-mandate territorial district No. {number} ({region}{part})",
    }


def maslikhat_district_names(slug: str, number: int, english: str) -> dict[str, str]:
    """A maslikhat district's name in kk, ru and en (``english`` as the loader names it)."""
    kk, ru, _en = BODIES[slug]
    return {
        "kk": f"{kk}: № {number} сайлау округі",
        "ru": f"{ru}: избирательный округ № {number}",
        "en": english,
    }


def body_names(slug: str) -> dict[str, str]:
    kk, ru, en = BODIES[slug]
    return {"kk": kk, "ru": ru, "en": en}


def region_names(region: str) -> dict[str, str]:
    kk, ru = REGIONS[region]
    return {"kk": kk, "ru": ru, "en": region}


def party_names(party: str) -> dict[str, str]:
    kk, ru = PARTIES[party]
    return {"kk": kk, "ru": ru, "en": party}
