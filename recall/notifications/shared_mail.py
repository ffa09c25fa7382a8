"""A surge's confirmation mails rendered once per kind, language and petition, not once per signer.

In a surge every signer's confirmation is the same mail but for its link and receipt code (and
its headers). Rendering the templates was the larger part of a worker's CPU per mail, so a drain
renders a mail of ``PER_RECIPIENT_KEYS``' kinds once per (kind, language, petition) with
placeholders in place of those values, and fills each signer's in: escaped as Jinja escapes them
in the HTML, as they are in the text. The lines without a placeholder are also encoded
(quoted-printable) once. The bytes are those ``mail.render_email`` gives (tested over arbitrary
values and names, in kk, ru and en).

What keeps one signer's values out of another's mail: the shared rendering gets stand-ins for
the delivery, the event, its subject and every payload key but the listed ones, which raise when
a template reads them; the mail is then rendered for each recipient as before. The placeholders
hold a random token drawn for each rendering, so no name or title can contain one.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from recall.models.notifications import Delivery
from recall.models.outbox import Event
from recall.notifications import mail
from recall.notifications.errors import PermanentDeliveryError
from recall.notifications.recipients import petition_of

# Kinds whose templates read what is the recipient's own only through these payload keys
# (``payload.confirm_url``...); the rest of the mail depends on the kind, the language and the
# petition. Rendered once per drain for all their recipients.
PER_RECIPIENT_KEYS = {
    "signature.confirmation_requested": ("confirm_url", "receipt"),
    "appeal_signature.confirmation_requested": ("confirm_url", "receipt"),
}
# Distinct renderings a drain keeps (kinds x languages x petitions of a surge).
KEPT_RENDERINGS = 256


class NotShared(Exception):
    """A template of a shared kind read a value that may differ from one recipient to another."""


class _RecipientOnly:
    """Stands for a value of one recipient (the delivery, the event, its subject) in a shared
    rendering: any use of it raises ``NotShared``."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def _refuse(self, *args, **kwargs):
        raise NotShared(self._name)

    __getattr__ = __getitem__ = __call__ = __html__ = _refuse
    __bool__ = __str__ = __iter__ = __len__ = __format__ = _refuse


class _Placeholders:
    """The payload in a shared rendering: ``keys`` read as placeholders (or as missing, as in the
    real payload), any other key raises ``NotShared``."""

    __slots__ = ("_keys", "_values")

    def __init__(self, keys: tuple[str, ...], values: dict[str, str]):
        self._keys, self._values = keys, values

    def __getattr__(self, name: str):
        if name not in self._keys:
            raise NotShared(f"payload.{name}")
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str):
        if name not in self._keys:
            raise NotShared(f"payload[{name!r}]")
        return self._values[name]  # KeyError: undefined, as a missing key of the real payload


class _Body:
    """A rendered body with placeholders; the lines without one already encoded."""

    __slots__ = ("_encoded", "_lines", "_pattern", "text")

    def __init__(self, text: str, pattern: re.Pattern):
        self.text, self._pattern = text, pattern
        self._lines = mail.body_lines(text)
        self._encoded = [
            None if pattern.search(line) else mail.qp_line(line) for line in self._lines
        ]

    def filled(self, values: dict[str, str]) -> str:
        return _fill(self._pattern, self.text, values)

    def encoded(self, values: dict[str, str]) -> str:
        """``mail.qp_body(self.filled(values))`` for values without CR or LF: only the lines
        with a placeholder are encoded."""
        return "\r\n".join(
            done if done is not None else mail.qp_line(_fill(self._pattern, line, values))
            for line, done in zip(self._lines, self._encoded, strict=True)
        )


def _fill(pattern: re.Pattern, text: str, values: dict[str, str]) -> str:
    # One pass: a value is never searched for placeholders itself.
    return pattern.sub(lambda match: values[match.group()], text)


