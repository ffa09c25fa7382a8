"""recall: hold elected deputies to their word.

``create_app`` builds the application: configuration, extensions, blueprints, CLI and error
handlers. It performs no network or database I/O.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory. ``config`` overrides what the environment gives (tests pass theirs)."""
    from recall.flask_app import RecallFlask

    app = RecallFlask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from recall.config import load_config

    settings = {} if config and config.get("SKIP_ENV_CONFIG") else load_config(app.instance_path)
    settings.update(config or {})
    app.config.update(settings)

    _init_extensions(app)
    _register_blueprints(app)

    from recall.cli import register_cli

    register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from recall import (
        db_ping,
        models,  # noqa: F401  (every table registered before Alembic looks)
        replica,
    )
    from recall.auth import init_login
    from recall.extensions import babel, csrf, db, limiter, migrate
    from recall.i18n import selected_locale
    from recall.web import request_guard

    # PROXY_FIX is the number of reverse proxies in front of the app: trust that many hops of
    # X-Forwarded-For/-Proto/-Host and no more (a client can prepend any hop it likes).
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    replica.configure(app.config)  # the replica bind, before the engines are made
    db.init_app(app)
    db_ping.init_app(app, db)  # pooled connections checked without a round trip
    replica.init_app(app, db)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    request_guard.init_app(app)  # before CSRF, which reads every POST's form
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=selected_locale,
        default_translation_directories=str(ROOT / "translations"),
    )
    limiter.init_app(app)
    init_login(app)

    from recall import log_privacy, notifications, security
    from recall.web import errors, headers, templating

    log_privacy.init_app(app)
    notifications.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    headers.init_app(app)


def _register_blueprints(app: Flask) -> None:
    """Every surface's blueprints, in one list (imported here: importing builds their routes)."""
    from recall.api import bp as api_bp
    from recall.api.docs import docs_bp as api_docs_bp
    from recall.web.admin.routes import bp as admin_bp
    from recall.web.appeals.routes import bp as appeals_bp
    from recall.web.auth.routes import bp as auth_bp
    from recall.web.commission.fraud import bp as fraud_bp
    from recall.web.commission.misuse import bp as misuse_bp
    from recall.web.commission.routes import bp as commission_bp
    from recall.web.health.routes import bp as health_bp
    from recall.web.notifications.routes import bp as notifications_bp
    from recall.web.petitions.routes import bp as petitions_bp
    from recall.web.promises import report_cards as _report_cards  # noqa: F401 (promises_bp)
    from recall.web.promises import tips as _promise_tips  # noqa: F401 (its routes join promises_bp)
    from recall.web.promises.routes import bp as promises_bp
    from recall.web.public.routes import bp as public_bp
    from recall.web.rules.routes import bp as rules_bp
    from recall.web.sharing.routes import bp as sharing_bp
    from recall.web.signing.routes import bp as signing_bp
    from recall.web.signing.watch import bp as iin_watch_bp
    from recall.web.tokens.routes import bp as tokens_bp

    for blueprint in (
        public_bp,
        auth_bp,
        admin_bp,
        api_bp,
        api_docs_bp,
        promises_bp,
        signing_bp,
        iin_watch_bp,
        petitions_bp,
        appeals_bp,
        rules_bp,
        notifications_bp,
        commission_bp,
        misuse_bp,
        fraud_bp,
        health_bp,
        tokens_bp,
        sharing_bp,
    ):
        app.register_blueprint(blueprint)
