"""PAGE_CACHE_SECONDS: anonymous visitors share a page for a few seconds; nobody else does."""

from __future__ import annotations

import re
import time

import pytest

from recall.extensions import db
from recall.models import Role
from recall.replica import _STICKY_KEY
from recall.services.signing import counting
from recall.web import page_cache


@pytest.fixture
def app_config():
    return {"PAGE_CACHE_SECONDS": 60, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def petition(make):
    petition = make.petition(rule_version=make.rule_version(running_count_public=True))
    make.signature(petition)
    db.session.commit()
    counting.recount(petition.id)
    db.session.commit()
    return petition


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _add_signatures(make, petition, n: int) -> None:
    for _ in range(n):
        make.signature(petition)
    counting.recount(petition.id)
    db.session.commit()


def test_anonymous_visitors_share_the_page_for_a_few_seconds(app, client, make, petition):
    path = f"/petitions/{petition.id}"
    page = client.get(path).get_data(as_text=True)
    assert "1 confirmed signatures of 100" in page
    _add_signatures(make, petition, 2)
    # Another anonymous visitor within the interval gets the same page...
    other = app.test_client().get(path).get_data(as_text=True)
    assert "1 confirmed signatures of 100" in other
    # ...with the signing form, each with the visitor's own CSRF token: the shared copy holds
    # a slot, never a token (nothing of one browser's reaches another).
    [shared] = [html for _expires, html in page_cache._pages.values() if path in html]
    assert f'name="csrf_token" value="{page_cache.CSRF_SLOT}"' in shared
    tokens = [_token(html) for html in (page, other)]
    assert all(tokens) and tokens[0] != tokens[1] and page_cache.CSRF_SLOT not in page
    # ...per language and address: another language or query string is rendered afresh.
    fresh = client.get(path, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "3" in fresh and "1 confirmed" not in fresh
    assert "3 confirmed signatures" in client.get(path + "?x=1").get_data(as_text=True)


def test_signed_in_users_and_writers_never_get_a_cached_page(app, client, login, make, petition):
    path = f"/petitions/{petition.id}"
    client.get(path)
    _add_signatures(make, petition, 2)
    reader = app.test_client()
    citizen = make.user(Role.CITIZEN)
    db.session.commit()
    login(citizen, reader)
    assert "3 confirmed signatures" in reader.get(path).get_data(as_text=True)
    # An anonymous browser that has just committed a write sees the page afresh.
    writer = app.test_client()
    assert "1 confirmed signatures" in writer.get(path).get_data(as_text=True)
    writer.post("/report-misuse", data={})  # refused: wrote nothing, still cached
    assert "1 confirmed signatures" in writer.get(path).get_data(as_text=True)
    with writer.session_transaction() as session:
        session[_STICKY_KEY] = time.time() + 10  # what a committed write leaves behind
    assert "3 confirmed signatures" in writer.get(path).get_data(as_text=True)


def test_a_flash_message_is_never_shared(app, client, petition):
    path = f"/petitions/{petition.id}"
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this browser only")]
    first = client.get(path).get_data(as_text=True)
    assert "A message for this browser only" in first
    other = app.test_client().get(path).get_data(as_text=True)
    assert "A message for this browser only" not in other


def test_off_by_default_outside_production(app):
    from recall.config import load_config

    assert load_config(app.instance_path, {"RECALL_ENV": "test"})["PAGE_CACHE_SECONDS"] == 0
    production = {
        "RECALL_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "IIN_HASH_KEY": "k" * 40,
        "AUDIT_KEY": "a" * 40,
    }
    assert load_config(app.instance_path, production)["PAGE_CACHE_SECONDS"] == 5


def test_the_sign_form_on_a_shared_page_signs_with_its_own_token(app, client, petition):
    """A visitor posts the form of a cached petition page: the token put in for them is valid."""
    path = f"/petitions/{petition.id}"
    app.test_client().get(path)  # someone else's visit fills the cache
    token = _token(client.get(path).get_data(as_text=True))
    form = {"full_name": "Asel Mukanova", "iin": "", "email": "", "consent": "y"}
    refused = client.post(f"{path}/sign", data=form)  # no token: CSRF refuses it
    assert refused.status_code == 400
    answered = client.post(f"{path}/sign", data={**form, "csrf_token": token})
    # Past CSRF: the service's checks answer (the IIN and e-mail are missing), all at once.
    assert answered.status_code == 422
    html = answered.get_data(as_text=True)
    assert "Enter your IIN (12 digits)." in html and "Enter a valid e-mail address." in html