@dataclass(frozen=True)
class _Rendering:
    """A mail rendered with placeholders for the values of ``PER_RECIPIENT_KEYS``."""

    placeholders: dict[str, str]  # payload key -> its placeholder
    pattern: re.Pattern
    title: str
    text: _Body
    html: _Body

    def message(self, delivery: Delivery, payload: dict[str, Any]):
        """The delivery's message: its values in place of the placeholders, escaped in the HTML
        as Jinja escapes them (``{{ }}`` or an argument of the HTML's ``_()``)."""
        raw = {p: payload[k] for k, p in self.placeholders.items() if k in payload}
        escaped = {p: str(escape(value)) for p, value in raw.items()}
        title = " ".join(_fill(self.pattern, self.title, raw).split())
        headers = mail.message_headers(delivery, None)
        if mail.ascii_headers(headers) and not any(_breaks_line(v) for v in raw.values()):
            return mail.wire_message(
                title, headers, self.text.encoded(raw), self.html.encoded(escaped)
            )
        return mail.build_message(title, headers, self.text.filled(raw), self.html.filled(escaped))


def _breaks_line(value: str) -> bool:
    return "\r" in value or "\n" in value


def _render(event: Event, locale: str, petition: Any, url: str | None, present: tuple[str, ...]):
    """The rendering of a mail of ``event``'s kind with the ``present`` keys as placeholders;
    None when a template read a recipient's value or changed a placeholder."""
    keys = PER_RECIPIENT_KEYS[event.kind]
    # Private-use marks, which escaping leaves alone, around a random number between a lower-
    # and an upper-case letter, which any filter changing case changes (``_mangled``).
    token = f"xY{secrets.randbelow(10**16):016d}"
    placeholders = {key: f"\ue000{token}:{n}\ue001" for n, key in enumerate(keys)}
    context = mail.template_context(
        event.kind,
        event=_RecipientOnly("event"),
        payload=_Placeholders(keys, {k: placeholders[k] for k in present}),
        subject_row=_RecipientOnly("subject_row"),
        delivery=_RecipientOnly("delivery"),
        subject_url=url,
        unsubscribe_url=None,
        locale=locale,
        event_petition=lambda: petition,
    )
    try:
        title, text, html = mail.render_templates(
            event.kind, context, lambda: _RecipientOnly("payload_lines")
        )
    except (NotShared, PermanentDeliveryError):
        return None  # rendered for each recipient, where a template error is that mail's
    pattern = re.compile(f"\ue000{token}:[0-9]+\ue001")
    if any(_mangled(pattern, part) for part in (title, text, html)):
        return None
    placeholders = {key: placeholders[key] for key in present}
    return _Rendering(placeholders, pattern, title, _Body(text, pattern), _Body(html, pattern))


def _mangled(pattern: re.Pattern, text: str) -> bool:
    """Whether a template cut or changed a placeholder (a slice, a filter changing case or
    quoting it): filling the value in would not give what the template makes of the value.
    (Not every filter shows: ``PER_RECIPIENT_KEYS`` lists kinds whose templates print the values
    as they are, and ``tests/notifications/test_shared_mail.py`` holds them to it.)"""
    found = len(pattern.findall(text))
    return text.count("\ue000") != found or text.count("\ue001") != found


class SharedRenders:
    """The shared renderings of one drain. ``render_email`` gives what ``mail.render_email``
    gives, filling a shared rendering in where one applies.

    ``petitions`` (id -> row) are those the drain's mails name, loaded once for the drain: its
    renderings are kept by petition anyway, and a drain lasts at most half of
    ``DELIVERY_JOB_TIMEOUT`` (a deputy renamed meanwhile is named as before until the next one).
    """

    def __init__(self):
        self._kept: dict[tuple, _Rendering | None] = {}
        self.petitions: dict[int, Any] = {}

    def render_email(self, delivery: Delivery, event: Event, subject: Any, petitions: dict):
        keys = PER_RECIPIENT_KEYS.get(event.kind)
        if keys is None or delivery.follow_id is not None:
            return mail.render_email(delivery, event, subject, petitions)
        payload = mail.opened_payload(event)
        present = tuple(k for k in keys if k in payload)
        # A missing value, None or "" reads differently in a template: kept for each recipient.
        if not all(isinstance(payload[k], str) and payload[k] for k in present):
            return mail.render_email(delivery, event, subject, petitions)
        petition = petition_of(event, subject, petitions)
        locale, url = mail.mail_locale(delivery), mail.subject_url(event)
        key = (event.kind, locale, petition.id if petition is not None else None, url, present)
        if key not in self._kept:
            if len(self._kept) >= KEPT_RENDERINGS:
                self._kept.clear()
            self._kept[key] = _render(event, locale, petition, url, present)
        rendering = self._kept[key]
        if rendering is None:
            return mail.render_email(delivery, event, subject, petitions)
        return rendering.message(delivery, payload)
