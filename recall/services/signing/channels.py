"""Which channels a petition may be signed through, and refusing the others.

A rule lists its ``signing_channels`` (``recall.rules.recall_rules.SIGNING_CHANNELS``): online with
e-mail confirmation, online with a strong identity, paper sheets, and in person, by post or by
proxy (the last three entered by the commission). Every way of signing asks
:func:`require_channel` first, so a channel the petition's rule does not allow is refused the
same way on the page, in the API and at the commission's desk, with a message that says how to
sign instead.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from recall.errors import Invalid
from recall.models.petition import Petition
from recall.models.signature import SignatureSource
from recall.rules.recall_rules import (
    ONLINE_CHANNELS,
    SIGNING_CHANNELS,
    stored_signing_channels,
)

# The channels the commission enters (it is the identity check), with the channel recorded.
COMMISSION_CHANNELS = ("paper", "in_person", "post", "proxy")

# How a voter signs through each channel, as the refusal and the petition page say it.
_HOW = {
    "online_email": _l("online on this site, confirmed by a link sent to your e-mail"),
    "online_strong": _l("online on this site with your digital signature"),
    "paper": _l("on a paper signature sheet, which the election commission enters"),
    "in_person": _l("in person at a signing place of the election commission"),
    "post": _l("by post, on the form the election commission sends"),
    "proxy": _l("by proxy, through a person you appoint to sign for you"),
}
# Each channel's short name (the rule form labels its checkboxes with these).
CHANNEL_NAMES = {
    "online_email": _l("online (e-mail confirmation)"),
    "online_strong": _l("online (digital signature)"),
    "paper": _l("paper sheet"),
    "in_person": _l("in person"),
    "post": _l("by post"),
    "proxy": _l("by proxy"),
}

_SOURCE_OF = {
    "online_email": SignatureSource.ONLINE,
    "online_strong": SignatureSource.ONLINE,  # identity_provider records the digital signature
    "paper": SignatureSource.PAPER,
    "in_person": SignatureSource.IN_PERSON,
    "post": SignatureSource.POST,
    "proxy": SignatureSource.PROXY,
}


def channel_name(channel: str) -> str:
    """A channel's short name for people (``in_person`` -> "in person")."""
    return str(CHANNEL_NAMES.get(channel, channel))


def source_for(channel: str) -> SignatureSource:
    """The ``Signature.source`` recording ``channel``."""
    return _SOURCE_OF[channel]


def channel_of(source: SignatureSource | str, identity_provider: str | None = None) -> str:
    """The channel a stored signature came through (``online``: by its identity provider)."""
    value = SignatureSource(source).value
    if value != SignatureSource.ONLINE.value:
        return value
    return "online_strong" if identity_provider == "online_strong" else "online_email"


def allowed_channels(petition: Petition) -> tuple[str, ...]:
    """The channels ``petition``'s rule version allows (``stored_signing_channels``: older rule
    data reads as the channels it allowed)."""
    return stored_signing_channels(petition.rule_version.data)


def signs_with_certificate(petition: Petition) -> bool:
    """True when ``petition``'s rule takes digital signatures (the ``online_strong`` channel)."""
    return "online_strong" in allowed_channels(petition)


def signs_online(channels: tuple[str, ...]) -> bool:
    """True when one of ``channels`` is an online one (the online form is offered)."""
    return any(c in ONLINE_CHANNELS for c in channels)


def how_to_sign(channels: tuple[str, ...]) -> str:
    """One sentence telling a voter every way ``channels`` allow, in the rule's order."""
    ways = [str(_HOW[c]) for c in channels if c in _HOW]
    return _("This petition can be signed %(ways)s.", ways="; ".join(ways))


def require_channel(channels: tuple[str, ...], channel: str, field: str = "channel") -> None:
    """Raise ``Invalid`` (naming ``field``) unless ``channel`` is one of ``channels``.

    The message says the channel is not allowed and how the voter can sign instead.
    """
    if channel not in SIGNING_CHANNELS:
        raise Invalid(
            _(
                "Unknown way of signing %(channel)s: use one of %(channels)s.",
                channel=channel,
                channels=", ".join(SIGNING_CHANNELS),
            ),
            field=field,
        )
    if channel not in channels:
        raise Invalid(
            _(
                "The rule of this petition does not allow signing %(channel)s. %(how)s",
                channel=channel_name(channel),
                how=how_to_sign(channels),
            ),
            field=field,
        )
