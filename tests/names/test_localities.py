"""Find your district: the localities import, search in any script, the district page (issue 11)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.errors import Invalid
from recall.extensions import db
from recall.models import Deputy, DeputyStatus, District, Locality, PetitionState
from recall.services.deputies import localities


@pytest.fixture
def bodies(make):
    mazhilis = make.body(slug="mazhilis", name="Mazhilis")
    oblast = make.body(slug="oblast", name="Karaganda Region Maslikhat", seats_party_list=0)
    districts = {
        "m15": make.district(mazhilis, number=15, name="Mazhilis No. 15"),
        "o1": make.district(oblast, number=1, name="Oblast No. 1"),
        "o2": make.district(oblast, number=2, name="Oblast No. 2"),
        "o3": make.district(oblast, number=3, name="Dubovka rural district"),
    }
    deputy = make.deputy(districts["o1"], full_name="Tulegenova Aigerim")
    db.session.commit()
    return {"deputy": deputy.id, **{k: d.id for k, d in districts.items()}}


GOOD = """locality,street,district_code,body,locality_ru,locality_kk
Karaganda,,15,mazhilis,Караганда,Қарағанды
Karaganda,проспект Бухар-Жырау,1,oblast,Караганда,Қарағанды
Karaganda,микрорайон Степной,2,oblast,Караганда,Қарағанды
Botakara,,3,oblast,Ботакара,Ботақара
"""


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Locality))


def test_import_then_reimport_changes_nothing(runner, bodies, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(GOOD, encoding="utf-8")
    first = runner.invoke(args=["districts", "import-localities", str(path)])
    assert first.exit_code == 0, first.output
    assert "4 localities imported for 2 body(ies); 0 earlier ones replaced." in first.output
    again = runner.invoke(args=["districts", "import-localities", str(path)])
    assert "4 localities imported for 2 body(ies); 4 earlier ones replaced." in again.output
    assert _count() == 4
    place = db.session.scalar(sa.select(Locality).where(Locality.name == "Botakara"))
    assert place.names == {"ru": "Ботакара", "kk": "Ботақара"}
    assert place.district_id == bodies["o3"]


def test_bad_rows_are_all_reported_by_line_and_nothing_is_written(runner, bodies, tmp_path):
    runner.invoke(args=["districts", "import-localities", _write(tmp_path, GOOD)])
    bad = (
        "locality,street,district_code,body\n"
        "Saran,,99,oblast\n"  # line 2: no such district
        ",,1,oblast\n"  # line 3: no locality
        "Abai,,1,oblast\n"  # line 4: fine
        "Shakhtinsk,,,oblast\n"  # line 5: no code
        "Temirtau,,1,nowhere\n"  # line 6: no such body
        "Osakarovka,,1\n"  # line 7: code 1 is in no body given... and several bodies? (one here)
    )
    result = runner.invoke(args=["districts", "import-localities", _write(tmp_path, bad)])
    assert result.exit_code != 0
    assert "4 bad rows; nothing was imported." in result.output
    for line in (2, 3, 5, 6):
        assert f"Line {line}:" in result.output
    assert "Line 4:" not in result.output and "Line 7:" not in result.output
    assert _count() == 4  # the earlier table is untouched
    assert db.session.scalar(sa.select(sa.func.count()).where(Locality.name == "Abai")) == 0


def test_a_code_several_bodies_share_needs_the_body_column(app, bodies, make):
    make.district(make.body(slug="other"), number=1, name="Other No. 1")
    with pytest.raises(Invalid) as error:
        localities.import_localities("locality,district_code\nAbai,1\n")
    assert "Line 2: several bodies have a district 1: add a body column." in error.value.message
    with pytest.raises(Invalid, match="missing column"):
        localities.import_localities("locality,street\nAbai,\n")
    with pytest.raises(Invalid, match="unknown column"):
        localities.import_localities("locality,district_code,district\nAbai,15,1\n")
    assert _count() == 0


def _write(tmp_path, text: str) -> str:
    path = tmp_path / f"f{abs(hash(text))}.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def imported(app, bodies):
    localities.import_localities(GOOD)
    db.session.commit()
    return bodies


@pytest.mark.parametrize("query", ["Караганда", "karaganda", "ҚАРАҒАНДЫ", "Qaraghandy"])
def test_an_ambiguous_place_lists_every_district_it_touches(client, imported, query):
    response = client.get("/api/v1/districts", query_string={"q": query})
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [d["id"] for d in items] == [imported["m15"], imported["o1"], imported["o2"]]
    assert items[1]["places"][0]["street"] == "проспект Бухар-Жырау"
    assert items[1]["deputies"][0]["full_name"] == "Tulegenova Aigerim"
    assert items[1]["body"]["slug"] == "oblast"


def test_street_narrows_and_district_names_match_too(client, imported):
    def ids(q):
        return [
            d["id"]
            for d in client.get("/api/v1/districts", query_string={"q": q}).get_json()["items"]
        ]

    assert ids("Karaganda Stepnoi") == [imported["o2"]]  # Степной, in Latin letters
    assert ids("Бухар Жырау Караганда") == [imported["o1"]]
    assert ids("Дубовка") == [imported["o3"]]  # the district's own name
    assert ids("Botakara") == [imported["o3"]]
    assert ids("Nowhere") == []
    assert client.get("/api/v1/districts", query_string={"q": "%%"}).status_code == 422
    assert client.get("/api/v1/districts").status_code == 422


def test_where_do_you_live_from_the_home_page(client, imported):
    home = client.get("/?lang=ru").get_data(as_text=True)
    assert 'action="/districts"' in home
    page = client.get("/districts", query_string={"q": "Qaraghandy", "lang": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3 districts" in html
    for name in ("Mazhilis No. 15", "Oblast No. 1", "Oblast No. 2"):
        assert name in html
    assert "Tulegenova Aigerim" in html and "Mazhilis No. 15" in html
    assert "Dubovka" not in html
    assert client.get("/districts").status_code == 200  # the form alone


def test_the_district_page_puts_its_deputy_and_active_petition_first(client, make, bodies):
    district = db.session.get(District, bodies["o1"])
    old = make.deputy(district, full_name="Former Deputy", status=DeputyStatus.TERM_ENDED)
    petition = make.petition(deputy=db.session.get(Deputy, bodies["deputy"]))
    make.petition(deputy=db.session.get(Deputy, bodies["deputy"]), state=PetitionState.FAILED)
    db.session.commit()
    html = client.get(f"/districts/{district.id}").get_data(as_text=True)
    serving, former = html.index("Tulegenova Aigerim"), html.index(old.full_name)
    active = html.index(f"/petitions/{petition.id}")
    facts = html.index("Registered voters")
    assert serving < former < active < facts
    assert html.count("/petitions/") == 1  # the failed petition is not under way


STREETS = """locality,street,district_code,body,street_kk,street_ru,street_en
Karaganda,проспект Бухар-Жырау,1,oblast,Бұқар жырау даңғылы,проспект Бухар-Жырау,Bukhar Zhyrau Avenue
Karaganda,,2,oblast,Орталық шағын ауданы,микрорайон Центральный,
"""


def test_streets_have_names_per_language_searched_and_shown_in_each(client, bodies):
    result = localities.import_localities(STREETS)
    db.session.commit()
    assert result.created == 2
    avenue, centre = db.session.scalars(sa.select(Locality).order_by(Locality.id)).all()
    assert avenue.street_names == {
        "kk": "Бұқар жырау даңғылы",
        "ru": "проспект Бухар-Жырау",
        "en": "Bukhar Zhyrau Avenue",
    }
    # Given only per language, the street is known by its Russian name (the fallback order).
    assert centre.street == "микрорайон Центральный"

    def found(q, lang="en"):
        answer = client.get("/api/v1/districts", query_string={"q": q, "lang": lang})
        return answer.get_json()["items"]

    # Each language's words find the street, in any script.
    for q, district in (
        ("даңғылы", "o1"),
        ("Avenue", "o1"),
        ("dangyly", "o1"),
        ("Орталық", "o2"),
        ("Ortalyk shagyn", "o2"),
    ):
        assert [d["id"] for d in found(q)] == [bodies[district]], q
    place = found("Avenue", "kk")[0]["places"][0]
    assert place["street"] == "Бұқар жырау даңғылы" and place["street_names"]["en"] == (
        "Bukhar Zhyrau Avenue"
    )
    assert found("Avenue", "en")[0]["places"][0]["street"] == "Bukhar Zhyrau Avenue"
    # The page shows the street in the reader's language.
    for lang, street in (("kk", "Бұқар жырау даңғылы"), ("en", "Bukhar Zhyrau Avenue")):
        page = client.get("/districts", query_string={"q": "Bukhar", "lang": lang})
        assert street in page.get_data(as_text=True), lang
    # Too long a street name is a row error like any other cell.
    with pytest.raises(Invalid, match="Line 2: street_en is longer than 200"):
        localities.import_localities(
            "locality,district_code,body,street_en\nKaraganda,1,oblast," + "x" * 201 + "\n"
        )
