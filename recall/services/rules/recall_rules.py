"""Recall rules in the database: presets, edited copies, the rule in force for a body, eligibility.

A ``RecallRuleVersion`` row is immutable once written. Editing a rule means writing a new row
(``based_on`` the one edited); a petition keeps the row it was opened under, so an edit never
changes a running petition. A body runs under the version assigned to it (``BodyRecallRule``),
or, when none is assigned, under its kind's default rule (``body_kinds.default_rule_key``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Forbidden, Invalid
from recall.extensions import db
from recall.models import (
    Body,
    BodyRecallRule,
    Deputy,
    DeputyStatus,
    MandateType,
    RecallRuleVersion,
    Role,
    User,
)
from recall.models.base import utcnow
from recall.rules.recall_rules import InvalidRule, RecallRule, recall_eligibility, recall_window
from recall.rules.rule_presets import PRESETS
from recall.services.audit import append_audit, canonical_json
from recall.services.deputies.body_kinds import default_rule_key
from recall.services.lookup import get_or_raise

OPEN_TERM_END = date(9999, 12, 31)  # a deputy without a recorded term end


def _require_admin(actor: User | None) -> None:
    if actor is None or not actor.has_role(Role.ADMIN):
        raise Forbidden(_("Only an administrator may change recall rules."))


def _latest_version(key: str) -> RecallRuleVersion | None:
    return db.session.scalar(
        sa.select(RecallRuleVersion)
        .where(RecallRuleVersion.key == key)
        .order_by(RecallRuleVersion.version.desc())
        .limit(1)
    )


def ensure_preset_rules() -> list[RecallRuleVersion]:
    """Store every preset of ``recall.rules.rule_presets.PRESETS`` as a rule version; idempotent.

    A preset already stored with the same data is left alone; a preset whose data changed in code
    gets a new version (older petitions keep the old one). Returns the current preset versions.
    """
    current = []
    for key, rule in PRESETS.items():
        data = rule.to_dict()
        latest = _latest_version(key)
        if latest is None or latest.data != data:
            latest = RecallRuleVersion(
                key=key,
                version=(latest.version + 1) if latest else 1,
                name=rule.name,
                data=data,
                is_preset=True,
            )
            db.session.add(latest)
            db.session.flush()
        current.append(latest)
    return current


def list_rule_versions() -> list[RecallRuleVersion]:
    """Every stored rule version: presets first, then copies, each by key and version."""
    return list(
        db.session.scalars(
            sa.select(RecallRuleVersion).order_by(
                RecallRuleVersion.is_preset.desc(), RecallRuleVersion.key, RecallRuleVersion.version
            )
        )
    )


def get_rule_version(version_id: int) -> RecallRuleVersion:
    version = get_or_raise(RecallRuleVersion, version_id, _("No such recall rule."))
    return version


def body_assignments() -> dict[int, BodyRecallRule]:
    """Assigned rule versions by body id."""
    return {row.body_id: row for row in db.session.scalars(sa.select(BodyRecallRule))}


def assign_rule(actor: User, body_id: int, rule_version_id: int) -> BodyRecallRule:
    """Make ``rule_version_id`` the rule in force for ``body_id`` (administrators only).

    Petitions already opened keep their own version; only new petitions use the assigned one.
    """
    _require_admin(actor)
    body = db.session.get(Body, body_id) if body_id else None
    if body is None:
        raise Invalid(_("Choose a body."), field="body_id")
    version = db.session.get(RecallRuleVersion, rule_version_id) if rule_version_id else None
    if version is None:
        raise Invalid(_("Choose a recall rule."), field="rule_version_id")
    row = db.session.get(BodyRecallRule, body.id)
    previous = row.rule_version_id if row is not None else None
    if row is None:
        row = BodyRecallRule(body_id=body.id, rule_version_id=version.id, assigned_by_id=actor.id)
        db.session.add(row)
    else:
        row.rule_version_id = version.id
        row.assigned_by_id = actor.id
        row.created_at = utcnow()
    db.session.flush()
    append_audit(
        "rules.assigned",
        actor.id,
        "body",
        body.id,
        body.id,
        {
            "rule_version_id": version.id,
            "rule_key": version.key,
            "rule_version": version.version,
            "previous_rule_version_id": previous,
        },
    )
    return row


def copy_rule(actor: User, based_on_id: int, data: dict[str, Any]) -> RecallRuleVersion:
    """Store an edited copy of a rule version (administrators only) and return it.

    ``data`` has the shape of ``RecallRule.to_dict()``. The copy's ``key`` must not be a preset
    key; reusing the key of an earlier copy stores the next version of that copy. Raises ``Invalid``
    naming the failing field (as ``RecallRule.from_dict`` reports it, e.g.
    ``threshold_bands[1].percent``) and writes nothing.
    """
    _require_admin(actor)
    based_on = get_rule_version(based_on_id)
    try:
        rule = RecallRule.from_dict(data)
    except InvalidRule as exc:
        raise Invalid(f"{exc.field}: {exc.message}", field=exc.field) from None
    if rule.key in PRESETS:
        raise Invalid(_("Preset keys are reserved: give the copy a key of its own."), field="key")
    latest = _latest_version(rule.key)
    version = RecallRuleVersion(
        key=rule.key,
        version=(latest.version + 1) if latest else 1,
        name=rule.name,
        data=rule.to_dict(),
        is_preset=False,
        based_on_id=based_on.id,
        created_by_id=actor.id,
    )
    db.session.add(version)
    db.session.flush()
    append_audit(
        "rules.version_created",
        actor.id,
        "recall_rule_version",
        version.id,
        None,
        {
            "rule_key": version.key,
            "rule_version": version.version,
            "based_on_id": based_on.id,
            # The rule itself is public on the rules pages; its digest pins what was stored.
            "rule_sha256": hashlib.sha256(canonical_json(version.data).encode("utf-8")).hexdigest(),
        },
    )
    return version


def rule_version_in_force(body: Body) -> RecallRuleVersion:
    """The stored rule version new petitions against ``body``'s deputies are opened under.

    The assigned version, else the latest stored version of the body's default rule (its kind's;
    presets are stored first if missing, so this may flush). ``Invalid`` when neither exists.
    """
    row = db.session.get(BodyRecallRule, body.id)
    if row is not None:
        return row.rule_version
    key = default_rule_key(body)
    version = _latest_version(key) if key else None
    if key in PRESETS and (version is None or version.data != PRESETS[key].to_dict()):
        ensure_preset_rules()
        version = _latest_version(key)
    if version is None:
        raise Invalid(_("No recall rule applies to this body yet; an administrator assigns one."))
    return version


def rule_in_force(body: Body) -> RecallRule | None:
    """The rule for ``body`` as a ``RecallRule``, without writing anything (falls back to the code
    preset); None when the body has no rule at all."""
    row = db.session.get(BodyRecallRule, body.id)
    if row is not None:
        return row.rule_version.to_rule()
    key = default_rule_key(body)
    if key in PRESETS:
        return PRESETS[key]
    version = _latest_version(key) if key else None
    return version.to_rule() if version else None


def default_rule_keys(bodies: list[Body]) -> dict[int, str | None]:
    """Each body's default rule key (by body id), for the rules page."""
    return {body.id: default_rule_key(body) for body in bodies}


