"""The demo's localities: towns, villages and, where a city is split between districts, its
streets and micro-districts, for "Where do you live?" (issue 11).

Written as the CSV a commission would publish and loaded through the same import as
``flask districts import-localities``, so the demo exercises the real path. Places are real
towns of each region, their streets named in Russian, Kazakh and English; which street belongs to
which district is made up.
"""

from __future__ import annotations

import csv
import io

from recall.services.deputies.localities import COLUMNS, LocalityImport, import_localities

# (English, Russian, Kazakh) name of a place.
Place = tuple[str, str, str]

ALMATY: Place = ("Almaty", "Алматы", "Алматы")
ASTANA: Place = ("Astana", "Астана", "Астана")
SHYMKENT: Place = ("Shymkent", "Шымкент", "Шымкент")
TARAZ: Place = ("Taraz", "Тараз", "Тараз")
KARAGANDA: Place = ("Karaganda", "Караганда", "Қарағанды")
TEMIRTAU: Place = ("Temirtau", "Темиртау", "Теміртау")
BALKHASH: Place = ("Balkhash", "Балхаш", "Балқаш")
BOTAKARA: Place = ("Botakara", "Ботакара", "Ботақара")

# Mazhilis district number -> its places, each with an optional street or micro-district.
MAZHILIS: dict[int, list[tuple[Place, str | None]]] = {
    1: [(ALMATY, "проспект Абая"), (ALMATY, "микрорайон Самал-2")],
    2: [(ALMATY, "микрорайон Алатау"), (ALMATY, "улица Толе би")],
    3: [(ALMATY, "микрорайон Шанырак"), (ALMATY, "улица Рыскулова")],
    4: [(("Turkistan", "Туркестан", "Түркістан"), None)],
    5: [(("Kentau", "Кентау", "Кентау"), None)],
    6: [(("Saryagash", "Сарыагаш", "Сарыағаш"), None)],
    7: [(ASTANA, "проспект Республики"), (ASTANA, "район Алматы")],
    8: [(ASTANA, "район Есиль"), (ASTANA, "микрорайон Коктал")],
    9: [(SHYMKENT, "проспект Тауке хана")],
    10: [(SHYMKENT, "микрорайон Нурсат")],
    11: [(("Konaev", "Конаев", "Қонаев"), None)],
    12: [(("Talgar", "Талгар", "Талғар"), None), (("Kaskelen", "Каскелен", "Қаскелең"), None)],
    13: [(TARAZ, "улица Толе би")],
    14: [(TARAZ, "микрорайон Талас"), (("Shu", "Шу", "Шу"), None)],
    15: [(KARAGANDA, None)],
    16: [(TEMIRTAU, None), (BALKHASH, None)],
    17: [(("Semey", "Семей", "Семей"), None)],
    18: [(("Kokshetau", "Кокшетау", "Көкшетау"), None)],
    19: [(("Aktobe", "Актобе", "Ақтөбе"), None)],
    20: [(("Atyrau", "Атырау", "Атырау"), None)],
    21: [(("Oskemen", "Усть-Каменогорск", "Өскемен"), None)],
    22: [(("Taldykorgan", "Талдыкорган", "Талдықорған"), None)],
    23: [(("Kostanay", "Костанай", "Қостанай"), None)],
    24: [(("Kyzylorda", "Кызылорда", "Қызылорда"), None)],
    25: [(("Aktau", "Актау", "Ақтау"), None)],
    26: [(("Pavlodar", "Павлодар", "Павлодар"), None)],
    27: [(("Petropavl", "Петропавловск", "Петропавл"), None)],
    28: [(("Zhezkazgan", "Жезказган", "Жезқазған"), None)],
    29: [(("Oral", "Уральск", "Орал"), None)],
}

KARAGANDA_OBLAST: dict[int, list[tuple[Place, str | None]]] = {
    1: [(KARAGANDA, "проспект Бухар-Жырау")],
    2: [(KARAGANDA, "проспект Нуркена Абдирова")],
    3: [(KARAGANDA, "микрорайон Степной")],
    4: [(KARAGANDA, "микрорайон Восток")],
    5: [(KARAGANDA, "улица Ерубаева")],
    6: [(KARAGANDA, "Майкудук")],
    7: [(TEMIRTAU, "проспект Республики")],
    8: [(TEMIRTAU, "улица Мичурина")],
    9: [(BALKHASH, None)],
    10: [(("Saran", "Сарань", "Саран"), None)],
    11: [(("Shakhtinsk", "Шахтинск", "Шахтинск"), None)],
    12: [(("Abai", "Абай", "Абай"), None)],
    13: [(BOTAKARA, None)],
    14: [(("Osakarovka", "Осакаровка", "Осакаров"), None)],
    15: [(("Karkaraly", "Каркаралинск", "Қарқаралы"), None)],
    16: [(("Priozersk", "Приозерск", "Приозерск"), None)],
}

