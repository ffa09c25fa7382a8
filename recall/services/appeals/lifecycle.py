"""Constituent petitions (appeals): drafting, moderation, the periodic moves and the responses.
A body's settings are ``terms``'; reading appeals is ``queries``'; citing them from recall
petitions is ``citations``'.

Who may do what (the transition checks are in ``appeals.states.change_state``):

* draft: any signed-in user, addressed to one deputy (single-mandate or party-list, serving) or
  to one body; submit / withdraw a draft: its author;
* publish / reject (with a reason): a moderator (the ``moderator`` role an administrator grants);
* settings of a body: an administrator;
* close at the end of the period, overdue after the due date: the periodic tasks.

Moderation rules (published on the moderation page): no personal data of others, no incitement,
duplicates are merged (:func:`merge_appeal`: closed with a link to the open appeal they repeat).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.models import Body, Deputy, District, User
from recall.models.appeal import (
    Appeal,
    AppealHistory,
    AppealPromise,
    AppealState,
    BodyAppealSettings,
)
from recall.models.base import utcnow
from recall.models.deputy import DeputyStatus
from recall.models.user import Role
from recall.notifications.mail import public_url
from recall.rules.appeals import add_months, required_constituents
from recall.rules.numbers import int_or_none
from recall.services.appeals.states import (
    SIGNING_STATES,
    change_state,
    check_transition,
    is_public,
)
from recall.services.appeals.terms import answering_deputy_id, body_terms
from recall.services.audit import append_audit
from recall.services.pagination import MAX_ROW_ID
from recall.services.promises.queries import check_cited_promises, cited_promise_ids

S = AppealState
TITLE_MIN, TITLE_MAX = 10, 200
TEXT_MIN, TEXT_MAX = 50, 5000
ASK_MIN, ASK_MAX = 10, 1000
REASON_MAX = 2000
RESPONSE_MIN, RESPONSE_MAX = 20, 10000
SOURCE_MIN, SOURCE_MAX = 5, 500
MAX_CITED_PROMISES = 20


def moderation_queue(actor: User) -> list[Appeal]:
    """Appeals waiting for a moderator, oldest first."""
    _require_moderator(actor)
    return list(
        db.session.scalars(
            sa.select(Appeal)
            .where(Appeal.state == S.IN_MODERATION)
            .options(joinedload(Appeal.deputy), joinedload(Appeal.body))
            .order_by(Appeal.submitted_at, Appeal.id)
        )
    )


# --------------------------------------------------------------- lifecycle


def _require_moderator(actor: User | None) -> None:
    if actor is None or not actor.has_role(Role.MODERATOR):
        raise Forbidden(_("Only moderators may do this."))


def _load_for_update(appeal_id: int) -> Appeal:
    appeal = db.session.scalar(sa.select(Appeal).where(Appeal.id == appeal_id).with_for_update())
    if appeal is None:
        raise NotFound(_("No such appeal."))
    return appeal


def _bounded(value: str | None, field: str, low: int, high: int, what: str) -> str:
    text = (value or "").strip()
    if not low <= len(text) <= high:
        raise Invalid(
            _(
                "%(what)s: %(min)d to %(max)d characters (you wrote %(n)d).",
                what=what,
                min=low,
                max=high,
                n=len(text),
            ),
            field=field,
        )
    return text


def _check_promises(deputy: Deputy | None, promise_ids) -> list[int]:
    ids = cited_promise_ids(promise_ids)
    if not ids:
        return []
    if deputy is None:
        raise Invalid(_("Only an appeal to a deputy can cite promises."), field="promise_ids")
    return check_cited_promises(deputy, ids, MAX_CITED_PROMISES)


def _addressee(deputy_id, body_id) -> tuple[Deputy | None, Body]:
    if bool(deputy_id) == bool(body_id):
        raise Invalid(_("Address the appeal to one deputy or to one body."), field="addressee")
    if deputy_id:
        deputy = db.session.get(Deputy, int(deputy_id))
        if deputy is None or deputy.status != DeputyStatus.SERVING:
            raise Invalid(_("Choose a serving deputy."), field="addressee")
        return deputy, deputy.body
    body = db.session.get(Body, int(body_id))
    if body is None:
        raise Invalid(_("Choose a body."), field="addressee")
    return None, body


def parse_addressee(value: str | None) -> tuple[int | None, int | None]:
    """``deputy:<id>`` or ``body:<id>`` (the form's one select) as (deputy_id, body_id)."""
    kind, _sep, raw = (value or "").partition(":")
    if (
        kind in ("deputy", "body")
        and raw.isascii()
        and raw.isdigit()
        and 0 < int(raw) <= MAX_ROW_ID
    ):
        return (int(raw), None) if kind == "deputy" else (None, int(raw))
    raise Invalid(_("Address the appeal to one deputy or to one body."), field="addressee")


def draft_appeal(
    actor: User,
    *,
    deputy_id: int | None = None,
    body_id: int | None = None,
    title: str,
    text: str,
    ask: str,
    promise_ids=(),
) -> Appeal:
    """A signed-in citizen drafts an appeal to one deputy or one body (nothing is public yet).

    Title 10-200 characters, text 50-5000, what is asked 10-1000; cited promises must be the
    addressed deputy's. ``Invalid`` for bad input, and nothing is written.
    """
    if actor is None or not getattr(actor, "is_authenticated", True):
        raise Forbidden(_("Sign in to write an appeal."))
    deputy, body = _addressee(deputy_id, body_id)
    title = _bounded(title, "title", TITLE_MIN, TITLE_MAX, _("Title"))
    text = _bounded(text, "text", TEXT_MIN, TEXT_MAX, _("Text"))
    ask = _bounded(ask, "ask", ASK_MIN, ASK_MAX, _("What you ask"))
    ids = _check_promises(deputy, promise_ids)
    appeal = Appeal(
        author_id=actor.id,
        deputy_id=deputy.id if deputy else None,
        body_id=body.id,
        district_id=deputy.district_id if deputy else None,
        title=title,
        text=text,
        ask=ask,
        state=S.DRAFT,
    )
    db.session.add(appeal)
    db.session.flush()
    db.session.add_all(AppealPromise(appeal_id=appeal.id, promise_id=i) for i in ids)
    db.session.add(
        AppealHistory(
            appeal_id=appeal.id,
            from_state=None,
            to_state=S.DRAFT.value,
            actor_id=actor.id,
            created_at=utcnow(),
        )
    )
    db.session.flush()
    return appeal


def submit_appeal(actor: User, appeal_id: int) -> Appeal:
    """The author sends a draft to moderation."""
    appeal = _load_for_update(appeal_id)
    if appeal.author_id != actor.id:
        raise Forbidden(_("Only the author of this appeal may do this."))
    return change_state(appeal, S.IN_MODERATION, actor)


def withdraw_draft(actor: User, appeal_id: int) -> Appeal:
    """The author withdraws a draft (it is closed, never published)."""
    appeal = _load_for_update(appeal_id)
    if appeal.author_id != actor.id:
        raise Forbidden(_("Only the author of this appeal may do this."))
    return change_state(appeal, S.CLOSED, actor)


def electorate_of(appeal: Appeal) -> int:
    """Registered voters the threshold is a share of: the district's for a single-mandate
    deputy, the body's districts' together for a party-list deputy or a body."""
    if appeal.district_id is not None:
        return int(
            db.session.scalar(
                sa.select(District.registered_voters).where(District.id == appeal.district_id)
            )
            or 0
        )
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(District.registered_voters), 0)).where(
                District.body_id == appeal.body_id
            )
        )
    )


