"""Constituent petitions (appeals): drafting, moderation, the periodic moves, and reading.

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

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.models import Body, Deputy, District, User
from recall.models.appeal import (
    Appeal,
    AppealHistory,
    AppealPromise,
    AppealState,
    BodyAppealSettings,
    PetitionAppeal,
)
from recall.models.base import utcnow
from recall.models.deputy import DeputyStatus
from recall.models.promise import Promise
from recall.models.user import Role
from recall.notifications.mail import public_url
from recall.rules.appeals import AppealTerms, add_months, required_constituents
from recall.rules.numbers import int_or_none
from recall.services.appeals.signing import fill_counts
from recall.services.appeals.states import (
    PUBLIC_STATES,
    SIGNING_STATES,
    change_state,
    check_transition,
    is_public,
    public_clause,
)
from recall.services.audit import append_audit
from recall.services.list_filters import parse_row_ids, parse_state
from recall.services.pagination import MAX_ROW_ID, Page, paginate
from recall.services.promises.queries import check_cited_promises, cited_promise_ids

S = AppealState
TITLE_MIN, TITLE_MAX = 10, 200
TEXT_MIN, TEXT_MAX = 50, 5000
ASK_MIN, ASK_MAX = 10, 1000
REASON_MAX = 2000
RESPONSE_MIN, RESPONSE_MAX = 20, 10000
SOURCE_MIN, SOURCE_MAX = 5, 500
MAX_CITED_PROMISES = 20


# ------------------------------------------------------------------ settings


def body_terms(body_id: int) -> AppealTerms:
    """The terms in force for a body's appeals (the defaults when an administrator set none)."""
    row = db.session.get(BodyAppealSettings, body_id)
    if row is None:
        return AppealTerms()
    return AppealTerms(
        open_months=row.open_months,
        threshold_count=row.threshold_count,
        threshold_share=row.threshold_share,
        response_days=row.response_days,
    )


def get_body(body_id: int) -> Body:
    body = db.session.get(Body, body_id)
    if body is None:
        raise NotFound(_("No such body."))
    return body


def body_chair(body_id: int | None) -> Deputy | None:
    """The deputy an administrator named chair of the body (``None`` when none was named)."""
    if body_id is None:
        return None
    chair_id = db.session.scalar(
        sa.select(BodyAppealSettings.chair_deputy_id).where(BodyAppealSettings.body_id == body_id)
    )
    return db.session.get(Deputy, chair_id) if chair_id else None


def answering_deputy_id(appeal: Appeal) -> int | None:
    """Who answers an appeal: the addressed deputy, or for a whole body its chair (if named)."""
    if appeal.deputy_id is not None:
        return appeal.deputy_id
    chair = body_chair(appeal.body_id)
    return chair.id if chair else None


def chair_choices(body_id: int) -> list[Deputy]:
    """The deputies an administrator may name chair of a body: its serving members."""
    return list(
        db.session.scalars(
            sa.select(Deputy)
            .where(Deputy.body_id == body_id, Deputy.status == DeputyStatus.SERVING)
            .order_by(Deputy.full_name, Deputy.id)
        )
    )


def terms_form_data(body_id: int) -> dict:
    """A body's terms as the settings form shows them."""
    terms = body_terms(body_id)
    chair = body_chair(body_id)
    return {
        "chair_deputy_id": chair.id if chair else 0,
        "open_months": str(terms.open_months),
        "response_days": str(terms.response_days),
        "threshold_count": str(terms.threshold_count) if terms.threshold_count else "",
        "threshold_share": str(terms.threshold_share) if terms.threshold_share else "",
    }


def _whole(value, field: str, low: int, high: int) -> int:
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise Invalid(
            _("Enter a whole number from %(low)d to %(high)d.", low=low, high=high), field=field
        )
    return int(text)


