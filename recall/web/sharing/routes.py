"""Share cards (Open Graph images), share links and the embeddable petition widget."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from recall.notifications.mail import public_url
from recall.replica import lag_tolerant
from recall.security import public
from recall.services.petitions import lifecycle as petitions
from recall.services.sharing import share

bp = Blueprint("sharing", __name__)

# Messengers fetch a card once and keep it; a few minutes of staleness costs a count nothing.
CARD_MAX_AGE = 300


def _png(data: bytes) -> Response:
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = f"public, max-age={CARD_MAX_AGE}"
    return response


@bp.app_template_global("share_links")
def share_links(endpoint: str, text: str, **values) -> dict[str, str]:
    """Telegram and WhatsApp share links for the page ``endpoint`` (its public address)."""
    return share.share_links(public_url(endpoint, **values), text)


@bp.get("/petitions/<int:petition_id>/card.png")
@public
@lag_tolerant
def petition_card(petition_id: int):
    """The petition's share card (``og:image``), with the count where the public may see it."""
    return _png(share.petition_card_png(petition_id))


@bp.get("/deputies/<int:deputy_id>/card.png")
@public
@lag_tolerant
def deputy_card(deputy_id: int):
    """The deputy's share card (``og:image``)."""
    return _png(share.deputy_card_png(deputy_id))


@bp.get("/petitions/<int:petition_id>/embed")
@public
@lag_tolerant
def embed_petition(petition_id: int):
    """A small widget other sites may frame: the count or days left, and a link to sign
    (``recall/web/headers.py`` lets this route alone be framed)."""
    petition = petitions.petition_for_page(petition_id)
    figure, share_done = share.petition_figure(petition)
    return render_template("sharing/embed.html", petition=petition, figure=figure, share=share_done)