def publish_appeal(actor: User, appeal_id: int, *, now: datetime | None = None) -> Appeal:
    """A moderator publishes an appeal: signing opens for the body's period, and the threshold
    and the days to respond are frozen from the body's terms."""
    _require_moderator(actor)
    appeal = _load_for_update(appeal_id)
    now = now or utcnow()
    terms = body_terms(appeal.body_id)
    change_state(appeal, S.OPEN, actor)
    appeal.opens_at = now
    appeal.closes_at = add_months(now, terms.open_months)
    appeal.threshold = required_constituents(terms, electorate_of(appeal))
    appeal.response_days = terms.response_days
    db.session.flush()
    append_audit("appeal.published", actor.id, "appeal", appeal.id, appeal.body_id, {})
    return appeal


def reject_appeal(actor: User, appeal_id: int, reason: str) -> Appeal:
    """A moderator rejects an appeal in moderation, with a reason shown to everyone who can see it."""
    _require_moderator(actor)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise Invalid(_("At most %(n)d characters.", n=REASON_MAX), field="reason")
    appeal = _load_for_update(appeal_id)
    change_state(appeal, S.REJECTED, actor, reason=reason)
    append_audit("appeal.rejected", actor.id, "appeal", appeal.id, appeal.body_id, {})
    return appeal


