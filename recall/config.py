"""Configuration, read from the environment. This is the only module that reads ``os.environ``.

In development a missing ``SECRET_KEY``, ``IIN_HASH_KEY`` or ``AUDIT_KEY`` is generated once and kept in
``instance/secrets.json`` so sessions and voter hashes survive restarts. With
``RECALL_ENV=production`` a missing secret stops start-up: a generated key would silently
invalidate every session and, worse, every stored IIN hash on the next deploy.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# AUDIT_KEY keys the audit log's second hash chain (recall/services/audit.py): someone who can
# write the database but does not hold it cannot rewrite the log unnoticed.
REQUIRED_SECRETS = ("SECRET_KEY", "IIN_HASH_KEY", "AUDIT_KEY")
# RECALL_ENV must name one of these: a typo such as ``prod`` must not start a development server
# with generated secrets and insecure cookies in front of real signers.
ENVIRONMENTS = ("development", "test", "benchmark", "production")
# A production secret shorter than this is refused (HMAC-SHA256 keys: 32 bytes = 256 bits).
MIN_SECRET_BYTES = 32


class ConfigError(RuntimeError):
    """Configuration that cannot work; the message says what to set."""


# The open data's licence unless the operator sets DATA_LICENSE (and DATA_LICENSE_URL).
DEFAULT_DATA_LICENSE = "CC BY 4.0"
DEFAULT_DATA_LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def normalise_database_url(url: str) -> str:
    """Map the usual ``postgres://`` spellings onto the psycopg 3 driver SQLAlchemy needs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _development_secrets(instance_path: Path) -> dict[str, str]:
    """Load, or create once, the development secrets file in ``instance/``."""
    path = instance_path / "secrets.json"
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
    missing = [name for name in REQUIRED_SECRETS if not stored.get(name)]
    if missing:
        for name in missing:
            stored[name] = secrets.token_urlsafe(48)
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2), encoding="utf-8")
        path.chmod(0o600)
    return stored


