"""Probes for load balancers and orchestrators: ``/healthz`` (alive) and ``/readyz`` (can serve).

Both are public and exempt from rate limits (a load balancer polls them from one address), and
answer JSON. ``/healthz`` touches nothing: 200 while the process answers. ``/readyz`` asks
PostgreSQL (``SELECT 1``) and, when ``REDIS_URL`` is set, Redis (``PING``); 200 when all
answer, 503 naming the one that did not.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from recall.extensions import db, limiter
from recall.notifications.queue import redis_connection
from recall.security import public

logger = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
@limiter.exempt
def healthz():
    return jsonify(status="ok")


def _check_database() -> str:
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:
        logger.warning("readyz: database unavailable: %s", exc)
        return f"unavailable: {exc.__class__.__name__}"
    return "ok"


def _check_redis() -> str:
    try:
        redis_connection().ping()
    except Exception as exc:
        logger.warning("readyz: Redis unavailable: %s", exc)
        return f"unavailable: {exc.__class__.__name__}"
    return "ok"


@bp.get("/readyz")
@public
@limiter.exempt
def readyz():
    checks = {"database": _check_database()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _check_redis()
    ready = all(result == "ok" for result in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503