def merge_candidates(appeal: Appeal) -> list[Appeal]:
    """The appeals a moderator may merge ``appeal`` into: open for signing, on the same
    addressee, newest first (empty unless ``appeal`` is in moderation)."""
    if appeal.state != S.IN_MODERATION:
        return []
    return list(
        db.session.scalars(
            sa.select(Appeal)
            .where(
                Appeal.id != appeal.id,
                Appeal.state.in_(SIGNING_STATES),
                Appeal.opens_at.is_not(None),
                Appeal.body_id == appeal.body_id,
                Appeal.deputy_id.is_(None)
                if appeal.deputy_id is None
                else Appeal.deputy_id == appeal.deputy_id,
            )
            .order_by(Appeal.opens_at.desc(), Appeal.id.desc())
            .limit(50)
        )
    )


def merge_appeal(actor: User, appeal_id: int, original_id, reason: str | None = None) -> Appeal:
    """A moderator merges a duplicate in moderation into the open appeal it repeats: the
    duplicate is closed unpublished with a link to the original (``merged_into_id``), a history
    row and the event ``appeal.merged`` (its author is told, with the link); audited.

    Only an appeal *in moderation* is merged, so no signature ever moves: it has none yet. An
    appeal already open that turns out to repeat another is not merged: its signers signed its
    text, not the other's, and moving them could count a voter twice on the original; it runs
    its course (a moderator can point to the other in an update).

    ``Forbidden`` for a non-moderator; ``NotFound`` for no such duplicate; ``Invalid`` (field
    ``original_id``) for no such original, the appeal itself, or another addressee; ``Conflict``
    when the duplicate is not in moderation or the original is not open for signing. Nothing is
    written on refusal. Flushes.
    """
    _require_moderator(actor)
    target_id = int_or_none(original_id)
    if target_id is None or not 0 < target_id <= MAX_ROW_ID:
        raise Invalid(_("Choose the appeal it duplicates."), field="original_id")
    if target_id == appeal_id:
        raise Invalid(_("An appeal cannot be merged into itself."), field="original_id")
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > REASON_MAX:
        raise Invalid(_("At most %(n)d characters.", n=REASON_MAX), field="reason")
    # Both rows locked in id order, so two merges of a pair cannot deadlock.
    rows = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Appeal)
            .where(Appeal.id.in_((appeal_id, target_id)))
            .order_by(Appeal.id)
            .with_for_update()
        )
    }
    duplicate, original = rows.get(appeal_id), rows.get(target_id)
    if duplicate is None:
        raise NotFound(_("No such appeal."))
    if original is None or not is_public(original):
        raise Invalid(_("There is no published appeal with this number."), field="original_id")
    if duplicate.state != S.IN_MODERATION:
        raise Conflict(
            _("Only an appeal in moderation can be merged: it has no signatures yet."),
            field="original_id",
        )
    if original.state not in SIGNING_STATES:
        raise Conflict(_("Merge into an appeal that is open for signing."), field="original_id")
    if (original.deputy_id, original.body_id) != (duplicate.deputy_id, duplicate.body_id):
        raise Invalid(
            _("The appeal it duplicates must be addressed to the same deputy or body."),
            field="original_id",
        )
    duplicate.merged_into_id = original.id
    change_state(
        duplicate,
        S.CLOSED,
        actor,
        reason=reason,
        kind="appeal.merged",
        payload={
            "merged_into_id": original.id,
            "merged_into": public_url("appeals.show_appeal", appeal_id=original.id),
            "original_title": original.title,
        },
    )
    append_audit(
        "appeal.merged",
        actor.id,
        "appeal",
        duplicate.id,
        duplicate.body_id,
        {"merged_into_id": original.id},
    )
    return duplicate


def _move_due(target: AppealState, *conditions: sa.ColumnElement[bool]) -> int:
    """Move every appeal matching ``conditions`` to ``target`` (scheduled work: no actor), in id
    order; rows another worker holds are skipped, for its run or the next. Returns how many."""
    due = list(
        db.session.scalars(
            sa.select(Appeal)
            .where(*conditions)
            .order_by(Appeal.id)
            .with_for_update(skip_locked=True)
        )
    )
    for appeal in due:
        change_state(appeal, target, None)
    return len(due)


def close_due_appeals(now: datetime | None = None) -> int:
    """Close open and answered appeals whose period is over (periodic). Returns how many."""
    now = now or utcnow()
    return _move_due(S.CLOSED, Appeal.state.in_((S.OPEN, S.ANSWERED)), Appeal.closes_at <= now)


def mark_overdue(now: datetime | None = None) -> int:
    """Appeals whose response is past due without an answer become overdue (periodic)."""
    now = now or utcnow()
    return _move_due(S.OVERDUE, Appeal.state == S.RESPONSE_DUE, Appeal.response_due_at < now)


