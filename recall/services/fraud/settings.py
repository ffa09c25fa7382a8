"""Fraud settings an administrator changes at run time (``/admin/fraud``).

Each setting has a configured default (``recall.config``); a row of ``fraud_settings`` overrides
it. Signing reads them on every request, so a process remembers them for
``SETTINGS_CACHE_SECONDS``: a change takes effect everywhere within that time.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from recall.errors import Forbidden, Invalid
from recall.extensions import db
from recall.models.fraud import FraudSetting
from recall.models.user import Role, User
from recall.services.audit import append_audit

SETTINGS_CACHE_SECONDS = 10
DISPOSABLE_POLICIES = ("flag", "refuse", "allow")


@dataclass(frozen=True)
class FraudSettings:
    flag_share: float  # a source with this share of an hour's signatures is flagged
    flag_min_count: int  # ... if it has at least this many
    flag_rate: int  # ... or with this many in the hour whatever its share
    disposable_email: str  # flag | refuse | allow
    # Signing rate limits (flask-limiter notation, "20 per minute;200 per day"; "" = none): per
    # client address (one budget for every way of signing), per e-mail domain, per petition.
    rate_per_address: str = ""
    rate_per_domain: str = ""
    rate_per_petition: str = ""


def _defaults() -> dict:
    config = current_app.config
    return {
        "flag_share": float(config.get("FRAUD_FLAG_SHARE", 0.3)),
        "flag_min_count": int(config.get("FRAUD_FLAG_MIN_COUNT", 20)),
        "flag_rate": int(config.get("FRAUD_FLAG_RATE", 300)),
        "disposable_email": config.get("DISPOSABLE_EMAIL", "flag"),
        "rate_per_address": config.get("SIGNING_RATE_LIMIT", ""),
        "rate_per_domain": config.get("SIGNING_DOMAIN_RATE_LIMIT", ""),
        "rate_per_petition": config.get("SIGNING_PETITION_RATE_LIMIT", ""),
    }


def current_settings(*, fresh: bool = False) -> FraudSettings:
    """The settings in force: the defaults overridden by the stored rows (cached per process)."""
    cache = current_app.extensions.setdefault("recall_fraud_settings", {})
    cached = cache.get("value")
    if not fresh and cached and time.monotonic() - cached[0] < SETTINGS_CACHE_SECONDS:
        return cached[1]
    values = _defaults()
    for row in db.session.scalars(sa.select(FraudSetting)):
        if row.key in values:
            values[row.key] = row.value
    settings = FraudSettings(**values)
    cache["value"] = (time.monotonic(), settings)
    return settings


def _valid_limit(value: str) -> bool:
    from limits import parse_many

    try:
        return bool(parse_many(value))
    except ValueError:
        return False


def update_settings(
    actor: User | None,
    *,
    flag_share: float | None,
    flag_min_count: int | None,
    flag_rate: int | None,
    disposable_email: str | None,
    rate_per_address: str | None = None,
    rate_per_domain: str | None = None,
    rate_per_petition: str | None = None,
) -> FraudSettings:
    """Store new values (administrators only; ``actor`` None is the operator's CLI).

    ``flag_share`` 0.01-1, ``flag_min_count`` 1-1,000,000, ``flag_rate`` 1-10,000,000,
    ``disposable_email`` one of flag/refuse/allow; the ``rate_per_*`` limits in flask-limiter
    notation or "" for none (None keeps the one in force); each refusal ``Invalid`` naming the
    field, with nothing written. One audit entry ``fraud.settings_changed`` with the old and new values.
    """
    if actor is not None and Role.ADMIN not in actor.roles:
        raise Forbidden(_("Only administrators may change fraud settings."))
    checks = (
        ("flag_share", flag_share, 0.01, 1.0),
        ("flag_min_count", flag_min_count, 1, 1_000_000),
        ("flag_rate", flag_rate, 1, 10_000_000),
    )
    for field, value, low, high in checks:
        if value is None or not low <= value <= high:
            raise Invalid(
                _("Enter a number from %(low)s to %(high)s.", low=low, high=high), field=field
            )
    if disposable_email not in DISPOSABLE_POLICIES:
        raise Invalid(_("Choose flag, refuse or allow."), field="disposable_email")
    before = asdict(current_settings(fresh=True))
    rates = {
        "rate_per_address": rate_per_address,
        "rate_per_domain": rate_per_domain,
        "rate_per_petition": rate_per_petition,
    }
    for field, value in rates.items():
        rates[field] = before[field] if value is None else " ".join(value.split())
        if rates[field] and not _valid_limit(rates[field]):
            raise Invalid(
                _('Write limits like "20 per minute;200 per day", or leave it empty.'), field=field
            )
    new = {
        "flag_share": float(flag_share),
        "flag_min_count": int(flag_min_count),
        "flag_rate": int(flag_rate),
        "disposable_email": disposable_email,
        **rates,
    }
    for key, value in new.items():
        row = db.session.get(FraudSetting, key)
        if row is None:
            db.session.add(FraudSetting(key=key, value=value, updated_by_id=actor and actor.id))
        else:
            row.value, row.updated_by_id = value, actor and actor.id
    db.session.flush()
    # Audit payloads take no floats: the share is kept in per-mille.
    audit_view = {k: (round(v * 1000) if k == "flag_share" else v) for k, v in before.items()}
    new_view = {k: (round(v * 1000) if k == "flag_share" else v) for k, v in new.items()}
    append_audit(
        "fraud.settings_changed",
        actor.id if actor else None,
        "fraud_settings",
        None,
        None,
        {"before": audit_view, "after": new_view, "share_unit": "per_mille"},
    )
    current_app.extensions.setdefault("recall_fraud_settings", {}).clear()
    return current_settings(fresh=True)