def set_body_terms(
    actor: User,
    body_id: int,
    *,
    open_months,
    response_days,
    threshold_count=None,
    threshold_share=None,
    chair_deputy_id=None,
) -> BodyAppealSettings:
    """An administrator sets a body's appeal terms: the period in months (1-36), the days to
    respond (1-365) and exactly one threshold, a number of constituent signatures or a share of
    registered voters (a fraction above 0 and at most 1, e.g. 0.01). Running appeals keep theirs.
    ``chair_deputy_id`` names the body's chair (a serving member of the body; empty or 0: none),
    who is told and answers when an appeal to the whole body reaches its threshold."""
    if not actor.has_role(Role.ADMIN):
        raise Forbidden(_("Only administrators set the terms of appeals."))
    body = db.session.get(Body, body_id)
    if body is None:
        raise NotFound(_("No such body."))
    months = _whole(open_months, "open_months", 1, 36)
    days = _whole(response_days, "response_days", 1, 365)
    count = share = None
    has_count = threshold_count not in (None, "")
    has_share = threshold_share not in (None, "")
    if has_count == has_share:
        raise Invalid(
            _("Set either a number of signatures or a share of registered voters, not both."),
            field="threshold_count",
        )
    if has_count:
        count = _whole(threshold_count, "threshold_count", 1, 10_000_000)
    else:
        try:
            share = Decimal(str(threshold_share).strip())
        except InvalidOperation:
            share = None
        if share is None or not share.is_finite() or not Decimal(0) < share <= Decimal(1):
            raise Invalid(
                _("The share is a fraction above 0 and at most 1 (0.01 is one per cent)."),
                field="threshold_share",
            )
        share = share.quantize(Decimal("0.000001"))
        if share == 0:
            raise Invalid(
                _("The share is a fraction above 0 and at most 1 (0.01 is one per cent)."),
                field="threshold_share",
            )
    chair_id = int_or_none(chair_deputy_id) or None
    if chair_id is not None and chair_id not in {d.id for d in chair_choices(body.id)}:
        raise Invalid(
            _("The chair must be a serving deputy of this body."), field="chair_deputy_id"
        )
    row = db.session.get(BodyAppealSettings, body.id) or BodyAppealSettings(body_id=body.id)
    row.open_months, row.response_days = months, days
    row.chair_deputy_id = chair_id
    row.threshold_count, row.threshold_share = count, share
    row.updated_by_id = actor.id
    db.session.add(row)
    db.session.flush()
    append_audit(
        "appeal_terms.set",
        actor.id,
        "body",
        body.id,
        body.id,
        {
            "open_months": months,
            "response_days": days,
            "threshold_count": count,
            "threshold_share": str(share) if share is not None else None,
            "chair_deputy_id": chair_id,
        },
    )
    return row


# ------------------------------------------------------------------ reading


def appeal_for_page(appeal_id: int, viewer: User | None = None) -> Appeal:
    """An appeal with its addressee, body, district and history. Drafts, appeals in moderation
    and rejected ones are shown only to their author and to moderators (others: 404)."""
    appeal = db.session.scalar(
        sa.select(Appeal)
        .where(Appeal.id == appeal_id)
        .options(
            joinedload(Appeal.deputy),
            joinedload(Appeal.body),
            joinedload(Appeal.district),
            selectinload(Appeal.history),
        )
    )
    if appeal is None or not can_see(appeal, viewer):
        raise NotFound(_("No such appeal."))
    return fill_counts([appeal])[0]


def can_see(appeal: Appeal, viewer: User | None) -> bool:
    if is_public(appeal):
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return appeal.author_id == viewer.id or viewer.has_role(Role.MODERATOR)


def cited_promises(appeal: Appeal) -> list[Promise]:
    return list(
        db.session.scalars(
            sa.select(Promise)
            .join(AppealPromise, AppealPromise.promise_id == Promise.id)
            .where(AppealPromise.appeal_id == appeal.id)
            .order_by(Promise.id)
        )
    )


def history_actors(appeal: Appeal) -> dict[int, str]:
    """Display names of the people in an appeal's history (moderators, deputies, the author)."""
    ids = {h.actor_id for h in appeal.history if h.actor_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids)))
    return {row[0]: row[1] for row in rows}


@dataclass(frozen=True)
class AppealFilters:
    state: AppealState | None = None
    deputy_id: int | None = None
    body_id: int | None = None
    district_id: int | None = None


def parse_filters(args) -> AppealFilters:
    """Read list filters (state, deputy, body, district) from a query string; ``Invalid`` names
    the bad one. Only public states can be listed."""
    state = parse_state(args, sorted(s.value for s in PUBLIC_STATES))
    values = parse_row_ids(args, ("deputy", "body", "district"))
    return AppealFilters(
        state=AppealState(state) if state else None,
        deputy_id=values["deputy"],
        body_id=values["body"],
        district_id=values["district"],
    )


def list_appeals(
    filters: AppealFilters, page: int | None = 1, per_page: int | None = 20
) -> Page[Appeal]:
    """Public appeals matching ``filters``, newest first. ``district`` matches appeals to the
    district's deputy and appeals to the district's body."""
    query = sa.select(Appeal).where(public_clause())
    if filters.state:
        query = query.where(Appeal.state == filters.state)
    if filters.deputy_id:
        query = query.where(Appeal.deputy_id == filters.deputy_id)
    if filters.body_id:
        query = query.where(Appeal.body_id == filters.body_id)
    if filters.district_id:
        district_body = sa.select(District.body_id).where(District.id == filters.district_id)
        query = query.where(
            sa.or_(
                Appeal.district_id == filters.district_id,
                sa.and_(Appeal.deputy_id.is_(None), Appeal.body_id.in_(district_body)),
            )
        )
    query = query.options(
        joinedload(Appeal.deputy), joinedload(Appeal.body), joinedload(Appeal.district)
    ).order_by(Appeal.opens_at.desc(), Appeal.id.desc())
    found = paginate(query, page, per_page)
    fill_counts(list(found.items))
    return found


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