# --------------------------------------------------------------- responses


def deputy_account(deputy_id: int | None) -> User | None:
    """The account linked to a deputy record, if an administrator linked one."""
    if deputy_id is None:
        return None
    return db.session.scalar(sa.select(User).where(User.deputy_id == deputy_id))


def may_respond(actor: User | None, appeal: Appeal) -> bool:
    """Is ``actor`` the one who publishes the answer to ``appeal``: the account of the addressed
    deputy (for a whole body: of its chair), or a moderator where there is no such account?"""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    answering = answering_deputy_id(appeal)
    if answering is not None and actor.deputy_id == answering:
        return True
    return actor.has_role(Role.MODERATOR) and deputy_account(answering) is None


def respond_to_appeal(
    actor: User,
    appeal_id: int,
    text: str,
    source: str | None = None,
    *,
    now: datetime | None = None,
) -> Appeal:
    """Publish the answer to an appeal (open, response due or overdue): by the addressed deputy's
    account, or by a moderator who enters the written answer of a deputy (or body) without an
    account, naming where it comes from (``source``: a link or the letter's reference).

    ``Forbidden`` for anyone else (a moderator too, once the deputy has an account: the deputy
    answers); ``Conflict`` in another state; ``Invalid`` for the text (20-10000 characters) or a
    missing source. Nothing is written on refusal.
    """
    appeal = _load_for_update(appeal_id)
    answering = answering_deputy_id(appeal)  # for a whole body: its chair
    own = answering is not None and actor.deputy_id == answering
    if not own and not actor.has_role(Role.MODERATOR):
        raise Forbidden(_("Only the deputy's account, or a moderator, may publish the answer."))
    if not own and deputy_account(answering) is not None:
        raise Forbidden(_("This deputy has an account: the deputy publishes the answer."))
    check_transition(appeal, S.ANSWERED)
    text = _bounded(text, "text", RESPONSE_MIN, RESPONSE_MAX, _("Answer"))
    source = (
        None
        if own
        else _bounded(source, "source", SOURCE_MIN, SOURCE_MAX, _("Source of the written answer"))
    )
    now = now or utcnow()
    on_time = appeal.response_due_at is None or now <= appeal.response_due_at
    appeal.answered_at = now
    appeal.response_text = text
    appeal.response_source = source
    appeal.responded_by_id = actor.id
    change_state(appeal, S.ANSWERED, actor, payload={"on_time": on_time})
    append_audit(
        "appeal.answered",
        actor.id,
        "appeal",
        appeal.id,
        appeal.body_id,
        {"by_deputy_account": own, "on_time": on_time},
    )
    return appeal


def appeals_to_answer(actor: User) -> list[Appeal]:
    """What waits for an answer from ``actor``: a deputy account's appeals, or for a moderator
    those whose addressee has no account; response due and overdue first."""
    query = sa.select(Appeal).where(Appeal.state.in_((S.OPEN, S.RESPONSE_DUE, S.OVERDUE)))
    chairs = sa.select(BodyAppealSettings.body_id, BodyAppealSettings.chair_deputy_id)
    if actor.deputy_id is not None and not actor.has_role(Role.MODERATOR):
        chaired = chairs.where(BodyAppealSettings.chair_deputy_id == actor.deputy_id)
        query = query.where(
            sa.or_(
                Appeal.deputy_id == actor.deputy_id,
                sa.and_(
                    Appeal.deputy_id.is_(None),
                    Appeal.body_id.in_(chaired.with_only_columns(BodyAppealSettings.body_id)),
                ),
            )
        )
    elif actor.has_role(Role.MODERATOR):
        with_account = sa.select(User.deputy_id).where(User.deputy_id.is_not(None))
        chair_with_account = chairs.where(
            BodyAppealSettings.chair_deputy_id.in_(with_account)
        ).with_only_columns(BodyAppealSettings.body_id)
        query = query.where(
            sa.or_(
                sa.and_(Appeal.deputy_id.is_(None), Appeal.body_id.not_in(chair_with_account)),
                Appeal.deputy_id.not_in(with_account),
            )
        )
    else:
        raise Forbidden(_("Only deputies and moderators answer appeals."))
    order = sa.case((Appeal.state == S.OVERDUE, 0), (Appeal.state == S.RESPONSE_DUE, 1), else_=2)
    return list(
        db.session.scalars(
            query.options(joinedload(Appeal.deputy), joinedload(Appeal.body)).order_by(
                order, Appeal.response_due_at, Appeal.id
            )
        )
    )
