"""Extending a petition's signing period for time that did not count (issue 10).

Kazakhstan's January 2022 internet shutdown cut eGov for days: voters could not sign online
through no fault of theirs. A commissioner of the petition's body records the cause (an outage,
or another one, described) and extends the collecting petition's period by a number of days; all
extensions of a petition together stay within the rule's ``max_extension_days`` (0: none). Each
decision is a ``PetitionExtension`` row shown on the petition page and in the API, and an audit
entry (``petition.extended``) with the period before and after.

Signing reads the new ``closes_at`` at once: the signing window cache reads a petition again
before refusing a signature as late (``signing.online._open_petition``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.models import Petition, PetitionState, User
from recall.models.base import utcnow
from recall.models.petition import PetitionExtension
from recall.services.audit import append_audit
from recall.services.petitions.lifecycle import lock_petition

CAUSES = ("outage", "other")
DESCRIPTION_MAX = 2000


def extensions_of(petition_id: int) -> list[PetitionExtension]:
    """A petition's extensions, oldest first."""
    return list(
        db.session.scalars(
            sa.select(PetitionExtension)
            .where(PetitionExtension.petition_id == petition_id)
            .order_by(PetitionExtension.id)
        )
    )


def shown_extensions(petition: Petition) -> list[PetitionExtension]:
    """What the page and API list: no query for a petition never extended."""
    return extensions_of(petition.id) if petition.extension_days else []


def cause_label(cause: str) -> str:
    return {"outage": _("an outage"), "other": _("another cause")}.get(cause, cause)


def _check_days(days) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise Invalid(_("Give the extension as a whole number of days, 1 or more."), field="days")
    return days


def _check_cause(cause: str | None, description: str | None) -> tuple[str, str]:
    if cause not in CAUSES:
        raise Invalid(
            _("The cause is one of: %(causes)s.", causes=", ".join(CAUSES)), field="cause"
        )
    description = (description or "").strip()
    if not description:
        raise Invalid(
            _("Describe the cause (for an outage: what was down, from when to when)."),
            field="description",
        )
    if len(description) > DESCRIPTION_MAX:
        raise Invalid(
            _("The description may have at most %(n)d characters.", n=DESCRIPTION_MAX),
            field="description",
        )
    return cause, description


def extend_signing(
    actor: User,
    petition_id: int,
    days,
    cause: str | None,
    description: str | None,
    *,
    now: datetime | None = None,
) -> PetitionExtension:
    """Extend ``petition_id``'s signing period by ``days`` for ``cause``. Flushes.

    Raises ``NotFound``; ``Forbidden`` unless ``actor`` is a commissioner of the petition's body;
    ``Conflict`` unless the petition is collecting or when the rule allows no extension;
    ``Invalid`` for bad days, cause or description, or days beyond what the rule has left.
    """
    now = now or utcnow()
    petition = lock_petition(petition_id)
    if actor is None or not actor.is_commissioner_of(petition.body_id):
        raise Forbidden(_("Only a commissioner of this petition's body may extend its period."))
    if petition.state != PetitionState.COLLECTING or petition.closes_at <= now:
        raise Conflict(
            _("The signing period can only be extended while signing is open."), field="days"
        )
    allowed = petition.rule_version.to_rule().max_extension_days
    if allowed == 0:
        raise Conflict(
            _("The rule of this petition allows no extension of the signing period."),
            field="days",
        )
    days = _check_days(days)
    cause, description = _check_cause(cause, description)
    used = petition.extension_days
    if used + days > allowed:
        raise Invalid(
            _(
                "The rule allows at most %(max)d days of extensions in all; %(used)d are used, "
                "so at most %(left)d more.",
                max=allowed,
                used=used,
                left=allowed - used,
            ),
            field="days",
        )
    previous = petition.closes_at
    petition.closes_at = previous + timedelta(days=days)
    petition.extension_days = used + days
    extension = PetitionExtension(
        petition_id=petition.id,
        days=days,
        cause=cause,
        description=description,
        previous_closes_at=previous,
        closes_at=petition.closes_at,
        decided_by_id=actor.id,
        created_at=now,
    )
    db.session.add(extension)
    db.session.flush()
    append_audit(
        "petition.extended",
        actor.id,
        "petition",
        petition.id,
        petition.body_id,
        {
            "extension_id": extension.id,
            "days": days,
            "cause": cause,
            # Free text: the log keeps its SHA-256; the text itself is on the petition's page.
            "description_sha256": hashlib.sha256(description.encode("utf-8")).hexdigest(),
            "previous_closes_at": previous.isoformat(),
            "closes_at": petition.closes_at.isoformat(),
            "days_used": used + days,
            "max_extension_days": allowed,
        },
    )
    return extension