def load_config(
    instance_path: str | Path, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Build the Flask configuration from the environment.

    Raises ``ConfigError`` in production when a secret is missing.
    """
    env = os.environ if environ is None else environ
    instance = Path(instance_path)
    recall_env = env.get("RECALL_ENV", "development").strip().lower()
    if recall_env not in ENVIRONMENTS:
        raise ConfigError(
            f"RECALL_ENV={env.get('RECALL_ENV')!r} is not one of {', '.join(ENVIRONMENTS)}."
        )
    production = recall_env == "production"

    secrets_found = {name: env.get(name, "") for name in REQUIRED_SECRETS}
    missing = [name for name, value in secrets_found.items() if not value]
    if missing and production:
        raise ConfigError(
            "RECALL_ENV=production but "
            + ", ".join(missing)
            + " is not set. Set each to a long random value (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`); IIN_HASH_KEY must "
            "differ from SECRET_KEY and must never change once voters have signed; AUDIT_KEY, "
            "separate from both, must never change once the audit log has entries."
        )
    if production:
        for name, value in secrets_found.items():
            if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
                raise ConfigError(
                    f"{name} must be at least {MIN_SECRET_BYTES} bytes in production (for "
                    "example `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
                )
    if missing:
        generated = _development_secrets(instance)
        for name in missing:
            secrets_found[name] = generated[name]
    if secrets_found["SECRET_KEY"] == secrets_found["IIN_HASH_KEY"]:
        raise ConfigError("IIN_HASH_KEY must differ from SECRET_KEY.")
    if secrets_found["AUDIT_KEY"] in (secrets_found["SECRET_KEY"], secrets_found["IIN_HASH_KEY"]):
        raise ConfigError("AUDIT_KEY must differ from SECRET_KEY and IIN_HASH_KEY.")

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'recall.db'}"
    redis_url = env.get("REDIS_URL") or None
    mail_server = env.get("MAIL_SERVER") or None

    proxy_hops = _int(env, "PROXY_FIX", 0)
    if proxy_hops < 0:
        raise ConfigError(f"PROXY_FIX must be 0 or a number of proxies, got {proxy_hops}")

    return {
        "RECALL_ENV": recall_env,
        # How many reverse proxies in front of the app append X-Forwarded-For/-Proto/-Host; that
        # many hops are trusted (0: the headers are ignored and the socket's address is the client).
        "PROXY_FIX": proxy_hops,
        "SECRET_KEY": secrets_found["SECRET_KEY"],
        "IIN_HASH_KEY": secrets_found["IIN_HASH_KEY"],
        "AUDIT_KEY": secrets_found["AUDIT_KEY"],
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        # How pooled connections are checked before use (recall/db_ping.py): "socket" (no round
        # trip), "query" (SQLAlchemy's pre-ping, SELECT 1) or "off".
        "DATABASE_PING": env.get("DATABASE_PING") or "socket",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": env.get("DATABASE_PING") == "query"},
        # A streaming replica for the public read pages (recall/replica.py); unset: all on the primary.
        "DATABASE_REPLICA_URL": (
            normalise_database_url(env["DATABASE_REPLICA_URL"])
            if env.get("DATABASE_REPLICA_URL")
            else None
        ),
        "DATABASE_REPLICA_STICKY_SECONDS": _int(env, "DATABASE_REPLICA_STICKY_SECONDS", 10),
        # Public pages as anonymous visitors see them, cached per process (recall/web/page_cache.py).
        "PAGE_CACHE_SECONDS": _int(
            env, "PAGE_CACHE_SECONDS", 5 if recall_env in ("production", "benchmark") else 0
        ),
        "REDIS_URL": redis_url,
        # Cache-Control max-age of API reads: answers with signature counts (folded by the minute)
        # and everything else (docs/api.md).
        "API_COUNT_MAX_AGE": _int(env, "API_COUNT_MAX_AGE", 60),
        "API_MAX_AGE": _int(env, "API_MAX_AGE", 300),
        # The licence of the open data (/data, the API description, the CSV downloads).
        # Who runs this site, shown in every page's footer (issue 14), and how to reach them.
        "OPERATOR_NAME": env.get("OPERATOR_NAME") or "recall",
        "OPERATOR_CONTACT": env.get("OPERATOR_CONTACT") or "",
        # The privacy notice and "how it works" in each language: <dir>/<lang>/privacy.txt and
        # how-it-works.txt, plain text, a blank line between paragraphs. Unset: the shipped texts
        # in site_texts/ (copy them to instance/site_texts and point here to edit them).
        "SITE_TEXTS_DIR": env.get("SITE_TEXTS_DIR") or None,
        "DATA_LICENSE": env.get("DATA_LICENSE") or DEFAULT_DATA_LICENSE,
        "DATA_LICENSE_URL": env.get("DATA_LICENSE_URL") or DEFAULT_DATA_LICENSE_URL,
        "RQ_QUEUE_NAME": env.get("RQ_QUEUE_NAME", "recall"),
        # Mail: without MAIL_SERVER, mail is written to the console and instance/mail/.
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": _int(env, "MAIL_PORT", 587 if _bool(env.get("MAIL_USE_TLS"), True) else 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), default=bool(mail_server)),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL"), default=False),
        "MAIL_TIMEOUT": _int(env, "MAIL_TIMEOUT", 20),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "recall <no-reply@localhost>"),
        "MAIL_FOLDER": str(instance / "mail"),
        "WEBHOOK_TIMEOUT": _int(env, "WEBHOOK_TIMEOUT", 10),
        # Notifications (docs/notifications.md): retries back off base, 2*base, 4*base...; a claimed
        # delivery whose job died is taken over after the lease, which must exceed the job timeout.
        "DELIVERY_MAX_ATTEMPTS": _int(env, "DELIVERY_MAX_ATTEMPTS", 5),
        "DELIVERY_RETRY_BASE_SECONDS": _int(env, "DELIVERY_RETRY_BASE_SECONDS", 30),
        "DELIVERY_JOB_TIMEOUT": _int(env, "DELIVERY_JOB_TIMEOUT", 60),
        "DELIVERY_LEASE_SECONDS": _int(env, "DELIVERY_LEASE_SECONDS", 180),
        "OUTBOX_REDISPATCH_AFTER": _int(env, "OUTBOX_REDISPATCH_AFTER", 30),
        # Events a drain job fans out, claims and sends per transaction (recall/notifications/batch.py).
        "OUTBOX_BATCH_SIZE": max(1, _int(env, "OUTBOX_BATCH_SIZE", 50)),
        # SMTP connections a worker sends a batch over side by side (each with a thread).
        "MAIL_SENDERS": max(1, _int(env, "MAIL_SENDERS", 4)),
        "WEBHOOK_ALLOW_PRIVATE": _bool(env.get("WEBHOOK_ALLOW_PRIVATE"), not production),
        # Links in e-mails are built outside requests, so the public address must be known.
        # `make run` serves on PORT (default 5000); links in e-mails follow it unless set outright.
        "PUBLIC_BASE_URL": (
            env.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{_int(env, 'PORT', 5000)}"
        ).rstrip("/"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # A Redis that hangs must not hang requests: give up quickly and count in memory meanwhile.
        "RATELIMIT_STORAGE_OPTIONS": (
            {"socket_connect_timeout": 1, "socket_timeout": 1} if redis_url else {}
        ),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        # X-RateLimit-* headers cost two Redis round trips per limited request (a third of what a
        # signature costs in a surge); a 429 still says Retry-After (recall/web/errors.py).
        "RATELIMIT_HEADERS_ENABLED": _bool(env.get("RATELIMIT_HEADERS_ENABLED"), False),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute;100 per day"),
        "SIGNING_RATE_LIMIT": env.get("SIGNING_RATE_LIMIT", "20 per minute;200 per day"),
        "SIGNATURE_CONFIRMATION_HOURS": _int(env, "SIGNATURE_CONFIRMATION_HOURS", 72),
        # How a signer proves who they are: "email_link" (shipped); see recall/services/signing/identity.py.
        "IDENTITY_CONFIRMATION": env.get("IDENTITY_CONFIRMATION", "email_link"),
        # Strong identity by digital signature (recall/services/signing/certificates.py): the CA
        # certificates trusted to issue signers' certificates (PEM bundle) and their CRLs (PEM or
        # DER). Unset: signing with a certificate is refused (fails closed).
        "IDENTITY_CA_FILE": env.get("IDENTITY_CA_FILE") or None,
        "IDENTITY_CRL_FILE": env.get("IDENTITY_CRL_FILE") or None,
        # Adds a minimal signature-INSERT endpoint for benchmarks/signing.py; never in production.
        "BENCHMARK_ENDPOINTS": _bool(env.get("RECALL_BENCHMARK_ENDPOINTS")) and not production,
        "PRIVACY_PURGE_DAYS": _int(env, "PRIVACY_PURGE_DAYS", 180),
        # Fraud patterns (docs/fraud.md): defaults an administrator can change at run time on
        # /admin/fraud. A source is flagged on a petition in an hour when it has at least
        # FRAUD_FLAG_MIN_COUNT signatures and either FRAUD_FLAG_SHARE of the hour's signatures or
        # FRAUD_FLAG_RATE of them; DISPOSABLE_EMAIL is "flag", "refuse" or "allow".
        "FRAUD_FLAG_SHARE": float(env.get("FRAUD_FLAG_SHARE", "0.3")),
        "FRAUD_FLAG_MIN_COUNT": _int(env, "FRAUD_FLAG_MIN_COUNT", 20),
        "FRAUD_FLAG_RATE": _int(env, "FRAUD_FLAG_RATE", 300),
        "DISPOSABLE_EMAIL": env.get("DISPOSABLE_EMAIL", "flag"),
        # Verification (docs/verification.md).
        "MISUSE_REPORT_RATE_LIMIT": env.get("MISUSE_REPORT_RATE_LIMIT", "5 per hour;20 per day"),
        "TIP_RATE_LIMIT": env.get("TIP_RATE_LIMIT", "5 per hour;20 per day"),
        "REVIEW_CLAIM_MINUTES": _int(env, "REVIEW_CLAIM_MINUTES", 10),
        "VOTER_ROLL_JOB_TIMEOUT": _int(env, "VOTER_ROLL_JOB_TIMEOUT", 3600),
        "BABEL_DEFAULT_LOCALE": "ru",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Almaty",
        "LANGUAGES": ("kk", "ru", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # Every request body is small (forms, JSON) except on the upload routes, which get
        # MAX_UPLOAD_BYTES (recall/web/request_guard.py).
        "MAX_FORM_BYTES": _int(env, "MAX_FORM_KB", 64) * 1024,
        "MAX_UPLOAD_BYTES": _int(env, "MAX_UPLOAD_MB", 200) * 1024 * 1024,
        "DEMO_DATA": _bool(env.get("RECALL_DEMO"), not production),
    }