def my_appeals(actor: User) -> list[Appeal]:
    """The appeals ``actor`` wrote, in any state, newest first."""
    return list(
        db.session.scalars(
            sa.select(Appeal)
            .where(Appeal.author_id == actor.id)
            .options(joinedload(Appeal.deputy), joinedload(Appeal.body))
            .order_by(Appeal.id.desc())
        )
    )


def addressees() -> tuple[list[Deputy], list[Body]]:
    """Who an appeal can be addressed to: serving deputies and bodies, by name."""
    deputies = list(
        db.session.scalars(
            sa.select(Deputy)
            .where(Deputy.status == DeputyStatus.SERVING)
            .order_by(Deputy.full_name, Deputy.id)
        )
    )
    bodies = list(db.session.scalars(sa.select(Body).order_by(Body.name, Body.id)))
    return deputies, bodies


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


# --------------------------------------------------------------- responsiveness


@dataclass(frozen=True)
class Responsiveness:
    """How a deputy answers appeals: of the public appeals addressed to them, how many reached
    the threshold, were answered on time or late, are overdue or still within their time."""

    published: int
    reached_threshold: int
    answered_on_time: int
    answered_late: int
    overdue: int
    awaiting: int

    def as_dict(self) -> dict[str, int]:
        return {
            "published": self.published,
            "reached_threshold": self.reached_threshold,
            "answered_on_time": self.answered_on_time,
            "answered_late": self.answered_late,
            "overdue": self.overdue,
            "awaiting": self.awaiting,
        }


def responsiveness(deputy_id: int, now: datetime | None = None) -> Responsiveness:
    """The figures of one deputy in one statement (``rules.appeals.answer_timeliness`` in SQL:
    on time is answered by the due date; overdue is unanswered after it)."""
    now = now or utcnow()
    due, answered = Appeal.response_due_at, Appeal.answered_at

    def count(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        sa.select(
            sa.func.count(),
            count(Appeal.threshold_reached_at.is_not(None)),
            count(sa.and_(due.is_not(None), answered.is_not(None), answered <= due)),
            count(sa.and_(due.is_not(None), answered > due)),
            count(sa.and_(due.is_not(None), answered.is_(None), due < now)),
            count(sa.and_(due.is_not(None), answered.is_(None), due >= now)),
        ).where(Appeal.deputy_id == deputy_id, public_clause())
    ).one()
    return Responsiveness(*(int(v) for v in row))


def deputy_appeals(deputy_id: int, limit: int = 10) -> list[Appeal]:
    """The newest public appeals to a deputy, for the deputy page."""
    appeals = list(
        db.session.scalars(
            sa.select(Appeal)
            .where(Appeal.deputy_id == deputy_id, public_clause())
            .order_by(Appeal.opens_at.desc(), Appeal.id.desc())
            .limit(limit)
        )
    )
    return fill_counts(appeals)


# --------------------------------------------------------------- cited by recall petitions

UNANSWERED_STATES = (S.RESPONSE_DUE, S.OVERDUE)
MAX_CITED_APPEALS = 20


def citable_appeals(deputy_id: int) -> list[Appeal]:
    """Appeals to a deputy that a recall petition can cite: an answer is due or overdue."""
    return list(
        db.session.scalars(
            sa.select(Appeal)
            .where(Appeal.deputy_id == deputy_id, Appeal.state.in_(UNANSWERED_STATES))
            .order_by(Appeal.response_due_at, Appeal.id)
        )
    )


def cite_appeals(petition_id: int, deputy_id: int, appeal_ids) -> list[int]:
    """Record the appeals a new recall petition cites; each must be one of the deputy's appeals
    with an answer due or overdue (``Invalid``, field ``appeal_ids``, and nothing written)."""
    try:
        ids = sorted({int(i) for i in (appeal_ids or [])})
    except (TypeError, ValueError):
        raise Invalid(_("Appeals are named by their numbers."), field="appeal_ids") from None
    if len(ids) > MAX_CITED_APPEALS:
        raise Invalid(_("Cite at most %(n)d appeals.", n=MAX_CITED_APPEALS), field="appeal_ids")
    citable = {a.id for a in citable_appeals(deputy_id)}
    missing = [i for i in ids if i not in citable]
    if missing:
        raise Invalid(
            _(
                "Appeal %(id)d is not an unanswered appeal to this deputy.",
                id=missing[0],
            ),
            field="appeal_ids",
        )
    db.session.add_all(PetitionAppeal(petition_id=petition_id, appeal_id=i) for i in ids)
    db.session.flush()
    return ids


def cited_appeals(petition_id: int) -> list[Appeal]:
    return list(
        db.session.scalars(
            sa.select(Appeal)
            .join(PetitionAppeal, PetitionAppeal.appeal_id == Appeal.id)
            .where(PetitionAppeal.petition_id == petition_id)
            .order_by(Appeal.id)
        )
    )
