"""One real browser journey: a voter signs a recall petition on a phone and confirms by e-mail.

The real app is served by werkzeug on a free local port, against the test PostgreSQL database,
with CSRF on (as in production), notifications delivered inline and mail written as ``.eml``
files. Chromium (``/usr/bin/chromium``) is driven by Playwright at a phone's viewport, and the
test asserts on what a person sees. Without Chromium the test is skipped locally and fails with
``CI=true``.
"""

from __future__ import annotations

import email
import re
import threading
from email.policy import default as default_policy
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from recall.notifications.rules import ensure_default_rules
from tests import factories
from tests.conftest import IN_CI
from tests.notifications.conftest import free_port
from tests.signing.conftest import collecting_petition  # noqa: F401 (a fixture)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.postgres


def _missing(message: str) -> None:
    if IN_CI:
        pytest.fail(f"{message}; CI=true, so this is an error, not a skip.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium_path() -> str:
    try:
        import playwright  # noqa: F401
    except ImportError:
        _missing("the playwright package is missing: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        _missing(
            f"{CHROMIUM} is missing: install it with `apt-get install chromium` (.ci/run does)"
        )
    return str(CHROMIUM)


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def app_config(port, tmp_path):
    return {
        "WTF_CSRF_ENABLED": True,
        "MAIL_FOLDER": str(tmp_path / "mail"),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }


@pytest.fixture
def live_server(app, port):
    """The app served over HTTP in a thread; each request gets its own app context and session."""
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def phone(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US"
        )
        context.set_default_timeout(10_000)
        yield context.new_page()
        context.close()
        browser.close()


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
    deputy_name = petition.deputy.full_name
    district_label = f"{petition.district.number}. {petition.district.name}"

    phone.goto(f"{live_server}/petitions/{petition.id}")
    expect(phone.get_by_role("heading", name="Sign this recall petition")).to_be_visible()
    phone.get_by_role("link", name="Sign the petition").tap()

    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Sign the recall of {deputy_name}")
    phone.get_by_label("Full name").fill("Әлия Қасымова-Нұрланқызы")
    phone.get_by_label("IIN (12 digits)").fill(factories.iin(serial=42))
    phone.get_by_role("textbox", name="E-mail (we send you a link").fill("aliya@example.org")
    phone.get_by_label("Your district").select_option(label=district_label)
    phone.get_by_label("I agree to the processing of my personal data").check()
    phone.get_by_role("button", name="Sign", exact=True).tap()

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
