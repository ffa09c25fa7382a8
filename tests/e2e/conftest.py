"""Browser fixtures shared by tests/e2e: one Chromium for the whole run, the app served over HTTP.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright's bundled driver; nothing is
downloaded at run time. It is started once per test module (Playwright's sync API allows one
driver at a time, and a module may start its own), and each test opens its own contexts
(cookies, viewport, language) in it.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI
from tests.notifications.conftest import free_port

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
DESKTOP = {"width": 1280, "height": 900}
# Screenshots of the main pages, for a person to look at (git-ignored).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def missing(message: str) -> None:
    if IN_CI:
        pytest.fail(f"{message}; CI=true, so this is an error, not a skip.", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright package is missing: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing: install it with `apt-get install chromium` (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


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


def new_context(browser, viewport=DESKTOP, locale: str = "en-US"):
    phone = viewport["width"] < 600
    context = browser.new_context(
        viewport=viewport, is_mobile=phone, has_touch=phone, locale=locale
    )
    context.set_default_timeout(10_000)
    return context
