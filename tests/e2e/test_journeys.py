"""Two staff journeys in the browser, as a person would make them.

The commission: import a small voter roll, run the checks, review the one signature the checks
could not decide, propose certifying, and a second commissioner confirms. The monitor: record a
promise from the deputy's page, rate it with evidence, and see it on the scorecard. Screenshots
of the steps go to ``screenshots/`` (git-ignored).
"""

from __future__ import annotations

from datetime import date

import pytest

from recall.extensions import db
from recall.models import Role
from recall.services.reference_data import ensure_reference_data
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, new_context
from tests.e2e.scenario import CLOSED
from tests.e2e.test_accessibility import sign_in

pytestmark = pytest.mark.postgres


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"journey-{name}.png"), full_page=True)


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_the_commission_checks_reviews_and_certifies(app, live_server, browser, tmp_path):
    from playwright.sync_api import expect

    from recall.services.signing import counting

    ensure_reference_data()
    body = factories.body(name="Mazhilis of the Parliament")
    district = factories.district(body, number=1, name="Single-mandate district No. 1")
    deputy = factories.deputy(district, full_name="Akhmetov Nurlan")
    first = factories.user(Role.COMMISSIONER, commission_body=body, display_name="Saule Omarova")
    second = factories.user(Role.COMMISSIONER, commission_body=body, display_name="Timur Bekov")
    petition = factories.petition(deputy, **{**CLOSED, "required": 2})
    on_roll, misspelt = factories.iin(date(1970, 1, 1)), factories.iin(date(1971, 1, 1))
    factories.signature(petition, on_roll, "Aigerim Bekova")
    factories.signature(petition, misspelt, "Marat Umarov")  # the roll says Omarov: review
    factories.signature(petition, full_name="Not On The Roll")
    counting.recount(petition.id)
    db.session.commit()
    roll = factories.write_roll(
        tmp_path / "roll.csv",
        [
            (on_roll, "Aigerim Bekova", 1, "Abay street 1"),
            (misspelt, "Marat Omarov", 1, "Abay street 2"),
            factories.roll_entry(full_name="Dana Seitkali"),
        ],
    )
    context = new_context(browser, DESKTOP)
    page = context.new_page()
    sign_in(page, live_server, first)

    page.goto(f"{live_server}/commission/roll")
    page.get_by_label("Voter roll (CSV").set_input_files(str(roll))
    page.get_by_label("Roll date").fill("2026-02-01")
    page.get_by_role("button", name="Upload").click()
    confirm = page.get_by_role("button", name="Confirm")  # a preview first, where there is one
    if confirm.count():
        _shot(page, "roll-preview")
        confirm.first.click()
    expect(page.get_by_text("in use", exact=True)).to_be_visible()
    _shot(page, "roll-imported")

    page.goto(f"{live_server}/commission/petitions/{petition.id}")
    page.get_by_role("button", name="Run the checks against the roll").click()
    page.get_by_role("link", name="Review queue (1)").click()
    expect(page.get_by_role("cell", name="Marat Umarov")).to_be_visible()
    page.get_by_role("link", name="Start reviewing").click()
    _shot(page, "review-item")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Decision saved.")).to_be_visible()
    expect(page.get_by_text("Nothing left to review.")).to_be_visible()

    page.get_by_label("Note").fill("Two valid of two required; one signer not on the roll.")
    page.get_by_role("button", name="Propose certifying: qualified").click()
    expect(page.get_by_text("Another commissioner must confirm it.", exact=True)).to_be_visible()
    _sign_out(page)

    sign_in(page, live_server, second)
    page.set_viewport_size(PHONE)  # the second commissioner confirms from a phone
    page.goto(f"{live_server}/commission/petitions/{petition.id}")
    page.get_by_role("button", name="Confirm the certification").click()
    expect(page.get_by_role("heading", name="Recall vote")).to_be_visible()
    _shot(page, "certified")
    db.session.refresh(petition)
    assert petition.state.value == "qualified"
    context.close()


def test_a_monitor_records_and_rates_a_promise(app, live_server, browser):
    from playwright.sync_api import expect

    ensure_reference_data()
    deputy = factories.deputy(full_name="Omarova Dana")
    monitor = factories.user(Role.MONITOR, display_name="Marat Monitor")
    db.session.commit()
    context = new_context(browser, PHONE)
    page = context.new_page()
    sign_in(page, live_server, monitor)

    page.goto(f"{live_server}/deputies/{deputy.id}/promises/new")
    page.get_by_label("Short title").fill("Build a school in Zhanaarka")
    page.get_by_label("The promise as stated").fill("I will build a school for 600 children.")
    page.get_by_label("Date it was made").fill("2023-02-01")
    page.get_by_label("Source link").fill("https://example.org/speech/2023-02-01")
    page.get_by_role("button", name="Record the promise").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Build a school in Zhanaarka")
    _shot(page, "promise-recorded")

    page.get_by_role("link", name="Change status").click()
    page.get_by_label("New status").select_option("kept")
    page.get_by_label("Date of the outcome").fill("2024-09-01")
    page.get_by_label("Explanation").fill("The school opened on 1 September 2024.")
    page.get_by_label("Evidence links").fill("https://example.org/evidence/school-opening")
    page.get_by_role("button", name="Record the status").click()
    expect(page.locator("main")).to_contain_text("The school opened on 1 September 2024.")
    _shot(page, "promise-rated")

    page.goto(f"{live_server}/deputies/{deputy.id}")
    expect(page.locator("main")).to_contain_text("Build a school in Zhanaarka")
    _shot(page, "deputy-scorecard")
    context.close()
