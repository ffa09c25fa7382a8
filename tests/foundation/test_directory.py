"""The deputy directory: every filter (body, region, district, party, mandate type) on the page and the API."""

from __future__ import annotations

import re
from datetime import date

import pytest

from recall.extensions import db
from recall.i18n import format_day
from recall.models import BodyLevel, MandateType


@pytest.fixture
def deputies(make):
    mazhilis = make.body(slug="mazhilis", name="Mazhilis")
    oblast = make.body(
        slug="oblast",
        name="Almaty Region Maslikhat",
        level=BodyLevel.OBLAST_MASLIKHAT,
        region="Almaty Region",
        seats_total=30,
        seats_party_list=15,
    )
    almaty = make.district(mazhilis, number=1, name="Almaty North", region="Almaty")
    astana = make.district(mazhilis, number=2, name="Astana East", region="Astana")
    konaev = make.district(oblast, number=1, name="Konaev", region="Almaty Region")
    amanat, aq_jol = make.party(name="Amanat"), make.party(name="Aq Jol")
    make.deputy(almaty, full_name="Alpha One", party=amanat)
    make.deputy(astana, full_name="Beta Two", party=aq_jol)
    make.deputy(
        full_name="Gamma List", mandate_type=MandateType.PARTY_LIST, body=mazhilis, party=amanat
    )
    make.deputy(konaev, full_name="Delta Oblast")
    make.deputy(
        full_name="Epsilon Oblast List",
        mandate_type=MandateType.PARTY_LIST,
        body=oblast,
        party=aq_jol,
    )
    db.session.commit()
    return {
        "mazhilis": mazhilis.id,
        "oblast": oblast.id,
        "astana": astana.id,
        "konaev": konaev.id,
        "amanat": amanat.id,
        "aq_jol": aq_jol.id,
    }


def _api_names(client, **query) -> list[str]:
    response = client.get("/api/v1/deputies", query_string=query)
    assert response.status_code == 200
    return [d["full_name"] for d in response.get_json()["items"]]


def _page_names(client, **query) -> list[str]:
    response = client.get("/deputies", query_string=query)
    assert response.status_code == 200
    return re.findall(r'<a href="/deputies/\d+">([^<]+)</a>', response.get_data(as_text=True))


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, ["Alpha One", "Beta Two", "Gamma List", "Delta Oblast", "Epsilon Oblast List"]),
        ({"body": "oblast"}, ["Delta Oblast", "Epsilon Oblast List"]),
        (
            {"region": "Almaty Region"},
            ["Delta Oblast", "Epsilon Oblast List"],
        ),  # a list deputy by the body's region
        ({"region": "Astana"}, ["Beta Two"]),
        ({"district": "astana"}, ["Beta Two"]),
        ({"party": "amanat"}, ["Alpha One", "Gamma List"]),
        ({"mandate_type": "party_list"}, ["Gamma List", "Epsilon Oblast List"]),
        ({"body": "mazhilis", "mandate_type": "single_mandate", "party": "aq_jol"}, ["Beta Two"]),
        ({"body": "oblast", "party": "amanat"}, []),
        (
            {"mandate_type": "emperor", "party": "nonsense"},
            ["Alpha One", "Beta Two", "Gamma List", "Delta Oblast", "Epsilon Oblast List"],
        ),  # unknown values are ignored
    ],
)
def test_each_filter_on_the_page_and_the_api(client, deputies, query, expected):
    query = {key: deputies.get(value, value) for key, value in query.items()}
    assert _api_names(client, **query) == expected
    assert _page_names(client, **query) == expected


def test_the_page_offers_every_filter_and_keeps_the_choice(client, deputies):
    html = client.get("/deputies").get_data(as_text=True)
    for name in ("q", "body", "region", "party", "mandate_type"):
        assert f'name="{name}"' in html
    assert 'name="district"' not in html  # a district menu needs a body first
    html = client.get("/deputies", query_string={"body": deputies["mazhilis"]}).get_data(
        as_text=True
    )
    menu = re.search(r'<select name="district">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", menu) == [
        "All",
        "No. 1 Almaty North",
        "No. 2 Astana East",
    ]
    chosen = client.get("/deputies", query_string={"district": deputies["konaev"]}).get_data(
        as_text=True
    )
    assert f'<option value="{deputies["konaev"]}" selected>No. 1 Konaev</option>' in chosen
    assert (
        f'<option value="{deputies["oblast"]}" selected>' not in chosen
    )  # the body menu is left as chosen


def test_the_directory_is_paginated(client, make):
    body = make.body()
    for n in range(23):
        make.deputy(make.district(body, number=n + 1), full_name=f"Deputy {n + 1:02d}")
    db.session.commit()
    first = client.get("/deputies").get_data(as_text=True)
    assert "Page 1 of 2" in first and first.count('<a href="/deputies/') == 20
    second = client.get("/deputies", query_string={"page": 2}).get_data(as_text=True)
    assert (
        _page_names(client, page=2) == ["Deputy 21", "Deputy 22", "Deputy 23"]
        and 'rel="prev"' in second
    )
    meta = client.get("/api/v1/deputies", query_string={"page": 3, "per_page": 10}).get_json()[
        "meta"
    ]
    assert meta == {"page": 3, "per_page": 10, "total": 23, "pages": 3}


def test_deputy_and_district_pages(client, make):
    body = make.body(name="Mazhilis")
    district = make.district(
        body,
        number=7,
        name="Karaganda West",
        region="Karaganda Region",
        registered_voters=412345,
        voters_as_of=date(2023, 3, 19),
    )
    serving = make.deputy(district, full_name="Aliya Serving", party=make.party(name="Amanat"))
    listed = make.deputy(full_name="Bolat List", mandate_type=MandateType.PARTY_LIST, body=body)
    db.session.commit()

    page = client.get(f"/deputies/{serving.id}").get_data(as_text=True)
    assert (
        "<h1>Aliya Serving</h1>" in page
        and "<dd>Mazhilis</dd>" in page
        and "<dd>Amanat</dd>" in page
    )
    assert f'<a href="/districts/{district.id}">Karaganda West</a>' in page
    assert (
        f"{format_day(date(2023, 3, 29))} – {format_day(date(2028, 3, 28))}" in page
        and "cannot be recalled by voters" not in page
    )
    assert "cannot be recalled by voters" in client.get(f"/deputies/{listed.id}").get_data(
        as_text=True
    )

    page = client.get(f"/districts/{district.id}").get_data(as_text=True)
    # Thousands as the reader's language writes them (issue 14): a comma in English.
    assert (
        f"<dd>412,345 (as of {format_day(date(2023, 3, 19))})</dd>" in page
        and "<dd>Karaganda Region</dd>" in page
    )
    assert f'<a href="/deputies/{serving.id}">Aliya Serving</a>' in page
    assert client.get("/districts/999999").status_code == 404
