"""One real browser journey: a voter signs a recall petition on a phone and confirms by e-mail.

The real app is served by werkzeug on a free local port, against the test PostgreSQL database,
with CSRF on (as in production), notifications delivered inline and mail written as ``.eml``
files. Chromium (``/usr/bin/chromium``) is driven by Playwright at a phone's viewport, and the
test asserts on what a person sees (fixtures: tests/e2e/conftest.py).
"""

from __future__ import annotations

import email
import re
from email.policy import default as default_policy
from pathlib import Path

import pytest

from recall.demo.names import mazhilis_district_names
from recall.extensions import db
from recall.notifications.rules import ensure_default_rules
from tests import factories
from tests.e2e.conftest import PHONE, new_context
from tests.signing.conftest import collecting_petition  # noqa: F401 (a fixture)

pytestmark = pytest.mark.postgres


@pytest.fixture
def phone(browser):
    context = new_context(browser, PHONE)
    yield context.new_page()
    context.close()


# The longest names the demo gives a district (the Kazakh name of its region is the longest) and
# a deputy with the patronymic Russian and Kazakh lists print, in every language: the check is
# made against what a real petition page shows, not against "District 7".
LONG_NAMES = {
    "district": mazhilis_district_names(17, "North Kazakhstan Region", 2),
    "deputy": {
        "kk": "Нұрпейісова Әйгерім Бауыржанқызы",
        "ru": "Нурпеисова Айгерим Бауыржановна",
        "en": "Nurpeisova Aigerim Bauyrzhankyzy",
    },
}


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_sign_button_is_on_a_phones_first_screen_in_every_language(
    app, browser, collecting_petition, live_server, language
):
    """Russian and Kazakh labels are longer and wrap onto more lines than English on 390 px:
    the button must still be above the fold (844 px) in the reader's language."""
    petition = collecting_petition()
    petition.district.number = 17  # the number its name gives
    petition.district.names = dict(LONG_NAMES["district"])
    petition.deputy.names = dict(LONG_NAMES["deputy"])
    db.session.commit()
    context = new_context(browser, PHONE, locale=language)
    page = context.new_page()
    page.goto(f"{live_server}/petitions/{petition.id}")
    assert page.locator("html").get_attribute("lang") == language
    sign = page.locator(".sign-form button[type=submit]")
    box = sign.bounding_box()
    context.close()
    assert box["y"] + box["height"] <= PHONE["height"], (language, box)


def _confirmation_link(mail_folder: Path) -> str:
    [path] = mail_folder.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert message["To"] == "aliya@example.org"
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://\S+/signatures/confirm/\S+", text).group(0)


def test_a_voter_signs_on_a_phone_and_confirms_by_email(
    app,
    collecting_petition,
    live_server,
    phone,
    tmp_path,
):
    from playwright.sync_api import expect

    ensure_default_rules()
    petition = collecting_petition()
    district = petition.district

    phone.goto(f"{live_server}/petitions/{petition.id}")
    expect(phone.get_by_role("heading", name="Sign this recall petition")).to_be_visible()
    # Signing is the first thing on the first screen: the whole form, button included, is
    # within the phone's 844 px without scrolling.
    sign = phone.get_by_role("button", name="Sign", exact=True)
    box = sign.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box
    phone.get_by_label("Full name").fill("Әлия Қасымова-Нұрланқызы")
    phone.get_by_label("IIN (12 digits)").fill(factories.iin(serial=42))
    phone.get_by_role("textbox", name="E-mail", exact=True).fill("aliya@example.org")
    phone.get_by_label(
        f"I am registered in district No. {district.number} ({district.name})"
    ).check()
    phone.get_by_label("I agree to the processing of my personal data").check()
    sign.tap()

    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Almost done: confirm your signature"
    )
    receipt = phone.locator(".receipt code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9-]{8,}", receipt), receipt
    # The page fits the phone: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    phone.goto(_confirmation_link(tmp_path / "mail"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Confirm your signature")
    phone.get_by_role(
        "button", name="Confirm my signature"
    ).tap()  # opening the link alone confirms nothing
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Thank you: your signature is confirmed"
    )

    phone.goto(f"{live_server}/receipts")
    phone.get_by_label("Receipt code").fill(receipt)
    phone.get_by_role("button", name="Check").tap()
    expect(phone.locator(".receipt-status")).to_contain_text("confirmed: it counts")
    expect(phone.locator(".receipt-status")).to_contain_text(f"Petition No. {petition.id}")
