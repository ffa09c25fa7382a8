"""What operators and load balancers rely on: request ids, logged tracebacks, probes, 503 on
database faults. Real PostgreSQL and Redis, and real closed ports for the unreachable ones."""

from __future__ import annotations

import logging
import re
import socket

import pytest

from recall import create_app
from recall.extensions import db
from recall.security import public
from tests.conftest import IsolatedClient, base_config, pg_url, server_scalar


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def build_app():
    """``build_app(**config)``: an app of its own; its connections are closed after the test."""
    apps = []

    def _build(**overrides):
        app = create_app(base_config(**overrides))
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield _build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def boom_app(build_app, pg_database):
    """A production-like app (TESTING off) with a route that raises."""
    app = build_app(SQLALCHEMY_DATABASE_URI=pg_url(pg_database), TESTING=False)

    @public
    def boom():
        raise RuntimeError("boom: the marker of this test")

    app.add_url_rule("/_boom", "boom", boom)
    return app


@pytest.fixture
def logs(caplog, monkeypatch):
    """caplog at ERROR, with the app's logger enabled again: Alembic's ``fileConfig`` (run by the
    migration tests earlier in the session) disables every logger that existed then."""
    monkeypatch.setattr(logging.getLogger("recall"), "disabled", False)
    caplog.set_level(logging.ERROR)
    return caplog


class TestUnexpectedErrors:
    def test_a_500_is_logged_with_its_traceback_and_the_clients_request_id(self, boom_app, logs):
        caplog = logs
        client = boom_app.test_client()
        response = client.get(
            "/_boom", headers={"Accept": "application/json", "X-Request-ID": "lb-4711.a"}
        )
        assert response.status_code == 500
        assert response.headers["X-Request-ID"] == "lb-4711.a"
        assert response.get_json()["error"]["request_id"] == "lb-4711.a"
        logged = [r for r in caplog.records if "lb-4711.a" in r.getMessage()]
        assert len(logged) == 1 and logged[0].levelno == logging.ERROR
        assert logged[0].exc_info and "the marker of this test" in str(logged[0].exc_info[1])
        assert "RuntimeError" in caplog.text and "Traceback" in caplog.text

    @pytest.mark.parametrize("offered", [None, "two words", "x" * 200, "a;b", "<script>"])
    def test_a_missing_or_odd_request_id_is_replaced_and_shown_on_the_page(
        self, boom_app, logs, offered
    ):
        caplog = logs
        client = boom_app.test_client()
        headers = {"X-Request-ID": offered} if offered else {}
        page = client.get("/_boom", headers={**headers, "Accept": "text/html"})
        reference = page.headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", reference)
        text = page.get_data(as_text=True)
        assert page.status_code == 500 and reference in text
        assert "the marker of this test" not in text
        assert reference in caplog.text

    def test_every_response_carries_a_request_id_but_4xx_bodies_do_not(self, client):
        ok = client.get("/healthz", headers={"X-Request-ID": "probe-1"})
        assert ok.headers["X-Request-ID"] == "probe-1"
        missing = client.get("/api/v1/deputies/999999")
        assert missing.status_code == 404 and "request_id" not in missing.get_json()["error"]
        assert len(missing.headers["X-Request-ID"]) == 32
        assert client.get("/healthz").headers["X-Request-ID"] != missing.headers["X-Request-ID"]


class TestProbes:
    @pytest.fixture
    def app_config(self, redis_url):
        return {"REDIS_URL": redis_url}

    def test_both_answer_200_when_postgresql_and_redis_do(self, client):
        assert client.get("/healthz").get_json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.get_json()["checks"] == {"database": "ok", "redis": "ok"}

    def test_probes_are_not_rate_limited(self, build_app, pg_database):
        app = build_app(
            SQLALCHEMY_DATABASE_URI=pg_url(pg_database),
            RATELIMIT_ENABLED=True,
            RATELIMIT_DEFAULT="2 per minute",
        )
        client = app.test_client()
        statuses = {client.get(path).status_code for path in ["/healthz", "/readyz"] * 5}
        assert statuses == {200}
        assert client.get("/api/v1/bodies").status_code == 200
        assert client.get("/api/v1/bodies").status_code == 200
        assert client.get("/api/v1/bodies").status_code == 429  # the default limit does apply


@pytest.fixture
def unreachable_app(build_app):
    """``unreachable_app(**config)``: an app whose database URL names a closed port."""

    def _build(**overrides):
        url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/recall_nowhere"
        return build_app(SQLALCHEMY_DATABASE_URI=url, **overrides)

    return _build


def test_readyz_names_an_unreachable_redis(build_app, pg_database):
    app = build_app(
        SQLALCHEMY_DATABASE_URI=pg_url(pg_database),
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    body = ready.get_json()
    assert body["status"] == "unavailable" and body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("unavailable")
    assert client.get("/healthz").status_code == 200


class TestDatabaseUnreachable:
    def test_probes(self, unreachable_app):
        client = unreachable_app().test_client()
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.get_json()["checks"]["database"].startswith("unavailable")
        assert "redis" not in ready.get_json()["checks"]

    @pytest.mark.parametrize("testing", [True, False])
    def test_pages_and_api_answer_503_not_500(self, unreachable_app, testing):
        client = unreachable_app(TESTING=testing).test_client()
        api = client.get("/api/v1/bodies")
        assert api.status_code == 503 and api.headers["Retry-After"]
        error = api.get_json()["error"]
        assert error["status"] == 503 and error["request_id"] == api.headers["X-Request-ID"]
        page = client.get("/deputies", headers={"Accept": "text/html"})
        assert page.status_code == 503 and page.mimetype == "text/html"
        assert "briefly unavailable" in page.get_data(as_text=True)


def _terminate_connections_to(database: str) -> int:
    return server_scalar(
        # With a timeout the call returns once each backend has exited and closed its socket:
        # the moment a restart or an idle timeout leaves behind (without it the next request
        # could race the server's FATAL notice).
        "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
        " WHERE datname = :name AND pid <> pg_backend_pid()",
        name=database,
    )


class TestConnectionsKilledBetweenRequests:
    @pytest.fixture
    def app_config(self, request):
        mode = (
            request.param
        )  # DATABASE_PING: how pooled connections are checked (recall/db_ping.py)
        return {
            "DATABASE_PING": mode,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": mode == "query"},
        }

    @pytest.mark.parametrize("app_config", ["socket", "query"], indirect=True)
    def test_the_check_replaces_the_dead_connection(self, app, client, pg_database):
        db.session.remove()
        assert client.get("/api/v1/bodies").status_code == 200
        assert _terminate_connections_to(pg_database) >= 1
        assert client.get("/api/v1/bodies").status_code == 200

    @pytest.mark.parametrize("app_config", ["off"], indirect=True)
    def test_without_a_check_the_request_gets_a_503_and_the_next_one_reconnects(
        self, app, client, pg_database
    ):
        """The control: the killed connection really was the one the app would have used."""
        db.session.remove()
        assert client.get("/api/v1/bodies").status_code == 200
        assert _terminate_connections_to(pg_database) >= 1
        assert client.get("/api/v1/bodies").status_code == 503
        assert client.get("/api/v1/bodies").status_code == 200
