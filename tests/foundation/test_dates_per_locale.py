"""Dates read as the reader's language writes them on every page, in Russian and Kazakh (issue 14).

Every GET page of the URL map is rendered over the browser tests' demo-like data (a petition
collecting, one closed and checked, one submitted; promises rated and disputed; an appeal; a roll)
as the role that sees most of it, and its visible text must hold no ISO date (2026-11-03): dates go
through ``|day`` and ``|moment`` (``recall/i18n.py``). What a reader does not read as a date is left
out: attributes (``<time datetime>``, form values, links), code and form text, and URLs. E-mails
likewise, in the recipient's language.
"""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime
from email.policy import default as default_policy
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale

from recall.extensions import db
from recall.i18n import format_clock, format_day
from recall.models.notifications import Channel, NotificationRule, Recipient
from recall.services.outbox import record_event
from tests.e2e.pages import ANONYMOUS, pages
from tests.e2e.scenario import ROLES, build

pytestmark = pytest.mark.postgres

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
URL = re.compile(r"\b(?:https?://|www\.)\S+")
# Text in these elements is not prose: code (hashes, API examples, payloads), form contents.
NOT_PROSE = {"script", "style", "code", "pre", "textarea", "template", "samp"}


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside how many NOT_PROSE elements
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in NOT_PROSE:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in NOT_PROSE and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return URL.sub(" ", " ".join(parser.parts))


def iso_dates(html: str) -> list[str]:
    """The ISO dates a reader of ``html`` sees, with some text around each."""
    text = " ".join(visible_text(html).split())
    return [text[max(0, m.start() - 40) : m.end() + 20] for m in ISO_DATE.finditer(text)]


def test_the_check_sees_visible_dates_only():
    """The check itself: it finds a date in text and ignores attributes, code and URLs."""
    assert iso_dates("<p>Made on 2026-11-03</p>")
    assert not iso_dates(
        '<time datetime="2026-11-03">3 Nov 2026</time><input value="2026-11-03">'
        "<code>2026-11-03</code><a href='/x'>https://example.org/2026-11-03</a>"
    )


# Who opens a page: the role that sees the most of it (a commissioner sees the commission's parts of
# public pages too). One visit per page and language keeps the walk to a few seconds.
PREFERENCE = ("commissioner", "monitor", "moderator", "deputy", "admin", "citizen", ANONYMOUS)


def _one_visitor_per_page(found) -> dict[str, str]:
    visitors: dict[str, set[str]] = {}
    for page in found:
        visitors.setdefault(page.path, set()).add(page.role)
    return {
        path: next(role for role in PREFERENCE if role in roles) for path, roles in visitors.items()
    }


def test_no_page_shows_an_iso_date_in_russian_or_kazakh(app, login, tmp_path):
    scenario = build(tmp_path)
    found, _unfilled = pages(app, scenario, ROLES)
    clients = {ANONYMOUS: app.test_client()}
    for role, user in scenario.users.items():
        clients[role] = login(user, app.test_client())
    shown, seen = {}, 0
    for path, role in _one_visitor_per_page(found).items():
        for language in ("ru", "kk"):
            response = clients[role].get(path, headers={"Accept-Language": language})
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            seen += 1
            for hit in iso_dates(response.get_data(as_text=True)):
                shown.setdefault(f"{path} ({language}): …{hit}…", role)
    assert seen > 100, seen  # 81 pages in two languages  # the walk reached the pages
    assert not shown, "\n".join(f"{where} as {role}" for where, role in shown.items())


def test_mails_write_dates_in_the_readers_language(app, make, tmp_path):
    """A template's own sentence (the registration mail) and the generic mail's payload lines."""
    app.config.update(MAIL_SERVER=None, MAIL_FOLDER=str(tmp_path / "mail"))
    for kind in ("petition.registered", "petition.milestone"):
        db.session.add(
            NotificationRule(
                event_kind=kind, recipient=Recipient.PETITION_INITIATORS, channel=Channel.EMAIL
            )
        )
    closes = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
    for language in ("ru", "kk"):
        initiator = make.user(email=f"{language}@example.org", locale=language)
        petition = make.petition(initiator=initiator, closes_at=closes, required=12_000)
        terms = {"closes_at": closes.isoformat(), "electorate_as_of": "2026-10-01"}
        record_event("petition.registered", "petition", petition.id, terms)
        record_event("petition.milestone", "petition", petition.id, {"percent": 50, **terms})
    db.session.commit()

    mails = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(mails) == 4
    for path in mails:
        message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        language = message["To"].split("@")[0]
        for part in message.walk():
            if part.get_content_maintype() != "text":
                continue
            body = part.get_content()
            assert not iso_dates(body), (language, body)
            with force_locale(language):
                assert format_day(closes) in body, (language, body)


def test_a_time_of_day_is_the_application_zones_not_utc(app):
    """A review claim or a signing challenge says until when, in Almaty's time (UTC+5), as the
    reader's language writes it: 09:05 UTC is 14:05 there, and "UTC" is no longer printed."""
    moment = datetime(2026, 12, 3, 9, 5, tzinfo=UTC)
    for language in ("en", "ru", "kk"):
        with force_locale(language):
            assert format_clock(moment) in {"14:05", "2:05\u202fPM", "2:05 PM"}, language
    with force_locale("ru"):
        assert format_clock(moment) == "14:05"
