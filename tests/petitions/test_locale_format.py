"""Everywhere (issue 14): rule pages say codes as words in the reader's language, numbers and
dates are written per locale, and the generic mail's lines are translated."""

from __future__ import annotations

from recall.extensions import db

RAW_CODES = ("single_mandate", "registered_voters", "random_sample", "full_count", "votes_cast")


def test_the_rule_page_says_words_not_codes_in_each_language(client, flow):
    petition = flow.open()
    db.session.commit()
    for lang, words in (
        ("en", "deputies elected in single-mandate districts"),
        ("ru", "депутаты, избранные по одномандатным округам"),
        ("kk", "бір мандатты округтерден сайланған депутаттар"),
    ):
        html = client.get(f"/petitions/{petition.id}/rule?lang={lang}").get_data(as_text=True)
        assert words in html, lang
        rule = html[html.index('class="facts rule"') :]
        assert not [code for code in RAW_CODES if code in rule], lang


def test_numbers_and_dates_follow_the_readers_language(client, flow):
    petition = flow.collecting()
    db.session.commit()
    english = client.get(f"/petitions/{petition.id}?lang=en").get_data(as_text=True)
    russian = client.get(f"/petitions/{petition.id}?lang=ru").get_data(as_text=True)
    voters = petition.registered_voters
    assert f"{voters:,}" in english
    # Russian groups thousands with a no-break space and names the month in Russian.
    assert f"{voters:,}".replace(",", "\xa0") in russian
    assert petition.opens_at.strftime("%b") in english
    assert petition.opens_at.strftime("%b") not in russian


def test_the_generic_mail_lines_are_translated(app):
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("ru"):
        assert gettext("See it here:") == "Смотрите здесь:"
    with app.test_request_context(), force_locale("kk"):
        assert gettext("You get this because you follow it. Stop these e-mails:").startswith(
            "Сіз жазылғандықтан"
        )