@dataclass(frozen=True)
class DeputyEligibility:
    """Whether a recall of a deputy may start today; ``reason_code`` is None when it may."""

    allowed: bool
    reason_code: str | None
    message: str
    # The days of the term on which a recall may be started (the rule's lock-outs against the
    # term), None when there are none (party list, not serving, no rule, no day left).
    opens_on: date | None = None
    open_until: date | None = None


def _reason_message(code: str | None, rule: RecallRule | None) -> str:
    if code == "lockout_start":
        return _(
            "No recall is allowed in the first %(days)d days of the term.",
            days=rule.lockout_first_days,
        )
    if code == "lockout_end":
        return _(
            "No recall is allowed in the last %(days)d days of the term.",
            days=rule.lockout_last_days,
        )
    messages = {
        None: _("This deputy can be recalled."),
        "no_rule": _("No recall rule applies to this body yet."),
        "party_list": _("Deputies elected by party list cannot be recalled by voters."),
        "not_serving": _("This deputy no longer holds the mandate."),
        "mandate_type": _("This rule does not allow recalling a deputy with this kind of mandate."),
        "term_not_started": _("The deputy's term has not started yet."),
        "term_over": _("The deputy's term is over."),
    }
    return messages[code]


def deputy_eligibility(
    deputy: Deputy, rule: RecallRule | None = None, today: date | None = None
) -> DeputyEligibility:
    """May a recall petition against ``deputy`` start on ``today`` (default: today, UTC)?

    Party-list deputies never where the body's kind says so (whatever the rule says, as Kazakh law
    has it); a deputy who is not serving never; a body without a rule never; otherwise
    ``recall_eligibility`` of the rule in force for the deputy's body.
    """
    rule = rule or rule_in_force(deputy.body)
    today = today or utcnow().date()
    if (
        deputy.mandate_type == MandateType.PARTY_LIST
        and not deputy.body.kind.list_deputies_recallable
    ):
        code: str | None = "party_list"
    elif deputy.status != DeputyStatus.SERVING:
        code = "not_serving"
    elif rule is None:
        code = "no_rule"
    else:
        code = recall_eligibility(
            rule,
            deputy.mandate_type.value,
            deputy.term_start,
            deputy.term_end or OPEN_TERM_END,
            today,
        ).reason_code
    window = None
    if code in (None, "term_not_started", "lockout_start"):
        window = recall_window(
            rule, deputy.mandate_type.value, deputy.term_start, deputy.term_end or OPEN_TERM_END
        )
    return DeputyEligibility(
        code is None,
        code,
        _reason_message(code, rule),
        window[0] if window else None,
        window[1] if window and deputy.term_end else None,
    )
