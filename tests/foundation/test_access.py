"""Every route in the URL map, checked for every role, generated so a new route cannot be forgotten.

Each view declares its access (``recall.security``). For each route and method the test asks
as anonymous, citizen, monitor, commissioner and admin, with placeholder arguments (ids that do
not exist), and checks: anonymous users are sent to log in (401 for the API), users without the
role get 403, users with it get through (a 404 for the placeholder id is fine), and nothing
answers 500.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter, UUIDConverter

from recall.extensions import db
from recall.models import Role
from recall.security import access_of

# Anonymous, then every role there is: a role added to the model is checked without editing this.
ROLES = (None, *Role)


def _routes(app) -> list[tuple[Rule, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule, method))
    return routes


def _url(rule: Rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, NumberConverter):
            values[name] = 999999  # an id that does not exist
        elif isinstance(converter, UUIDConverter):
            values[name] = "00000000-0000-0000-0000-000000000000"
        else:
            values[name] = "placeholder"
    return rule.build(values, append_unknown=False)[1]


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def test_every_route_declares_its_access(app):
    undeclared = [rule.rule for rule, _ in _routes(app) if access_of(app, rule.endpoint) is None]
    assert undeclared == []


def test_there_are_routes_of_every_kind(app):
    kinds = {access_of(app, rule.endpoint).describe() for rule, _ in _routes(app)}
    assert {"public", "login", "admin"} <= kinds


# One test per role: each walks every route, and pytest-xdist spreads the roles over its workers.
@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value if role else "anonymous")
def test_every_route_for_every_role(app, make, login, role):
    user = make.user(role=role) if role is not None else None
    db.session.commit()
    failures = []
    for rule, method in _routes(app):
        access = access_of(app, rule.endpoint)
        url = _url(rule)
        client = app.test_client()
        if user is not None:
            db.session.refresh(user)  # POST /logout ended the sessions of this version
            login(user, client)
        response = client.open(url, method=method, headers={"Accept": "text/html"})
        status = response.status_code
        label = f"{method} {url} as {role.value if role else 'anonymous'} ({access.describe()}): {status}"
        if status >= 500:
            failures.append(label + " server error")
        elif access.public:
            if status in (401, 403) or _is_login_redirect(response):
                failures.append(label + " but the route is public")
        elif role is None and rule.endpoint.startswith("api."):
            if status != 401:
                failures.append(label + " but the API answers anonymous users 401")
        elif role is None:
            if not _is_login_redirect(response):
                failures.append(label + " but anonymous users must be sent to log in")
        elif access.roles and role not in access.roles:
            if status != 403:
                failures.append(label + " but this role must get 403")
        elif status in (401, 403) or _is_login_redirect(response):
            failures.append(label + " but this role is allowed")
    assert failures == []


@pytest.mark.parametrize(
    "path, expected", [("/api/v1/deputies/999999", 404), ("/admin/users", 401)]
)
def test_api_and_json_clients_get_json_errors(client, path, expected):
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == expected
    assert response.is_json and response.get_json()["error"]["status"] == expected


def test_html_404_and_403_pages(client, make, login):
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "Page not found" in missing.get_data(as_text=True)
    login(make.user())
    db.session.commit()
    denied = client.get("/admin/users")
    assert denied.status_code == 403 and denied.mimetype == "text/html"
    assert "You do not have access to this page" in denied.get_data(as_text=True)


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_form_post_without_its_token_is_a_400_and_writes_nothing(self, client):
        import sqlalchemy as sa

        from recall.models import User

        response = client.post(
            "/register",
            data={
                "display_name": "A",
                "email": "a@example.org",
                "password": "long enough pw",
                "confirm": "long enough pw",
            },
        )
        assert response.status_code == 400 and response.mimetype == "text/html"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
        as_json = client.post("/login", data={}, headers={"Accept": "application/json"})
        assert as_json.status_code == 400 and as_json.get_json()["error"]["status"] == 400


def test_unexpected_errors_give_a_500_page_and_json(pg_database):
    from recall import create_app
    from tests.conftest import base_config, pg_url

    app = create_app(base_config(SQLALCHEMY_DATABASE_URI=pg_url(pg_database), TESTING=False))

    def boom():
        raise RuntimeError("boom")

    boom._access = access_of(app, "public.home")
    app.add_url_rule("/_boom", "boom", boom)
    client = app.test_client()
    page = client.get("/_boom")
    assert page.status_code == 500 and "Something went wrong on our side" in page.get_data(
        as_text=True
    )
    assert "RuntimeError" not in page.get_data(as_text=True)
    api = client.get("/_boom", headers={"Accept": "application/json"})
    assert api.status_code == 500 and api.get_json()["error"]["code"] == "internal_server_error"


def test_a_wrong_role_gets_a_json_403_when_it_asks_for_json(client, make, login):
    login(make.user())
    db.session.commit()
    response = client.get("/admin/users", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.get_json() == {
        "error": {
            "status": 403,
            "code": "forbidden",
            "message": "You do not have access to this page",
        }
    }


class TestTooManyRequests:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "1 per minute"}

    def test_429_as_a_page_and_as_json(self, client):
        attempt = {"email": "x@example.org", "password": "whatever pw"}
        assert client.post("/login", data=attempt).status_code == 422
        page = client.post("/login", data=attempt)
        assert page.status_code == 429 and page.mimetype == "text/html"
        assert "Too many requests: please wait a moment and try again" in page.get_data(
            as_text=True
        )
        api = client.post("/login", data=attempt, headers={"Accept": "application/json"})
        assert api.status_code == 429
        assert api.get_json()["error"] == {
            "status": 429,
            "code": "too_many_requests",
            "message": "Too many requests: please wait a moment and try again",
        }
