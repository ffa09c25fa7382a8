"""A voter's IIN watch on a page (issue 18): started with a digital signature on /iin-watch, told
by e-mail with a stop link, stopped with one click; a stopped watch hears nothing more."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import Event, IinWatch
from recall.notifications.rules import ensure_default_rules
from recall.services.sealing import open_payload
from tests import factories
from tests.notifications.conftest import mail_config, smtp_server  # noqa: F401 (fixture)
from tests.signing.conftest import payload, sign_url


@pytest.fixture
def app_config(smtp_server):
    return mail_config(smtp_server)


def _challenge(page) -> str:
    found = re.search(r'name="challenge" type="hidden" value="([^"]*)"', page.text)
    return html.unescape(found.group(1))


def _text(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode("utf-8")


def _watch_form(client, iin, key, cert, **changes):
    challenge = _challenge(client.get("/iin-watch"))
    data = {
        "iin": iin,
        "email": "watcher@mail.kz",
        "challenge": challenge.replace("\n", "\r\n"),
        "signature": factories.sign_challenge(key, challenge),
        "certificate": factories.certificate_pem(cert),
    } | changes
    return client.post("/iin-watch", data=data)


def _watches() -> list[tuple[str, object]]:
    return db.session.execute(sa.select(IinWatch.email, IinWatch.stopped_at)).all()


def test_watch_on_a_page_mail_a_stop_link_and_stop(client, collecting_petition, ca, smtp_server):
    ensure_default_rules()
    db.session.commit()
    iin = factories.iin()
    key, cert = ca.issue(iin)
    page = client.get("/iin-watch")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    started = _watch_form(client, iin, key, cert)
    assert started.status_code == 201, started.text
    assert iin not in started.text
    [(address, stopped)] = _watches()
    assert (address, stopped) == ("watcher@mail.kz", None)
    [mail] = smtp_server.wait_for(1)
    stop = re.search(r"/iin-watch/stop/\S+", _text(mail.message)).group(0)
    # The stop link is sealed in the event, never stored in plain text.
    stored = db.session.scalar(sa.select(Event.payload).where(Event.kind == "iin_watch.started"))
    assert stop not in str(stored) and stop in open_payload(stored)["stop_url"]

    petition = collecting_petition()
    assert client.post(sign_url(petition), json=payload(petition, iin=iin)).status_code == 202
    appeared = smtp_server.wait_for(3)  # the watcher's mail and the signer's confirmation
    watcher = [m for m in appeared if m.rcpt_tos == ["watcher@mail.kz"]][-1]
    assert "/iin-watch/report/" in _text(watcher.message) and stop in _text(watcher.message)

    assert "button" in client.get(stop).text and _watches()[0][1] is None  # GET stops nothing
    assert client.post(stop).status_code == 200
    assert _watches()[0][1] is not None
    client.post(sign_url(petition), json=payload(petition, iin=iin, email="x@mail.kz"))
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Event).where(Event.kind == "iin_watch.appeared")
        )
        == 1
    )  # a stopped watch hears nothing more


def test_a_stop_link_sent_to_an_earlier_address_stops_nothing(client, ca, smtp_server):
    ensure_default_rules()
    db.session.commit()
    iin = factories.iin()
    key, cert = ca.issue(iin)
    assert _watch_form(client, iin, key, cert).status_code == 201
    first_stop = re.search(r"/iin-watch/stop/\S+", _text(smtp_server.wait_for(1)[0].message))
    assert _watch_form(client, iin, key, cert, email="new@mail.kz").status_code == 201
    refused = client.post(first_stop.group(0))
    assert refused.status_code == 422
    assert _watches() == [("new@mail.kz", None)]


def test_a_watch_needs_the_certificate_of_that_iin_and_writes_nothing_otherwise(client, ca):
    iin = factories.iin()
    key, cert = ca.issue(factories.iin())  # someone else's certificate
    refused = _watch_form(client, iin, key, cert)
    assert refused.status_code == 422 and "another IIN" in refused.text
    assert iin not in refused.text
    assert _watches() == [] and db.session.scalar(sa.select(sa.func.count(Event.id))) == 0
    assert client.post("/iin-watch/stop/not-a-token").status_code == 422
