"""Trust (issue 14): the footer names the operator and links the privacy notice and "how it
works", whose texts are files an operator edits, in each language; a favicon."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config(tmp_path):
    texts = tmp_path / "texts"
    (texts / "en").mkdir(parents=True)
    (texts / "en" / "privacy.txt").write_text("We keep little.\n\nAsk us <anything>.\n")
    return {
        "OPERATOR_NAME": "Fair Count Foundation",
        "OPERATOR_CONTACT": "hello@faircount.example",
        "SITE_TEXTS_DIR": str(texts),
    }


def test_every_page_names_the_operator_and_links_the_notices(client):
    html = client.get("/deputies").get_data(as_text=True)
    footer = html[html.index('<footer class="site">') :]
    assert "Run by Fair Count Foundation." in footer
    assert "Contact: hello@faircount.example" in footer
    assert 'href="/privacy"' in footer and 'href="/how-it-works"' in footer
    assert 'rel="icon"' in html


def test_the_privacy_notice_is_the_operators_file_in_paragraphs(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert "<p>We keep little.</p>" in html and "<p>Ask us &lt;anything&gt;.</p>" in html
    # Russian has no file in this folder: the page falls back rather than failing.
    assert "We keep little." in client.get("/privacy?lang=ru").get_data(as_text=True)
    # "how it works" has no file in any language here: not found, not a 500.
    assert client.get("/how-it-works").status_code == 404


def test_the_shipped_texts_exist_in_all_three_languages(app):
    from recall.services.site import texts

    app.config["SITE_TEXTS_DIR"] = None
    for lang in app.config["LANGUAGES"]:
        for name in texts.TEXTS:
            assert (texts.SHIPPED_DIR / lang / f"{name}.txt").is_file(), (lang, name)
    assert "ИИН" in texts.site_text("privacy", "ru")[1]
    assert "ЖСН" in texts.site_text("privacy", "kk")[1]


def test_favicon(client):
    with client.get("/favicon.ico", follow_redirects=True) as response:
        assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"
