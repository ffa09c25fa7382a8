"""Language: the switcher (a cookie), then the cookie, then Accept-Language."""

from __future__ import annotations


def test_accept_language_chooses_the_language(client):
    assert "Депутаттар" in client.get("/", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "Депутаты" in client.get("/", headers={"Accept-Language": "ru,en;q=0.5"}).get_data(
        as_text=True
    )
    assert ">Deputies<" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_switcher_sets_a_cookie_that_beats_accept_language(client):
    response = client.get("/lang/kk?next=/deputies")
    assert response.status_code == 302 and response.headers["Location"] == "/deputies"
    assert client.get_cookie("lang").value == "kk"
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="kk">' in html and "Депутаттар" in html


def test_switcher_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.get("/lang/xx?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    assert client.get_cookie("lang") is None
