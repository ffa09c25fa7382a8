"""The API's conventions (docs/api.md): Link pagination, ETag and Cache-Control, CORS for reads,
errors in English unless the client asks for another language."""

from __future__ import annotations

import re

import pytest

from recall.extensions import db


@pytest.fixture
def app_config():
    # The site's own default is Russian: the API must still answer in English.
    return {"BABEL_DEFAULT_LOCALE": "ru", "API_MAX_AGE": 300, "API_COUNT_MAX_AGE": 30}


def _links(response) -> dict[str, str]:
    return {
        rel: url
        for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("Link", ""))
    }


def test_lists_link_their_pages_and_keep_the_filters(app, client, make):
    body = make.body()
    for _ in range(3):
        make.deputy(make.district(body))
    db.session.commit()
    response = client.get(f"/api/v1/deputies?body={body.id}&per_page=1&page=2")
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "3"
    links = _links(response)
    assert set(links) == {"first", "prev", "next", "last"}
    assert "page=1" in links["first"] and "page=3" in links["last"]
    assert "page=1" in links["prev"] and "page=3" in links["next"]
    assert all(f"body={body.id}" in url and "per_page=1" in url for url in links.values())
    last = client.get(links["last"].replace("http://localhost", ""))
    assert set(_links(last)) == {"first", "prev", "last"}
    assert [d["id"] for d in last.get_json()["items"]] != [
        d["id"] for d in response.get_json()["items"]
    ]


def test_reads_carry_an_etag_and_answer_304(app, client, make):
    make.body()
    db.session.commit()
    first = client.get("/api/v1/bodies")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=300")
    again = client.get("/api/v1/bodies", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    make.body()
    db.session.commit()
    changed = client.get("/api/v1/bodies", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_counts_are_cached_for_a_shorter_time(app, client, make):
    petition = make.petition()
    db.session.commit()
    for url in ("/api/v1/petitions", f"/api/v1/petitions/{petition.id}"):
        assert client.get(url).headers["Cache-Control"].startswith("public, max-age=30,")


def test_signed_in_answers_are_private(app, client, make, login):
    user = make.user()
    db.session.commit()
    login(user)
    assert client.get("/api/v1/bodies").headers["Cache-Control"] == "private, no-cache"


def test_any_origin_may_read_but_not_write(app, client, make):
    petition = make.petition()
    db.session.commit()
    origin = {"Origin": "https://elsewhere.example"}
    read = client.get("/api/v1/petitions", headers=origin)
    assert read.headers["Access-Control-Allow-Origin"] == "*"
    assert "Link" in read.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/petitions",
        headers={**origin, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in preflight.headers["Access-Control-Allow-Methods"]
    write = client.post(f"/api/v1/petitions/{petition.id}/signatures", json={}, headers=origin)
    assert write.status_code == 422
    assert "Access-Control-Allow-Origin" not in write.headers


def test_errors_are_in_english_unless_asked(app, client):
    plain = client.get("/api/v1/petitions?state=bogus")
    assert plain.status_code == 422
    assert plain.get_json()["error"]["message"].startswith("Unknown state bogus")
    # A browser's language cookie is for the pages, not for programs.
    client.set_cookie("lang", "ru")
    assert (
        client.get("/api/v1/petitions?state=bogus")
        .get_json()["error"]["message"]
        .startswith("Unknown state")
    )
    russian = client.get("/api/v1/petitions?state=bogus", headers={"Accept-Language": "ru"})
    assert russian.get_json()["error"]["message"].startswith("Неизвестн")
    kazakh = client.get("/api/v1/nothing-here", headers={"Accept-Language": "kk, en;q=0.5"})
    assert kazakh.status_code == 404
    assert kazakh.get_json()["error"]["message"] != "Page not found"
    assert "Accept-Language" in plain.headers["Vary"]
