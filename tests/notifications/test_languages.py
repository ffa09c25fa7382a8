"""E-mails are written in the recipient's language (kk, ru, en), as plain text and HTML.

The project's catalogs are being translated; these tests compile a small catalog of their own
(``BABEL_TRANSLATION_DIRECTORIES``) so that they check the mechanism, not the translators' progress.
"""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest

from recall.extensions import db
from recall.notifications.rules import ensure_default_rules
from recall.services.outbox import record_event
from tests import factories
from tests.notifications.conftest import mail_config, write_catalogs
from tests.signing.conftest import collecting_petition  # noqa: F401 (a fixture)

# The subject names the deputy (issue 14).
SUBJECT = "Confirm your signature on the recall of %(name)s"
TRANSLATIONS = {
    "kk": {
        SUBJECT: "%(name)s кері шақыру петициясына қойған қолыңызды растаңыз",
        "Hello,": "Сәлеметсіз бе,",
        "Confirm my signature": "Қолымды растау",
        "A recall petition reached a milestone": "Петиция межеге жетті",
        "Share of the required signatures, %": "Қажетті қолдардың үлесі, %",
    },
    "ru": {
        SUBJECT: "Подтвердите подпись под петицией об отзыве: %(name)s",
        "Hello,": "Здравствуйте,",
        "Confirm my signature": "Подтвердить подпись",
    },
}


@pytest.fixture
def app_config(smtp_server, tmp_path):
    folder = write_catalogs(tmp_path / "translations", TRANSLATIONS)
    return mail_config(smtp_server, BABEL_TRANSLATION_DIRECTORIES=folder)


@pytest.fixture(autouse=True)
def _fresh_translations_cache(app):
    """Flask-Babel caches catalogs per process, not per app: start and leave with an empty cache.
    Inside the app's context: its domain is found through ``current_app`` (run alone, this
    module's first test had no context yet)."""
    from recall.extensions import babel

    babel.domain_instance.cache.clear()
    yield
    babel.domain_instance.cache.clear()


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _parts(message) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.get_payload()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    return text.get_payload(decode=True).decode(), html.get_payload(decode=True).decode()


def test_each_recipient_gets_the_mail_in_their_own_language(app, make, smtp_server):
    ensure_default_rules()
    petition = make.petition()
    for locale in ("kk", "ru", "en"):
        make.user(email=f"{locale}@example.org", locale=locale)
        signature = make.signature(petition, email=f"{locale}@example.org")
        record_event(
            "signature.confirmation_requested",
            "signature",
            signature.id,
            {
                "petition_id": petition.id,
                "confirm_url": f"http://recall.test/c/{locale}",
                "receipt": "R-1",
            },
        )
    db.session.commit()

    received = {m.rcpt_tos[0]: m.message for m in smtp_server.wait_for(3)}
    assert len(received) == 3
    expected = {
        "kk": TRANSLATIONS["kk"],
        "ru": TRANSLATIONS["ru"],
        "en": {
            SUBJECT: SUBJECT,
            "Hello,": "Hello,",
            "Confirm my signature": "Confirm my signature",
        },
    }
    for locale, words in expected.items():
        message = received[f"{locale}@example.org"]
        assert _subject(message) == words[SUBJECT] % {"name": petition.deputy.full_name}
        text, html = _parts(message)
        assert text.startswith(words["Hello,"]) and f"http://recall.test/c/{locale}" in text
        assert f'<html lang="{locale}">' in html
        assert (
            f'<a href="http://recall.test/c/{locale}" style="font-weight: bold;">{words["Confirm my signature"]}</a>'
            in html
        )


@pytest.mark.parametrize(
    "headers, cookie, locale",
    [
        ({"Accept-Language": "kk"}, None, "kk"),
        ({"Accept-Language": "en"}, "ru", "ru"),  # the language switcher's cookie wins
    ],
)
def test_a_signer_without_an_account_gets_the_mail_in_the_language_they_signed_in(
    app, client, smtp_server, collecting_petition, headers, cookie, locale
):
    ensure_default_rules()
    petition = collecting_petition()
    if cookie:
        client.set_cookie("lang", cookie)
    response = client.post(
        f"/petitions/{petition.id}/sign",
        headers=headers,
        data={
            "full_name": "Әлия Қасымова",
            "iin": factories.iin(),
            "email": "aliya@example.org",
            "district_id": petition.district_id,
            "consent": "y",
        },
    )
    assert response.status_code == 202
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == ["aliya@example.org"]
    assert _subject(received.message) == TRANSLATIONS[locale][SUBJECT] % {
        "name": petition.deputy.full_name
    }
    text, html = _parts(received.message)
    assert text.startswith(TRANSLATIONS[locale]["Hello,"]) and f'<html lang="{locale}">' in html


def test_the_generic_mail_names_its_fields_in_the_recipients_language(app, make, smtp_server):
    from recall.models.notifications import Channel, NotificationRule, Recipient

    db.session.add(
        NotificationRule(
            event_kind="petition.milestone",
            recipient=Recipient.PETITION_INITIATORS,
            channel=Channel.EMAIL,
        )
    )
    petition = make.petition(initiator=make.user(email="kk@example.org", locale="kk"))
    record_event("petition.milestone", "petition", petition.id, {"percent": 75})
    db.session.commit()
    [received] = smtp_server.wait_for(1)
    assert _subject(received.message) == "recall: Петиция межеге жетті"
    text, html = _parts(received.message)
    assert "Қажетті қолдардың үлесі, %: 75" in text and '<html lang="kk">' in html
