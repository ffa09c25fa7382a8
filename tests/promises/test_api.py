"""JSON and CSV: shapes, filters, pagination, 422 for bad filter values."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from recall.extensions import db
from recall.models import Role
from recall.services.promises import recording as svc
from tests.promises.conftest import EVIDENCE, SOURCE


@pytest.fixture
def data(make, record, rate, other_monitor, topics):
    party = make.party(name="Respublica")
    aliya = make.deputy(full_name="Aliya Omarova", party=party)
    marat = make.deputy(full_name="Marat Bekov")
    school = record(aliya, title="Build a school in Zhanaarka", made_on=date(2023, 1, 5))
    rate(school, "in_the_works", changed_on=date(2023, 6, 1))
    rate(school, "kept", changed_on=date(2024, 9, 1))
    svc.raise_dispute(
        other_monitor, school.id, reason="Only 450 places.", evidence=["https://example.org/cap"]
    )
    svc.add_source_to_promise(other_monitor, school.id, url="https://example.org/tv")
    road = record(marat, title='=HYPERLINK("http://evil")', topic="roads", made_on=date(2023, 7, 1))
    rate(road, "broken", broken_reason="no_priority")
    db.session.commit()
    return {"aliya": aliya, "marat": marat, "school": school, "road": road, "party": party}


def test_promise_list_shape_with_history_and_sources(client, data):
    body = client.get(f"/api/v1/promises?deputy={data['aliya'].id}").get_json()
    assert body["meta"] == {"page": 1, "per_page": 20, "total": 1, "pages": 1}
    item = body["items"][0]
    assert (
        item["id"] == data["school"].id
        and item["status"] == "kept"
        and item["topic"] == "education"
    )
    assert item["deputy"] == {
        "id": data["aliya"].id,
        "full_name": "Aliya Omarova",
        "body_id": data["aliya"].body_id,
        "party_id": data["party"].id,
        "district_id": data["aliya"].district_id,
    }
    assert item["sources"] == [
        {"url": SOURCE, "quotation": None},
        {"url": "https://example.org/tv", "quotation": None},
    ]
    assert [
        (h["status"], h["previous_status"], h["date"], h["evidence"]) for h in item["history"]
    ] == [
        ("in_the_works", "not_yet_rated", "2023-06-01", EVIDENCE),
        ("kept", "in_the_works", "2024-09-01", EVIDENCE),
    ]
    assert item["history"][0]["organization"]["id"] is not None
    assert [(d["state"], d["reason"]) for d in item["disputes"]] == [("open", "Only 450 places.")]
    assert body["scorecard"]["counts"]["kept"] == 1 and body["scorecard"]["kept_share"] == 1.0


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("status=broken", ['=HYPERLINK("http://evil")']),
        ("topic=education", ["Build a school in Zhanaarka"]),
        ("q=zhanaarka", ["Build a school in Zhanaarka"]),
        ("from=2023-06-01&to=2023-12-31", ['=HYPERLINK("http://evil")']),
        ("sort=oldest", ["Build a school in Zhanaarka", '=HYPERLINK("http://evil")']),
        ("", ['=HYPERLINK("http://evil")', "Build a school in Zhanaarka"]),
    ],
)
def test_filters(client, data, query, titles):
    body = client.get(f"/api/v1/promises?{query}").get_json()
    assert [i["title"] for i in body["items"]] == titles


def test_filters_by_body_and_party(client, data):
    body = client.get(f"/api/v1/promises?party={data['party'].id}").get_json()
    assert [i["id"] for i in body["items"]] == [data["school"].id]
    body = client.get(f"/api/v1/promises?body={data['marat'].body_id}").get_json()
    assert [i["id"] for i in body["items"]] == [data["road"].id]


def test_pagination(client, data):
    first = client.get("/api/v1/promises?per_page=1&page=1").get_json()
    second = client.get("/api/v1/promises?per_page=1&page=2").get_json()
    assert first["meta"] == {"page": 1, "per_page": 1, "total": 2, "pages": 2}
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [
        data["road"].id,
        data["school"].id,
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=done", "status"),
        ("topic=weather", "topic"),
        ("deputy=abc", "deputy"),
        ("body=-1", "body"),
        ("party=0", "party"),
        ("from=2023-13-01", "from"),
        ("to=yesterday", "to"),
        ("sort=random", "sort"),
        ("from=2024-01-01&to=2023-01-01", "from"),
    ],
)
def test_bad_filter_values_get_422_with_the_field(client, data, query, field):
    assert (
        client.get(f"/promises.csv?{query}").status_code == 422
    )  # the page's export: an HTML error page
    urls = [f"/api/v1/promises?{query}", f"/api/v1/promises.csv?{query}"]
    if field != "deputy":  # the deputy endpoint takes the deputy from its path
        urls.append(f"/api/v1/deputies/{data['aliya'].id}/promises?{query}")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 422, url
        error = response.get_json()["error"]
        assert (error["status"], error["code"], error["field"]) == (422, "invalid", field)


def test_deputy_promises(client, data):
    body = client.get(f"/api/v1/deputies/{data['marat'].id}/promises").get_json()
    assert body["deputy"]["full_name"] == "Marat Bekov"
    assert [i["broken_reason"] for i in body["items"]] == ["no_priority"]
    assert body["scorecard"] == {
        "counts": {
            "not_yet_rated": 0,
            "in_the_works": 0,
            "stalled": 0,
            "compromise": 0,
            "kept": 0,
            "broken": 1,
        },
        "total": 1,
        "rated": 1,
        "kept": 0,
        "kept_share": 0.0,
        "formula": "kept_share = kept / rated; rated = all statuses except not_yet_rated",
    }
    assert client.get("/api/v1/deputies/999999/promises").status_code == 404
    assert (
        client.get(f"/api/v1/promises/{data['road'].id}").get_json()["title"]
        == '=HYPERLINK("http://evil")'
    )


def test_csv_export_same_list(client, data):
    for url in ("/promises.csv?sort=oldest", "/api/v1/promises.csv?sort=oldest"):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [r["id"] for r in rows] == [str(data["school"].id), str(data["road"].id)]
        school, road = rows
        assert (
            school["status"] == "kept"
            and school["deputy"] == "Aliya Omarova"
            and school["party"] == "Respublica"
        )
        assert school["sources"] == f"{SOURCE} https://example.org/tv"
        assert school["history"] == (
            f"2023-06-01 in_the_works: {EVIDENCE[0]} | 2024-09-01 kept: {EVIDENCE[0]}"
        )
        assert school["open_disputes"] == "1"
        assert road["title"] == '\'=HYPERLINK("http://evil")'  # never run as a spreadsheet formula
        assert road["broken_reason"] == "no_priority"
    filtered = client.get("/promises.csv?status=broken").text.splitlines()
    assert len(filtered) == 2 and filtered[0].startswith("id,deputy_id,deputy,")


def test_writing_needs_a_monitor_and_reading_is_public(client, login, make, data):
    assert client.get("/api/v1/promises").status_code == 200
    citizen = make.user(role=Role.CITIZEN)
    db.session.commit()
    login(citizen)
    assert client.get(f"/promises/{data['school'].id}/status").status_code == 403
    assert client.get("/admin/promise-topics").status_code == 403
