"""Tips and evidence from citizens about a promise, and the monitors' triage of them.

Any signed-in person may send a tip (a link, a description of a photo, where and when; the
page limits how often per client address). A monitor takes it as evidence (it is then shown on
the promise page and listed among the promise's sources, and its link can be cited in a rating) or dismisses it with a reason (never
shown publicly). Who sent a tip is never shown.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from recall.errors import Conflict, Invalid, NotFound
from recall.extensions import db
from recall.models.base import utcnow
from recall.models.promise import Promise, PromiseSource
from recall.models.promise_tip import PromiseTip, TipStatus
from recall.models.user import User
from recall.notifications.mail import public_url
from recall.services.promises.recording import (
    _promise_for_update,
    _require_monitor,
    _text,
    clean_url,
)

MAX_DESCRIPTION = 2000
MAX_PLACE = 200
MAX_REASON = 1000


def send_tip(
    actor: User,
    promise_id: int,
    *,
    link: str | None,
    description: str | None,
    place: str | None,
    observed_on: date | None,
) -> PromiseTip:
    """Record a tip on a promise. A link or a description is needed (Invalid, field ``link``);
    the link must be a web link, the date not in the future. NotFound for an unknown or merged
    promise. Flushes."""
    promise = db.session.get(Promise, promise_id)
    if promise is None or promise.merged_into_id is not None:
        raise NotFound(_("No such promise."))
    link = clean_url(link, "link") if (link or "").strip() else None
    description = _text(
        description, "description", _("Description"), required=False, limit=MAX_DESCRIPTION
    )
    if link is None and description is None:
        raise Invalid(_("Give a link or describe what you saw."), field="link")
    place = _text(place, "place", _("Where"), required=False, limit=MAX_PLACE)
    if observed_on is not None and observed_on > utcnow().date():
        raise Invalid(_("The date cannot be in the future."), field="observed_on")
    tip = PromiseTip(
        promise_id=promise.id,
        submitted_by_id=actor.id if actor is not None else None,
        link=link,
        description=description,
        place=place,
        observed_on=observed_on,
        status=TipStatus.NEW,
    )
    db.session.add(tip)
    db.session.flush()
    return tip


def new_tips(actor: User, limit: int = 100) -> list[PromiseTip]:
    """Tips waiting for triage, oldest first (monitors only)."""
    _require_monitor(actor, _("triage tips"))
    return list(
        db.session.scalars(
            sa.select(PromiseTip)
            .where(PromiseTip.status == TipStatus.NEW)
            .options(joinedload(PromiseTip.promise).joinedload(Promise.deputy))
            .order_by(PromiseTip.id)
            .limit(limit)
        )
    )


def count_new_tips() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(PromiseTip).where(PromiseTip.status == TipStatus.NEW)
    )


def _waiting_tip(actor: User, tip_id: int, doing: str) -> PromiseTip:
    _require_monitor(actor, doing)
    tip = db.session.get(PromiseTip, tip_id, with_for_update=True, populate_existing=True)
    if tip is None:
        raise NotFound(_("No such tip."))
    if tip.status != TipStatus.NEW:
        raise Conflict(_("This tip was triaged already."))
    return tip


def accept_tip(actor: User, tip_id: int) -> PromiseTip:
    """Take a tip as evidence: it shows on the promise page and is among the promise's sources.
    Conflict once triaged, or when the promise was merged into another. Flushes."""
    tip = _waiting_tip(actor, tip_id, _("triage tips"))
    tip.status, tip.triaged_by_id, tip.triaged_at = TipStatus.ACCEPTED, actor.id, utcnow()
    _cite(tip, actor)
    db.session.flush()
    return tip


def _cite(tip: PromiseTip, actor: User) -> None:
    """Add the tip to its promise's sources (issue 14): its link, or, for a description alone,
    the tip where the promise page shows it. A link the promise cites already is not repeated."""
    promise = _promise_for_update(tip.promise_id)
    here = f"{public_url('promises.show_promise', promise_id=promise.id)}#{tip_anchor(tip.id)}"
    url = tip.link or here
    if url == promise.source_url or any(s.url == url for s in promise.sources):
        return
    db.session.add(PromiseSource(promise=promise, url=url, added_by_id=actor.id, tip_id=tip.id))


def tip_anchor(tip_id: int) -> str:
    """The id of a taken tip on the promise page."""
    return f"tip-{tip_id}"


def dismiss_tip(actor: User, tip_id: int, reason: str | None) -> PromiseTip:
    """Dismiss a tip with a reason (Invalid, field ``reason``, without one). Flushes."""
    tip = _waiting_tip(actor, tip_id, _("triage tips"))
    reason = _text(reason, "reason", _("Reason"), limit=MAX_REASON)
    tip.status, tip.dismiss_reason = TipStatus.DISMISSED, reason
    tip.triaged_by_id, tip.triaged_at = actor.id, utcnow()
    db.session.flush()
    return tip


def accepted_tips(promise_id: int) -> list[PromiseTip]:
    """The evidence citizens sent that a monitor took, newest first (for the promise page)."""
    return list(
        db.session.scalars(
            sa.select(PromiseTip)
            .where(PromiseTip.promise_id == promise_id, PromiseTip.status == TipStatus.ACCEPTED)
            .order_by(PromiseTip.id.desc())
        )
    )
