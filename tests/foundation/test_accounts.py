"""Register, log in (remember me), log out, change password, role grants."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import Role, User
from tests.factories import PASSWORD


def _count_users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_register_creates_a_citizen_with_a_hashed_password(client):
    response = client.post(
        "/register",
        data={
            "display_name": "Aigerim",
            "email": "Aigerim@Example.org",
            "password": "long enough pw",
            "confirm": "long enough pw",
        },
    )
    assert response.status_code == 303
    user = db.session.scalar(sa.select(User))
    assert user.email == "aigerim@example.org" and not user.is_confirmed
    assert user.password_hash.startswith("scrypt:")
    assert "long enough pw" not in user.password_hash
    assert user.roles == {Role.CITIZEN}


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {
                "display_name": "A",
                "email": "not-an-email",
                "password": "long enough pw",
                "confirm": "long enough pw",
            },
            "Enter a valid e-mail address.",
        ),
        (
            {
                "display_name": "A",
                "email": "a@example.org",
                "password": "short",
                "confirm": "short",
            },
            "Field must be between 10 and 200 characters long.",
        ),
        (
            {
                "display_name": "A",
                "email": "a@example.org",
                "password": "long enough pw",
                "confirm": "other pw 123",
            },
            "The passwords differ.",
        ),
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(client, data, message):
    response = client.post("/register", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count_users() == 0


def test_login_remember_me_and_logout(client, make):
    user = make.user(email="voter@example.org")
    db.session.commit()
    bad = client.post("/login", data={"email": "voter@example.org", "password": "wrong password"})
    assert bad.status_code == 422 and "Wrong e-mail or password." in bad.get_data(as_text=True)
    ok = client.post(
        "/login?next=/account/password",
        data={"email": "VOTER@example.org", "password": PASSWORD, "remember": "y"},
    )
    assert ok.status_code == 302 and ok.headers["Location"] == "/account/password"
    assert client.get_cookie("remember_token") is not None
    assert client.get("/account/password").status_code == 200
    client.post("/logout")
    assert client.get("/account/password").status_code == 302
    assert user.id


def test_login_never_redirects_off_site(client, make):
    make.user(email="voter@example.org")
    db.session.commit()
    response = client.post(
        "/login?next=//evil.example/x", data={"email": "voter@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_change_password_checks_the_current_one_and_logs_out_other_sessions(
    app, client, make, login
):
    user = make.user()
    db.session.commit()
    other = login(user, app.test_client())
    login(user)
    refused = client.post(
        "/account/password",
        data={
            "current_password": "nope nope nope",
            "new_password": "a new password",
            "confirm": "a new password",
        },
    )
    assert refused.status_code == 422 and "The current password is wrong." in refused.get_data(
        as_text=True
    )
    db.session.refresh(user)
    assert user.check_password(PASSWORD)
    changed = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new password",
            "confirm": "a new password",
        },
    )
    assert changed.status_code == 302
    db.session.refresh(user)
    assert user.check_password("a new password")
    assert client.get("/account/password").status_code == 200  # this session survives
    assert other.get("/account/password").status_code == 302  # the other one is signed out


class TestLoginRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}

    def test_login_attempts_are_rate_limited(self, client):
        codes = [
            client.post(
                "/login", data={"email": "x@example.org", "password": "whatever pw"}
            ).status_code
            for _ in range(4)
        ]
        assert codes == [422, 422, 422, 429]
        assert client.get("/login").status_code == 200  # only attempts count


def test_grant_and_revoke_roles_through_the_service(app, make):
    from recall.errors import Forbidden, Invalid, NotFound
    from recall.services.accounts import users

    admin = make.user(role=Role.ADMIN)
    citizen = make.user()
    body = make.body(slug="mazhilis")
    users.grant_role(admin, citizen.email, "commissioner", body="mazhilis")
    assert citizen.is_commissioner_of(body.id)
    users.grant_role(admin, citizen.email, "monitor", organization="Watch KZ")
    assert citizen.organization.name == "Watch KZ" and citizen.has_role(Role.MONITOR)
    with pytest.raises(Forbidden):
        users.grant_role(citizen, admin.email, "admin")
    with pytest.raises(Invalid, match="organization"):
        users.grant_role(admin, citizen.email, "monitor")
    with pytest.raises(NotFound):
        users.grant_role(admin, citizen.email, "commissioner", body="no-such-body")
    with pytest.raises(Invalid):
        users.grant_role(admin, citizen.email, "emperor")
    users.revoke_role(admin, citizen.email, "monitor")
    assert not citizen.has_role(Role.MONITOR)


def test_admin_page_grants_a_role(client, make, login):
    admin = make.user(role=Role.ADMIN)
    target = make.user(email="clerk@example.org")
    body = make.body(slug="mazhilis", name="Mazhilis of the Parliament")
    db.session.commit()
    login(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    # The body is picked from a list by name, not typed as a slug.
    assert f'<option value="{body.id}">Mazhilis of the Parliament</option>' in page
    assert 'name="body" type="text"' not in page
    bad = client.post(
        "/admin/users", data={"email": "clerk@example.org", "role": "commissioner", "body": ""}
    )
    assert bad.status_code == 422 and "A commissioner must belong" in bad.get_data(as_text=True)
    ok = client.post(
        "/admin/users",
        data={"email": "clerk@example.org", "role": "commissioner", "body": str(body.id)},
    )
    assert ok.status_code == 302
    db.session.refresh(target)
    assert target.has_role(Role.COMMISSIONER)


def test_users_cli_create_and_grant(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Root@Example.org",
            "--name",
            "Root",
            "--password",
            "a long password",
            "--admin",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["users", "grant", "root@example.org", "monitor", "--organization", "Watch"]
    )
    assert result.exit_code == 0 and "monitor" in result.output
    refused = runner.invoke(args=["users", "grant", "nobody@example.org", "admin"])
    assert refused.exit_code != 0 and "No account" in refused.output
    user = db.session.scalar(sa.select(User))
    assert user.is_admin and user.organization.name == "Watch"


def test_remember_me_keeps_the_user_signed_in_after_the_session_cookie_is_gone(app, make):
    user = make.user(email="kept@example.org")
    db.session.commit()
    remembered, forgotten = app.test_client(), app.test_client()
    remembered.post(
        "/login", data={"email": "kept@example.org", "password": PASSWORD, "remember": "y"}
    )
    forgotten.post("/login", data={"email": "kept@example.org", "password": PASSWORD})
    assert forgotten.get_cookie("remember_token") is None
    for client in (remembered, forgotten):
        client.delete_cookie("session")  # the browser was closed
    assert remembered.get("/account/password").status_code == 200
    assert forgotten.get("/account/password").status_code == 302

    # A password change elsewhere ends remembered sessions too.
    user.set_password("a brand new password")
    db.session.commit()
    remembered.delete_cookie("session")
    response = remembered.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.redis
def test_with_redis_url_login_attempts_are_counted_in_redis_across_processes(
    pg_database, redis_url, redis_conn, tmp_path
):
    """Two app instances (two server processes) share one count when REDIS_URL is set."""
    from recall import create_app
    from recall.config import load_config
    from tests.conftest import pg_url

    settings = load_config(
        tmp_path,
        {
            "REDIS_URL": redis_url,
            "DATABASE_URL": pg_url(pg_database),
            "LOGIN_RATE_LIMIT": "2 per minute",
        },
    )
    assert settings["RATELIMIT_STORAGE_URI"] == redis_url
    settings.update(SKIP_ENV_CONFIG=True, TESTING=True, WTF_CSRF_ENABLED=False)
    attempt = {"email": "x@example.org", "password": "whatever pw"}
    apps = [create_app(settings)]
    try:
        first = apps[0].test_client()
        assert [first.post("/login", data=attempt).status_code for _ in range(2)] == [422, 422]
        assert redis_conn.keys("LIMITS:*") == [b"LIMITS:LIMITER/127.0.0.1/auth.login/2/1/minute"]
        apps.append(create_app(settings))  # another process: a limiter of its own on the same Redis
        refused = (
            apps[1]
            .test_client()
            .post("/login", data=attempt, headers={"Accept": "application/json"})
        )
        assert refused.status_code == 429
        assert refused.get_json()["error"]["code"] == "too_many_requests"
    finally:
        for each in apps:
            with each.app_context():
                db.engine.dispose()


def test_admin_page_lists_roles_by_name_and_revokes_them(client, make, login):
    admin = make.user(role=Role.ADMIN, email="root@example.org")
    monitor = make.user(
        role=Role.MONITOR,
        email="watch@example.org",
        organization=make.organization(name="Watch KZ"),
    )
    db.session.commit()
    login(admin)
    html = client.get("/admin/users").get_data(as_text=True)
    assert '<option value="admin">administrator</option>' in html
    assert "monitor (Watch KZ)" in html
    granted = client.post(
        "/admin/users", data={"email": "watch@example.org", "role": "admin"}, follow_redirects=True
    )
    assert "watch@example.org is now administrator." in granted.get_data(as_text=True)

    # The list links to a confirmation; the role stays until that page's button is pressed.
    revoke_url = f"/admin/users/{monitor.id}/revoke/monitor"
    assert f'href="{revoke_url}"' in html
    confirm = client.get(revoke_url).get_data(as_text=True)
    assert "Take the role “monitor” away from" in confirm and "watch@example.org" in confirm
    db.session.refresh(monitor)
    assert monitor.has_role(Role.MONITOR)
    response = client.post(revoke_url)
    assert response.status_code == 302
    db.session.refresh(monitor)
    assert not monitor.has_role(Role.MONITOR) and monitor.organization_id is None
    own = client.post(f"/admin/users/{admin.id}/revoke/admin", follow_redirects=True)
    assert "You cannot remove your own administrator role." in own.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.has_role(Role.ADMIN)


OFF_SITE = [
    "//evil.example/x",
    "/\\evil.example/x",
    "/\t/evil.example/x",
    "https://evil.example/",
    "\\\\evil.example",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_no_next_argument_leads_off_site(app, client, make, login, target):
    make.user(email="voter@example.org")
    deputy = make.deputy()
    db.session.commit()
    logged_in = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "voter@example.org", "password": PASSWORD},
    )
    assert logged_in.headers["Location"] == "/"
    assert client.get("/lang/kk", query_string={"next": target}).headers["Location"] == "/"
    followed = client.post(
        f"/notifications/follow/deputy/{deputy.id}", data={"channel": "email", "next": target}
    )
    assert followed.headers["Location"] == "/"


def test_a_next_argument_on_this_site_is_kept(client):
    response = client.get("/lang/ru", query_string={"next": "/deputies?region=Astana&page=2"})
    assert response.headers["Location"] == "/deputies?region=Astana&page=2"


def test_admin_page_creates_an_account(client, make, login):
    admin = make.user(role=Role.ADMIN)
    db.session.commit()
    login(admin)
    assert client.get("/admin/users/new").status_code == 200
    bad = client.post(
        "/admin/users/new",
        data={"display_name": "Clerk", "email": "clerk@", "password": "long enough pw"},
    )
    assert bad.status_code == 422 and "Enter a valid e-mail address." in bad.get_data(as_text=True)
    assert _count_users() == 1
    ok = client.post(
        "/admin/users/new",
        data={
            "display_name": "Clerk",
            "email": "Clerk@Example.org",
            "password": "long enough pw",
            "admin": "y",
        },
    )
    assert ok.status_code == 302
    created = db.session.scalar(sa.select(User).where(User.email == "clerk@example.org"))
    assert created.is_admin and created.check_password("long enough pw")


def test_only_admins_create_accounts_in_the_service(app, make):
    from recall.errors import Forbidden
    from recall.services.accounts import users

    with pytest.raises(Forbidden):
        users.create_account(make.user(), "x@example.org", "long enough pw", "X")
    assert _count_users() == 1


def test_admin_page_picks_an_organization_or_names_a_new_one(client, make, login):
    admin = make.user(role=Role.ADMIN)
    first = make.user(email="one@example.org")
    second = make.user(email="two@example.org")
    make.organization(name="Watch KZ")
    db.session.commit()
    login(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<option value="Watch KZ">Watch KZ</option>' in page
    assert '<option value="__new__">New organization…</option>' in page
    client.post(
        "/admin/users",
        data={"email": "one@example.org", "role": "monitor", "organization": "Watch KZ"},
    )
    unnamed = client.post(
        "/admin/users",
        data={"email": "two@example.org", "role": "monitor", "organization": "__new__"},
    )
    assert unnamed.status_code == 422
    assert "A monitor must belong to an organization." in unnamed.get_data(as_text=True)
    client.post(
        "/admin/users",
        data={
            "email": "two@example.org",
            "role": "monitor",
            "organization": "__new__",
            "new_organization": "Adal Watch",
        },
    )
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.organization.name == "Watch KZ" and second.organization.name == "Adal Watch"
