"""Sharing (issue 14): a share card per petition and per deputy (an Open Graph PNG drawn on the
server, with the count only where the public may see it), Telegram and WhatsApp share links, and
a widget other sites may frame."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from recall.extensions import db
from recall.services.sharing import share
from recall.services.sharing.card import HEIGHT, WIDTH
from recall.services.signing import counting


@pytest.fixture
def public_petition(make):
    petition = make.petition(rule_version=make.rule_version(running_count_public=True))
    for _ in range(3):
        make.signature(petition)
    db.session.commit()
    counting.recount(petition.id)
    db.session.commit()
    return petition


def _image(response) -> Image.Image:
    assert response.status_code == 200 and response.mimetype == "image/png"
    return Image.open(io.BytesIO(response.data))


def test_petition_and_deputy_cards_are_open_graph_pngs(client, public_petition):
    card = _image(client.get(f"/petitions/{public_petition.id}/card.png"))
    assert card.size == (WIDTH, HEIGHT) == (1200, 630)
    assert (
        "max-age=300"
        in client.get(f"/petitions/{public_petition.id}/card.png").headers["Cache-Control"]
    )
    assert _image(client.get(f"/deputies/{public_petition.deputy_id}/card.png")).size == (1200, 630)
    assert client.get("/petitions/999999/card.png").status_code == 404
    # The pages name their cards for messengers and social sites.
    html = client.get(f"/petitions/{public_petition.id}").get_data(as_text=True)
    assert (
        f'<meta property="og:image" content="http://recall.test/petitions/{public_petition.id}/card.png">'
        in html
    )
    deputy_page = client.get(f"/deputies/{public_petition.deputy_id}").get_data(as_text=True)
    assert f"/deputies/{public_petition.deputy_id}/card.png" in deputy_page


def test_the_card_shows_the_count_only_where_the_public_may_see_it(app, make, public_petition):
    with app.test_request_context():
        assert share.petition_figure(public_petition) == ("3 signatures of 100 required", 0.03)
        sealed = make.petition()  # the Kazakh rule: no running count while signing
        make.signature(sealed)
        db.session.commit()
        counting.recount(sealed.id)
        figure, bar = share.petition_figure(sealed)
        assert "signature" not in figure and "days left" in figure and bar is None
        # Drawn differently: the count is in the picture, not only in the text beside it.
        assert share.petition_card_png(public_petition.id) != share.petition_card_png(sealed.id)


def test_share_links_for_telegram_and_whatsapp(client, public_petition):
    html = client.get(f"/petitions/{public_petition.id}").get_data(as_text=True)
    url = f"http://recall.test/petitions/{public_petition.id}"
    telegram = html[html.index('href="https://t.me/share/url?') + 6 :].split('"', 1)[0]
    assert parse_qs(urlsplit(telegram.replace("&amp;", "&")).query)["url"] == [url]
    whatsapp = html[html.index('href="https://wa.me/?') + 6 :].split('"', 1)[0]
    assert url in parse_qs(urlsplit(whatsapp.replace("&amp;", "&")).query)["text"][0]


def test_the_widget_may_be_framed_and_no_other_page_may(client, public_petition):
    widget = client.get(f"/petitions/{public_petition.id}/embed")
    assert widget.status_code == 200
    assert "frame-ancestors *" in widget.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in widget.headers
    html = widget.get_data(as_text=True)
    assert "3 signatures of 100 required" in html and 'target="_blank"' in html
    page = client.get(f"/petitions/{public_petition.id}")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_the_widget_of_a_sealed_petition_shows_days_left(client, make):
    sealed = make.petition()
    db.session.commit()
    html = client.get(f"/petitions/{sealed.id}/embed").get_data(as_text=True)
    assert "Signing is open:" in html and "days left" in html and "signatures of" not in html
