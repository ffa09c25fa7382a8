"""Signing out and changing the password end the session everywhere (issue 13).

A real client signs in with "remember me"; an attacker copies its cookies into a client of their
own. After the owner signs out (or changes the password) neither the copied session cookie nor
the copied remember token opens a page any more.
"""

from __future__ import annotations

import pytest

from recall.extensions import db
from tests.factories import PASSWORD

PRIVATE = "/account/password"  # any page that needs a signed-in user


def _signed_in_with_remember(app, user):
    owner = app.test_client()
    response = owner.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    assert owner.get_cookie("remember_token") is not None
    return owner


def _copies(app, owner):
    """Two attacker clients: one with the whole cookie jar, one with only the remember token."""
    everything, remember_only = app.test_client(), app.test_client()
    for name in ("session", "remember_token"):
        everything.set_cookie(name, owner.get_cookie(name).value)
    remember_only.set_cookie("remember_token", owner.get_cookie("remember_token").value)
    for copy in (everything, remember_only):
        assert copy.get(PRIVATE).status_code == 200  # the copies work while the owner is in
    return everything, remember_only


def _refused(client) -> bool:
    response = client.get(PRIVATE)
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_signing_out_ends_copied_session_and_remember_cookies(app, make):
    user = make.user()
    db.session.commit()
    owner = _signed_in_with_remember(app, user)
    everything, remember_only = _copies(app, owner)

    assert owner.post("/logout").status_code == 302

    assert _refused(owner)
    assert _refused(everything)
    assert _refused(remember_only)
    # Signing in again works, with a fresh session the old cookies do not share.
    again = _signed_in_with_remember(app, user)
    assert again.get(PRIVATE).status_code == 200
    assert _refused(everything) and _refused(remember_only)


def test_changing_the_password_ends_copied_cookies_but_keeps_this_session(app, make):
    user = make.user()
    db.session.commit()
    owner = _signed_in_with_remember(app, user)
    everything, remember_only = _copies(app, owner)

    changed = owner.post(
        PRIVATE,
        data={
            "current_password": PASSWORD,
            "new_password": "a new password",
            "confirm": "a new password",
        },
    )
    assert changed.status_code == 302
    assert owner.get(PRIVATE).status_code == 200
    assert _refused(everything)
    assert _refused(remember_only)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_signing_out_without_the_csrf_token_changes_nothing(app, make):
    """A cross-site form cannot sign a user out (and end their other sessions)."""
    user = make.user()
    db.session.commit()
    owner = app.test_client()
    page = owner.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    owner.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    version = user.session_version
    assert owner.post("/logout").status_code in (400, 422)
    db.session.refresh(user)
    assert user.session_version == version
    assert owner.get(PRIVATE).status_code == 200


def test_the_remember_cookie_is_set_and_cleared_and_an_unused_session_adds_no_vary(app, make):
    """Flask-Login's remember-cookie hook runs only where the request used its session
    (recall.extensions.SessionAwareLoginManager): signing in with "remember me" still sets the
    cookie and signing out still clears it, while a response that never looked at the session
    does not say ``Vary: Cookie`` (it did on every response, shared caches keeping a copy per
    cookie)."""
    user = make.user()
    db.session.commit()
    owner = _signed_in_with_remember(app, user)  # the cookie is set
    assert "Cookie" in owner.get(PRIVATE).headers.get("Vary", "")  # a page that used it

    assert owner.post("/logout").status_code == 302
    assert owner.get_cookie("remember_token") is None  # cleared by the hook

    anonymous = app.test_client().get("/healthz")
    assert anonymous.status_code == 200
    assert "Cookie" not in anonymous.headers.get("Vary", "")
