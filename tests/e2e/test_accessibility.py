"""axe-core on every page each role can reach, at phone and desktop width, in en, ru and kk.

axe-core comes inside the ``axe-playwright-python`` package (no download at run time) and is run
in the page by Playwright. The pages come from the URL map (tests/e2e/pages.py) over the
scenario's data (tests/e2e/scenario.py); any violation of any rule fails the test, with a list
of every one found. A page whose content (outside the header) is the same as one already checked
in that language is not checked again: the same markup gives the same findings, and the header,
which differs by role, is checked on each role's first page. With ``A11Y_SCREENSHOTS=1`` the
main pages are photographed into ``screenshots/`` (git-ignored) for a person to look at.

One browser context serves the whole walk of a language: each role's session cookie replaces the
previous one's (the pages keep no other state: ``refresh.js`` writes sessionStorage only when its
button is clicked, which the walk never does), where a context per role started a renderer
process each time (0.6 s). Each page is checked at the width it loaded at (where the previous
one was left) and then at the other: one viewport change per page instead of two, and the same
checks at each width as ever (RULES_AT).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections import defaultdict
from pathlib import Path

import pytest

from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, new_context
from tests.e2e.pages import ANONYMOUS, Page, pages, parameterless_get_routes
from tests.e2e.scenario import ROLES, Scenario, build

pytestmark = pytest.mark.postgres

LANGUAGES = tuple(os.environ.get("A11Y_LANGS", "en ru kk").split())
# The main pages, photographed in English at both widths when asked for (1.5 s a walk otherwise).
SCREENSHOTS_WANTED = os.environ.get("A11Y_SCREENSHOTS") == "1"
SCREENSHOT_PAGES = {
    (ANONYMOUS, "public.home"),
    (ANONYMOUS, "public.show_deputy"),
    (ANONYMOUS, "petitions.show_petition"),
    (ANONYMOUS, "signing.sign_petition"),
    (ANONYMOUS, "promises.list_promises"),
    (ANONYMOUS, "promises.show_promise"),
    (ANONYMOUS, "appeals.show_appeal"),
    ("monitor", "public.home"),
    ("commissioner", "commission.index"),
    ("commissioner", "commission.show_petition"),
    ("commissioner", "commission.review_queue"),
    ("admin", "admin.list_users"),
}
# At desktop width only the rules whose outcome depends on the layout run again (axe-core 4.12's
# rule list, in the axe-playwright-python package): colours and overlaps (color-contrast,
# link-in-text-block), sizes and spacing (target-size), overflow (scrollable-region-focusable),
# what is visible on screen rather than to a screen reader (region, skip-link, bypass), and the
# table rules, whose cells become cards on a phone (style.css). Every other rule reads the DOM
# and what is rendered at all, which the same markup gives at both widths unless an element is
# shown at one width and not at the other: then every rule runs at desktop width too.
# target-size is off in axe's default set, so it is switched on at phone width too: a thumb on a
# phone is where a small target hurts most (WCAG 2.2, 2.5.8).
LAYOUT_RULES = [
    "color-contrast",
    "link-in-text-block",
    "target-size",
    "scrollable-region-focusable",
    "region",
    "skip-link",
    "bypass",
    "td-headers-attr",
    "th-has-data-cells",
    "table-duplicate-name",
    "empty-table-header",
    "scope-attr-valid",
]
# axe's default rule set and target-size (rules=None) or the given rules; and which elements are
# shown.
AXE_RUN = """async (rules) => {
    const shown = Array.from(document.body.querySelectorAll("*"),
        (e) => (e.checkVisibility({visibilityProperty: true}) ? "1" : "0")).join("");
    const options = {resultTypes: ["violations"]};
    if (rules !== null) options.runOnly = {type: "rule", values: rules};
    else options.rules = {"target-size": {enabled: true}};
    const {violations} = await axe.run(document, options);
    return {shown, violations};
}"""
# What runs at each width: every (default) rule at phone width, the layout rules at desktop.
RULES_AT = {PHONE["width"]: None, DESKTOP["width"]: LAYOUT_RULES}
HEADER = re.compile(r'<header class="site">.*?</header>', re.S)
CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*|(value=")[^"]*("[^>]*name="csrf_token")')
# The challenge to sign with a digital signature (nonce, time, MAC) is new on every load too.
ONE_TIME = re.compile(r"[0-9a-f]{32,}|(?<=issued: )\d+|(?<=issued%3A%20)\d+")


def sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{user.email} could not sign in"


def _content_key(html: str, language: str) -> str:
    """What a page shows outside the header (CSRF tokens and challenges differ on every load)."""
    html = ONE_TIME.sub("", CSRF.sub(r"\1\2\3", HEADER.sub("", html, count=1)))
    return language + hashlib.sha256(html.encode()).hexdigest()


def _check(page, url: str, where: str, screenshot: str | None) -> list[str]:
    """axe on the page: every rule at phone width, the layout rules at desktop width (see
    LAYOUT_RULES), starting at the width the page loaded at, which it is left at the other.

    axe-core itself is in every page already (the test adds it to the context).
    """
    page.goto(url)
    if page.url != url:  # sent to log in, say: the page meant was not checked
        return [f"{where}: the browser landed on {page.url}"]
    problems, shown = [], {}

    def run(viewport, rules, skip=()) -> None:
        result = page.evaluate(AXE_RUN, rules)
        for violation in result["violations"]:
            if violation["id"] in skip:
                continue
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            problems.append(
                f"{where} at {viewport['width']}px: {violation['id']} ({len(violation['nodes'])}x)"
                f" {violation['help']} [{targets}]"
            )
        shown[viewport["width"]] = result["shown"]

    first = PHONE if page.viewport_size == PHONE else DESKTOP
    for viewport in (first, DESKTOP if first == PHONE else PHONE):
        if viewport != page.viewport_size:
            page.set_viewport_size(viewport)
        run(viewport, RULES_AT[viewport["width"]])
        if screenshot:
            page.screenshot(
                path=str(SCREENSHOTS / f"{screenshot}-{viewport['width']}.png"), full_page=True
            )
    if shown[PHONE["width"]] != shown[DESKTOP["width"]]:
        # An element shown at one width only: every rule at desktop width too (the layout ones
        # have run there already).
        page.set_viewport_size(DESKTOP)
        run(DESKTOP, None, skip=LAYOUT_RULES)
    return problems


def _client(app, user):
    """A test client signed in as ``user``: it reads pages far faster than the browser loads them."""
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
    return client


def _walk(app, page, base, scenario: Scenario, role: str, language: str, todo, seen):
    """Check each page of ``role`` in ``language`` whose content was not checked yet."""
    problems, checked = [], 0
    user = scenario.users.get(role)
    client = _client(app, user)
    client.set_cookie("lang", language)
    # The browser signs in with the test client's session cookie (the same app signs both):
    # the log-in form is the journeys' to test, and scrypt costs a second per sign-in here.
    session = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    cookies = {"lang": language} | ({session.key: session.value} if session else {})
    page.context.clear_cookies()  # the previous role's session
    page.context.add_cookies([{"name": k, "value": v, "url": base} for k, v in cookies.items()])
    for index, item in enumerate(todo):
        where = f"{role} {language} {item.path}"
        # A route that redirects (/admin/ to its first page) is checked where it lands.
        response = client.get(item.path, headers={"Accept": "text/html"}, follow_redirects=True)
        if response.status_code == 200 and response.mimetype != "text/html":
            continue  # an image or a file (a share card), not a page
        if response.status_code != 200:
            problems.append(f"{where}: answered {response.status_code} {response.mimetype}")
            continue
        key = _content_key(response.get_data(as_text=True), language)
        if index and key in seen:  # the first page of a role is checked for its header
            continue
        seen.add(key)
        shot = SCREENSHOTS_WANTED and language == "en" and (role, item.endpoint) in SCREENSHOT_PAGES
        url = base + (response.request.path if response.history else item.path)
        problems += _check(page, url, where, shot and f"{role}-{item.endpoint}")
        checked += 1
    return problems, checked


class CpuMeter:
    """CPU time of this process (the app's server threads too) and of every process it started
    (Chromium's, sampled before each context closes and takes its renderer with it) since the
    meter was made: on a machine shared with other work the wall time says little."""

    def __init__(self) -> None:
        self.seconds: dict[int, float] = {}
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.sample()  # the browser is shared by the tests of the module: count only from now
        self.before, self.started = dict(self.seconds), time.process_time()

    def sample(self) -> None:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            pid = int(stat.parent.name)
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if _descends_from(pid, os.getpid()):
                self.seconds[pid] = (int(fields[11]) + int(fields[12])) / self.ticks

    def total(self) -> float:
        self.sample()
        children = sum(s - self.before.get(pid, 0) for pid, s in self.seconds.items())
        return time.process_time() - self.started + children


def _descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            return False
        if pid == ancestor:
            return True
    return False


# One test per language, so that parallel workers (pytest-xdist) can share the walk; within a
# language every role walks with the same ``seen`` set, as a page checked once is checked.
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_of_every_role_passes_axe(app, live_server, browser, tmp_path, language):
    started, meter = time.monotonic(), CpuMeter()
    scenario = build(tmp_path)
    todo, unfilled = pages(app, scenario, ROLES)
    assert unfilled == [], "pages with arguments the scenario cannot fill"
    if SCREENSHOTS_WANTED:
        SCREENSHOTS.mkdir(exist_ok=True)
    by_role: dict[str, list[Page]] = defaultdict(list)
    for item in todo:
        by_role[item.role].append(item)
    from axe_playwright_python.base import AXE_SCRIPT  # axe-core itself, shipped in the package

    context = new_context(browser, DESKTOP)  # not a mobile one: the phone width is a viewport only
    # axe-core is 500 KB of script: added once to the context, which runs it in every page
    # (measured: a little cheaper than evaluating it after each page has loaded).
    context.add_init_script(script=AXE_SCRIPT)
    page = context.new_page()
    problems, seen, checked = [], set(), 0
    for role in (ANONYMOUS, *ROLES):
        found, count = _walk(app, page, live_server, scenario, role, language, by_role[role], seen)
        problems += found
        checked += count
    meter.sample()  # before the context takes its renderer process with it
    context.close()
    elapsed = time.monotonic() - started
    print(
        f"axe {language}: {checked} pages x 2 widths of {len(todo)} read, {elapsed:.0f} s,"
        f" {meter.total():.0f} CPU s (this process and the browser's)"
    )
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems)


def test_every_page_without_arguments_is_walked(app):
    """A new page (a GET route without arguments) is walked by some role, or the test fails."""
    scenario = Scenario(users={})
    walked = {item.endpoint for item in pages(app, scenario, ROLES)[0]}
    assert parameterless_get_routes(app) - walked == set()
