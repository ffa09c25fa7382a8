"""What a shared link shows: the card of a petition or a deputy, and the messengers' share links.

Counts appear only where the public may see them (``count_visible_to`` with no viewer): a card is
public, cached by messengers for days, and must not leak a count the rule seals while signing.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

from flask import current_app
from flask_babel import format_decimal, get_translations, ngettext
from flask_babel import gettext as _

from recall.models.base import utcnow
from recall.models.petition import Petition, PetitionState
from recall.rules.deadlines import days_left
from recall.services.deputies import directory
from recall.services.names import display_name
from recall.services.petitions import lifecycle as petitions
from recall.services.petitions.states import state_label
from recall.services.sharing.card import Card, render_png
from recall.services.signing import counting


def _site() -> str:
    return urlsplit(current_app.config["PUBLIC_BASE_URL"]).netloc or "recall"


def petition_figure(petition: Petition) -> tuple[str, float | None]:
    """The line a card or a widget shows about signing: the count of the required where the
    public may see it, else days left while signing is open, else the petition's state."""
    if petitions.count_visible_to(petition, None) and petition.opens_at is not None:
        count = counting.confirmed_count(petition)
        required = petition.required_signatures or 0
        # The count as the reader's language writes it (12 035 578), in the plural it asks for.
        plural = get_translations().ngettext("%(num)s signature", "%(num)s signatures", count)
        text = plural % {"num": format_decimal(count)}
        if required:
            text += " " + _("of %(required)s required", required=format_decimal(required))
        return text, (count / required if required else None)
    if petition.state == PetitionState.COLLECTING and petition.closes_at is not None:
        left = days_left(petition.closes_at, utcnow())
        return ngettext(
            "Signing is open: %(num)d day left.", "Signing is open: %(num)d days left.", left
        ), None
    return state_label(petition.state), None


def petition_card_png(petition_id: int) -> bytes:
    """The share card of a petition (``NotFound`` if there is none)."""
    petition = petitions.petition_for_page(petition_id)
    figure, share = petition_figure(petition)
    card = Card(
        kicker=_("Recall petition"),
        title=display_name(petition.deputy),
        subtitle=f"{display_name(petition.district)} · {display_name(petition.body)}",
        figure=figure,
        share=share,
        site=_site(),
    )
    return render_png(card)


def deputy_card_png(deputy_id: int) -> bytes:
    """The share card of a deputy: name, district and body, and the active recall petition's
    count where public (``NotFound`` if there is no such deputy)."""
    deputy = directory.get_deputy(deputy_id)
    where = " · ".join(x for x in (display_name(deputy.district), display_name(deputy.body)) if x)
    active = petitions.active_petition(deputy.id)
    figure, share = petition_figure(active) if active else (_("No recall petition is open."), None)
    card = Card(
        kicker=_("Deputy"),
        title=display_name(deputy),
        subtitle=where,
        figure=figure,
        share=share,
        site=_site(),
    )
    return render_png(card)


def share_links(url: str, text: str) -> dict[str, str]:
    """Links that open Telegram's and WhatsApp's share screens with ``text`` and ``url``: the
    messengers most people in Kazakhstan use. Nothing is loaded from them until one is pressed."""
    return {
        "telegram": "https://t.me/share/url?"
        + urlencode({"url": url, "text": text}, quote_via=quote),
        "whatsapp": "https://wa.me/?" + urlencode({"text": f"{text} {url}"}, quote_via=quote),
    }