BUKHAR_ZHYRAU: dict[int, list[tuple[Place, str | None]]] = {
    1: [(BOTAKARA, "улица Абая")],
    2: [(BOTAKARA, "улица Жамбыла")],
    3: [(("Dubovka", "Дубовка", "Дубовка"), None)],
    4: [(("Kushoky", "Кушокы", "Көшөкі"), None)],
    5: [(("Gabiden Mustafin", "Габидена Мустафина", "Ғабиден Мұстафин"), None)],
    6: [(("Rostovka", "Ростовка", "Ростовка"), None)],
    7: [(("Zhanatalap", "Жанаталап", "Жаңаталап"), None)],
    8: [(("Tuzdy", "Тузды", "Тұзды"), None)],
    9: [(("Umyt", "Умыт", "Үміт"), None)],
    10: [(("Kokpekty", "Кокпекты", "Көкпекті"), None)],
    11: [(("Baimyrza", "Баймырза", "Баймырза"), None)],
    12: [(("Saryozek", "Сарыозек", "Сарыөзек"), None)],
    13: [(("Doskei", "Доскей", "Дөскей"), None)],
    14: [(("Karazhar", "Каражар", "Қаражар"), None)],
    15: [(("Belagash", "Белагаш", "Белағаш"), None)],
}

# A street's Russian name (as the tables above write it) -> its English and Kazakh names.
STREETS: dict[str, tuple[str, str]] = {
    "проспект Абая": ("Abay Avenue", "Абай даңғылы"),
    "микрорайон Самал-2": ("Samal-2 microdistrict", "Самал-2 шағын ауданы"),
    "микрорайон Алатау": ("Alatau microdistrict", "Алатау шағын ауданы"),
    "улица Толе би": ("Tole Bi Street", "Төле би көшесі"),
    "микрорайон Шанырак": ("Shanyrak microdistrict", "Шаңырақ шағын ауданы"),
    "улица Рыскулова": ("Ryskulov Street", "Рысқұлов көшесі"),
    "проспект Республики": ("Republic Avenue", "Республика даңғылы"),
    "район Алматы": ("Almaty district", "Алматы ауданы"),
    "район Есиль": ("Esil district", "Есіл ауданы"),
    "микрорайон Коктал": ("Koktal microdistrict", "Көктал шағын ауданы"),
    "проспект Тауке хана": ("Tauke Khan Avenue", "Тәуке хан даңғылы"),
    "микрорайон Нурсат": ("Nursat microdistrict", "Нұрсат шағын ауданы"),
    "микрорайон Талас": ("Talas microdistrict", "Талас шағын ауданы"),
    "проспект Бухар-Жырау": ("Bukhar Zhyrau Avenue", "Бұқар жырау даңғылы"),
    "проспект Нуркена Абдирова": ("Nurken Abdirov Avenue", "Нұркен Әбдіров даңғылы"),
    "микрорайон Степной": ("Stepnoy microdistrict", "Степной шағын ауданы"),
    "микрорайон Восток": ("Vostok microdistrict", "Восток шағын ауданы"),
    "улица Ерубаева": ("Erubaev Street", "Ерубаев көшесі"),
    "Майкудук": ("Maikuduk", "Майқұдық"),
    "улица Мичурина": ("Michurin Street", "Мичурин көшесі"),
    "улица Абая": ("Abay Street", "Абай көшесі"),
    "улица Жамбыла": ("Zhambyl Street", "Жамбыл көшесі"),
}

TABLES = {
    "mazhilis": MAZHILIS,
    "karaganda-oblast-maslikhat": KARAGANDA_OBLAST,
    "bukhar-zhyrau-district-maslikhat": BUKHAR_ZHYRAU,
}


def localities_csv() -> str:
    """The demo's localities as an import file (``COLUMNS``)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for body, table in TABLES.items():
        for number, places in table.items():
            for (en, ru, kk), street in places:
                street_en, street_kk = STREETS[street] if street else ("", "")
                writer.writerow(
                    {
                        "locality": en,
                        "street": street or "",
                        "district_code": str(number),
                        "body": body,
                        "locality_kk": kk,
                        "locality_ru": ru,
                        "locality_en": en,
                        "street_kk": street_kk,
                        "street_ru": street or "",
                        "street_en": street_en,
                    }
                )
    return out.getvalue()


def load_demo_localities() -> LocalityImport:
    """Import the demo's localities (after its bodies and districts); flushes."""
    return import_localities(localities_csv())
