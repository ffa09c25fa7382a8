"""/register never tells whether an address has an account, and new accounts confirm their
address before they can sign in (issue 13)."""

from __future__ import annotations

import email
from pathlib import Path

import sqlalchemy as sa

from recall.extensions import db
from recall.models import User
from recall.models.notifications import Delivery, DeliveryStatus
from recall.models.outbox import Event
from recall.notifications.rules import ensure_default_rules
from tests.factories import PASSWORD

NEW_PASSWORD = "my own new password"


def _register(client, address: str, password: str = NEW_PASSWORD, name: str = "Aigerim"):
    return client.post(
        "/register",
        data={"display_name": name, "email": address, "password": password, "confirm": password},
    )


def _answer(app, address: str) -> tuple[int, str, str]:
    """What a fresh visitor sees after registering ``address``: status, target, next page."""
    visitor = app.test_client()
    response = _register(visitor, address)
    page = visitor.get(response.headers["Location"]).get_data(as_text=True)
    return response.status_code, response.headers["Location"], page.replace(address, "ADDRESS")


def _mail_to(app, address: str, kind: str) -> email.message.EmailMessage:
    """The one sent mail of ``kind`` to ``address``, read back from the mail folder."""
    [delivery] = db.session.scalars(
        sa.select(Delivery)
        .join(Event, Event.id == Delivery.event_id)
        .where(Event.kind == kind, Delivery.recipient == address)
    ).all()
    assert delivery.status == DeliveryStatus.SENT
    path = Path(app.config["MAIL_FOLDER"]) / f"delivery-{delivery.id}.eml"
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def _confirm_link(app, address: str) -> str:
    text = _mail_to(app, address, "account.confirmation_requested").get_body(("plain",))
    [link] = [w for w in text.get_content().split() if "/register/confirm/" in w]
    return link.removeprefix(app.config["PUBLIC_BASE_URL"])


def _users() -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(User).order_by(User.id)))


def test_register_answers_the_same_whether_the_address_has_an_account_and_mails_the_owner(
    app, make
):
    ensure_default_rules()
    owner = make.user(email="taken@example.org")
    db.session.commit()
    hash_before = owner.password_hash

    taken = _answer(app, "taken@example.org")
    fresh = _answer(app, "fresh@example.org")

    assert taken == fresh
    assert taken[0] == 303 and "follow its link" in taken[2]
    # The owner's account is untouched and the owner is told; the new address got a link.
    db.session.refresh(owner)
    assert owner.password_hash == hash_before and owner.display_name != "Aigerim"
    assert [u.email for u in _users()] == ["taken@example.org", "fresh@example.org"]
    attempt = _mail_to(app, "taken@example.org", "account.registration_attempted")
    assert "already has one" in attempt.get_body(("plain",)).get_content()
    assert "/register/confirm/" not in attempt.as_string()
    assert _confirm_link(app, "fresh@example.org")


def test_a_new_account_signs_in_only_after_confirming_its_address(app, client):
    ensure_default_rules()
    db.session.commit()
    assert _register(client, "Fresh@Example.org").status_code == 303
    refused = client.post("/login", data={"email": "fresh@example.org", "password": NEW_PASSWORD})
    assert refused.status_code == 422 and "Confirm your e-mail address first" in refused.text
    assert client.get("/account/password").status_code == 302

    link = _confirm_link(app, "fresh@example.org")
    assert client.get(link).status_code == 200
    wrong = client.post(link, data={"password": "not my password"})
    assert wrong.status_code == 422 and "Wrong password." in wrong.text
    assert not _users()[0].is_confirmed

    done = client.post(link, data={"password": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/account/password").status_code == 200  # signed in
    assert _users()[0].is_confirmed and _users()[0].confirm_token_hash is None
    again = app.test_client().post(link, data={"password": NEW_PASSWORD})
    assert again.status_code == 422 and "This link is not valid" in again.text
    other = app.test_client()
    signed_in = other.post("/login", data={"email": "fresh@example.org", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302


def test_a_session_of_an_unconfirmed_account_is_not_signed_in(app, make, login, client):
    user = make.user(email_confirmed_at=None)
    db.session.commit()
    login(user)
    assert client.get("/account/password").status_code == 302


def test_registering_again_before_confirming_replaces_the_pending_request(app, make):
    """Whoever registered an address last must still know the password; the old link is void."""
    ensure_default_rules()
    db.session.commit()
    _register(app.test_client(), "victim@example.org", password="squatter password")
    first = _confirm_link(app, "victim@example.org")
    db.session.execute(sa.delete(Delivery))  # read the next mail alone
    db.session.commit()
    _register(app.test_client(), "victim@example.org", password=NEW_PASSWORD, name="Victim")
    second = _confirm_link(app, "victim@example.org")
    assert first != second

    client = app.test_client()
    assert client.post(first, data={"password": "squatter password"}).status_code == 422
    assert client.post(second, data={"password": "squatter password"}).status_code == 422
    assert client.post(second, data={"password": NEW_PASSWORD}).status_code == 302
    [user] = _users()
    assert user.is_confirmed and user.display_name == "Victim"


def test_a_forged_or_expired_link_confirms_nothing(app, client, make):
    from itsdangerous import URLSafeTimedSerializer

    from recall.services.accounts.users import CONFIRM_SALT

    ensure_default_rules()
    db.session.commit()
    _register(client, "late@example.org")
    forged = URLSafeTimedSerializer("not our key", salt=CONFIRM_SALT).dumps("x" * 43)
    for token in (forged, "garbage", "a" * 300):
        response = client.post(f"/register/confirm/{token}", data={"password": NEW_PASSWORD})
        assert response.status_code == 422
    assert not _users()[0].is_confirmed


def test_accounts_created_by_the_command_line_are_confirmed(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "root@example.org",
            "--name",
            "Root",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    assert _users()[0].is_confirmed
    refused = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "root@example.org",
            "--name",
            "R",
            "--password",
            PASSWORD,
        ]
    )
    assert refused.exit_code != 0 and "already exists" in refused.output
