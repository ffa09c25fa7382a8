"""The demo speaks every language and knows where its voters live (issue 11)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Body, Deputy, District, Locality, Party, Region
from tests.demo_db import demo, pg_database  # noqa: F401 (fixtures)

CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")


def test_demo_names_are_cyrillic_in_kk_and_ru_and_latin_in_en(demo, client):
    for model in (Body, District, Party, Deputy, Region):
        rows = list(db.session.scalars(sa.select(model)))
        assert rows, model
        for row in rows:
            assert set(row.names) == {"kk", "ru", "en"}, row
            assert CYRILLIC.search(row.names["kk"]) and CYRILLIC.search(row.names["ru"]), row
            assert row.names["en"].isascii(), row
    # Kazakh is written with its own letters, not as Russian.
    assert any(
        re.search("[ӘәҒғҚқҢңӨөҰұҮүІі]", d.names["kk"])
        for d in db.session.scalars(sa.select(Deputy))
    )

    deputy = db.session.scalar(sa.select(Deputy).where(Deputy.district_id.is_not(None)).limit(1))
    ru = client.get(f"/districts/{deputy.district_id}?lang=ru").get_data(as_text=True)
    assert deputy.names["ru"] in ru and deputy.district.names["ru"] in ru
    assert deputy.full_name not in ru and deputy.district.name not in ru

    # Localities: every district has at least one, and Karaganda touches several districts.
    with_places = db.session.scalar(sa.select(sa.func.count(sa.distinct(Locality.district_id))))
    assert with_places == db.session.scalar(sa.select(sa.func.count()).select_from(District))
    found = client.get("/api/v1/districts", query_string={"q": "Қарағанды", "per_page": 100})
    bodies = {d["body"]["slug"] for d in found.get_json()["items"]}
    assert bodies == {"mazhilis", "karaganda-oblast-maslikhat"}
    assert found.get_json()["meta"]["total"] == 1 + 6
