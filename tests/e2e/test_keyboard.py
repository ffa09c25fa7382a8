"""Keyboard use: the first Tab reaches a visible skip link, and focus is always drawn."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE, new_context

pytestmark = pytest.mark.postgres

FOCUSED = "document.activeElement"


def _ring(page) -> tuple[str, float]:
    style, width = page.evaluate(
        f"(() => {{ const s = getComputedStyle({FOCUSED}); return [s.outlineStyle, s.outlineWidth]; }})()"
    )
    return style, float(width.removesuffix("px"))


def test_the_skip_link_comes_first_and_focus_is_visible(app, live_server, browser):
    context = new_context(browser, PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/deputies")
    page.keyboard.press("Tab")
    assert page.evaluate(f"{FOCUSED}.textContent") == "Skip to main content"
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] > 10  # on screen once focused, hidden before
    style, width = _ring(page)
    assert style == "solid" and width >= 2
    page.keyboard.press("Enter")
    assert page.evaluate(f"{FOCUSED}.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the page's content, past the menu
    assert page.evaluate(f"{FOCUSED}.closest('main') !== null")
    style, width = _ring(page)
    assert style == "solid" and width >= 2
    page.goto(f"{live_server}/lang/kk?next=/deputies")
    page.keyboard.press("Tab")
    assert page.evaluate(f"{FOCUSED}.textContent") == "Негізгі мазмұнға өту"
    context.close()
