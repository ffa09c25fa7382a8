"""Recording and rating deputies' promises: every change leaves a trace.

Public operations (each takes the acting user first, flushes, never commits):

* ``record_promise`` — a monitor records a promise; a similar title for the same deputy raises
  ``DuplicateSuspected`` (a ``Conflict`` carrying the candidates) unless ``confirm_distinct``.
* ``add_source_to_promise`` — the merge offered instead of a duplicate: keep the existing
  promise, add the new source to it.
* ``merge_promises`` — fold an already recorded duplicate into another promise of the deputy.
* ``edit_promise`` — wording edits, kept as ``PromiseRevision`` and logged as corrections.
* ``change_status`` — a new entry of the history (monitor only, evidence required).
* ``raise_dispute`` / ``resolve_dispute`` — a rating challenged with evidence; resolved only by
  a monitor of another organization than the rater's.
* ``ensure_default_topics`` / ``add_topic`` — the managed topic list.

Reading (lists, filters, summaries, scorecards) lives in ``recall.services.promises.queries``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.i18n import format_day
from recall.models.base import utcnow
from recall.models.deputy import Deputy
from recall.models.promise import (
    DEFAULT_TOPICS,
    BrokenReason,
    Correction,
    CorrectionKind,
    Dispute,
    DisputeState,
    Promise,
    PromiseLevel,
    PromiseRevision,
    PromiseSource,
    PromiseStatus,
    PromiseStatusChange,
    Topic,
)
from recall.models.user import Role, User
from recall.rules.numbers import int_or_none
from recall.services.lookup import get_or_raise
from recall.services.outbox import record_event

# Two titles of the same deputy whose similarity (see ``title_similarity``) reaches this are
# offered for merging. 0.75 catches reworded titles ("Build a school in Zhanaarka" /
# "Build a new school in Zhanaarka" = 0.91) yet keeps different promises of one place apart
# ("Repair the road to Temirtau" / "Build a school in Temirtau" = 0.20).
DUPLICATE_THRESHOLD = 0.75

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_URL = 1000
MAX_EVIDENCE = 10

_WORD = re.compile(r"\w+", re.UNICODE)


class DuplicateSuspected(Conflict):
    """A promise with a similar title exists for this deputy; ``candidates`` lists (promise, score)."""

    def __init__(self, message: str, candidates: list[tuple[Promise, float]]):
        super().__init__(message, field="title")
        self.candidates = candidates


# --- helpers ---------------------------------------------------------------------------------


def _require_monitor(actor: User | None, doing: str) -> User:
    if actor is None or not actor.has_role(Role.MONITOR):
        raise Forbidden(_("Only monitors of a civic organization may %(doing)s.", doing=doing))
    return actor


def _text(
    value: str | None, field: str, label: str, *, required: bool = True, limit: int = MAX_TEXT
) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise Invalid(_("%(label)s is required.", label=label), field=field)
        return None
    if len(value) > limit:
        raise Invalid(
            _("%(label)s is too long (at most %(n)d characters).", label=label, n=limit),
            field=field,
        )
    return value


def clean_url(value: str | None, field: str) -> str:
    """A trimmed http(s) URL, or ``Invalid`` naming ``field``."""
    value = (value or "").strip()
    if not value:
        raise Invalid(_("A source link is required."), field=field)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise Invalid(
            _(
                "%(url)s is not a web link (it must start with http:// or https://).",
                url=value[:80],
            ),
            field=field,
        )
    if len(value) > MAX_URL:
        raise Invalid(_("The link is too long (at most %(n)d characters).", n=MAX_URL), field=field)
    return value


def clean_evidence(
    links: list[str] | tuple[str, ...] | str | None, field: str = "evidence"
) -> list[str]:
    """At least one evidence link (a list, or text with one link per line), de-duplicated in order."""
    if isinstance(links, str):
        links = links.split()
    cleaned: list[str] = []
    for link in links or []:
        if link and link.strip():
            url = clean_url(link, field)
            if url not in cleaned:
                cleaned.append(url)
    if not cleaned:
        raise Invalid(_("At least one evidence link is required."), field=field)
    if len(cleaned) > MAX_EVIDENCE:
        raise Invalid(_("At most %(n)d evidence links.", n=MAX_EVIDENCE), field=field)
    return cleaned


def _date(value: date | None, field: str, *, not_before: date | None = None) -> date:
    if not isinstance(value, date):
        raise Invalid(_("A date is required."), field=field)
    if value > utcnow().date():
        raise Invalid(_("The date cannot be in the future."), field=field)
    if not_before and value < not_before:
        raise Invalid(
            _("The date cannot be before the promise was made (%(d)s).", d=format_day(not_before)),
            field=field,
        )
    return value


def _enum(enum_cls, value, field: str, label: str):
    try:
        return enum_cls(value)
    except ValueError:
        raise Invalid(
            _("Unknown %(label)s: %(value)s.", label=label, value=str(value)[:40]), field=field
        ) from None


def get_promise(promise_id: int) -> Promise:
    """The promise, or ``NotFound``."""
    promise = get_or_raise(Promise, promise_id, _("No such promise."))
    return promise


def _promise_for_update(promise_id: int) -> Promise:
    """Load and lock the promise row so concurrent ratings apply one after the other."""
    promise = db.session.scalar(
        sa.select(Promise).where(Promise.id == promise_id).with_for_update()
    )
    if promise is None:
        raise NotFound(_("No such promise."))
    if promise.merged_into_id is not None:
        raise Conflict(
            _(
                "This promise was merged into promise #%(id)d; change that one.",
                id=promise.merged_into_id,
            )
        )
    return promise


def _event(kind: str, promise: Promise, actor: User | None, **payload) -> None:
    # deputy_id in every payload: followers of the deputy hear about their deputy's promises.
    record_event(
        kind,
        "promise",
        promise.id,
        {
            "promise_id": promise.id,
            "deputy_id": promise.deputy_id,
            "title": promise.title,
            **payload,
        },
        actor.id if actor else None,
    )


# --- topics ----------------------------------------------------------------------------------


def ensure_default_topics() -> list[Topic]:
    """Create the default topics that are missing (idempotent); returns all topics in order."""
    existing = {t.slug for t in db.session.scalars(sa.select(Topic))}
    for position, (slug, name) in enumerate(DEFAULT_TOPICS):
        if slug not in existing:
            db.session.add(Topic(slug=slug, name=name, position=position * 10))
    db.session.flush()
    return list_topics()


def list_topics() -> list[Topic]:
    return list(db.session.scalars(sa.select(Topic).order_by(Topic.position, Topic.name)))


def add_topic(actor: User | None, slug: str, name: str) -> Topic:
    """Add a topic to the managed list (administrators only)."""
    if actor is None or not actor.has_role(Role.ADMIN):
        raise Forbidden(_("Only administrators may manage topics."))
    slug = (_text(slug, "slug", _("Slug"), limit=60) or "").lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", slug):
        raise Invalid(_("A slug uses lower-case latin letters, digits, '-' and '_'."), field="slug")
    name = _text(name, "name", _("Name"), limit=120)
    if db.session.scalar(sa.select(Topic).where(Topic.slug == slug)) is not None:
        raise Conflict(_("A topic with this slug exists already."), field="slug")
    position = (db.session.scalar(sa.select(sa.func.max(Topic.position))) or 0) + 10
    topic = Topic(slug=slug, name=name, position=position)
    db.session.add(topic)
    db.session.flush()
    return topic


def _topic(value: str | int | None) -> Topic:
    topic, topic_id = None, int_or_none(value)
    if topic_id is not None:
        topic = db.session.get(Topic, topic_id)
    elif value:
        topic = db.session.scalar(sa.select(Topic).where(Topic.slug == value))
    if topic is None:
        raise Invalid(_("Choose a topic from the list."), field="topic")
    return topic


# --- duplicates ------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return _WORD.findall((text or "").casefold())


def title_similarity(a: str, b: str) -> float:
    """Similarity of two titles in [0, 1]: difflib's ratio over lower-cased word tokens.

    The larger of the ratio in word order and in sorted order, so "Repair school No. 5" and
    "School No. 5 repair" match. Punctuation and case are ignored.
    """
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    in_order = difflib.SequenceMatcher(None, ta, tb, autojunk=False).ratio()
    as_sets = difflib.SequenceMatcher(None, sorted(ta), sorted(tb), autojunk=False).ratio()
    return max(in_order, as_sets)


def find_similar_promises(
    deputy_id: int, title: str, *, exclude_id: int | None = None
) -> list[tuple[Promise, float]]:
    """Promises of the deputy whose title is at least ``DUPLICATE_THRESHOLD`` similar, best first."""
    query = sa.select(Promise).where(
        Promise.deputy_id == deputy_id, Promise.merged_into_id.is_(None)
    )
    if exclude_id is not None:
        query = query.where(Promise.id != exclude_id)
    scored = [(p, title_similarity(title, p.title)) for p in db.session.scalars(query)]
    return sorted(
        [(p, s) for p, s in scored if s >= DUPLICATE_THRESHOLD],
        key=lambda item: (-item[1], item[0].id),
    )


# --- recording and editing -------------------------------------------------------------------


@dataclass(frozen=True)
class PromiseInput:
    """What a monitor types in to record a promise (plain values; validated by the service)."""

    deputy_id: int
    title: str
    statement: str
    made_on: date | None
    source_url: str
    topic: str | int | None
    level: str
    quotation: str | None = None


def record_promise(
    actor: User | None, data: PromiseInput, *, confirm_distinct: bool = False, is_demo: bool = False
) -> Promise:
    """Record a promise, not yet rated.

    Raises ``Forbidden`` (not a monitor), ``NotFound`` (deputy), ``Invalid`` naming the field,
    ``DuplicateSuspected`` when the deputy has a promise with a similar title and
    ``confirm_distinct`` is false. Records ``promise.created``.
    """
    actor = _require_monitor(actor, _("record promises"))
    deputy = get_or_raise(Deputy, data.deputy_id, _("No such deputy."))
    title = _text(data.title, "title", _("Title"), limit=MAX_TITLE)
    statement = _text(data.statement, "statement", _("The promise as stated"))
    made_on = _date(data.made_on, "made_on")
    source_url = clean_url(data.source_url, "source_url")
    quotation = _text(data.quotation, "quotation", _("Quotation"), required=False)
    topic = _topic(data.topic)
    level = _enum(PromiseLevel, data.level, "level", _("level"))
    if not confirm_distinct:
        candidates = find_similar_promises(deputy.id, title)
        if candidates:
            raise DuplicateSuspected(
                _(
                    "This deputy already has a similar promise: %(title)s. Add your source to it, or confirm "
                    "that yours is a different promise.",
                    title=candidates[0][0].title,
                ),
                candidates,
            )
    promise = Promise(
        deputy_id=deputy.id,
        title=title,
        statement=statement,
        made_on=made_on,
        source_url=source_url,
        quotation=quotation,
        topic=topic,
        level=level,
        status=PromiseStatus.NOT_YET_RATED,
        created_by_id=actor.id,
        organization_id=actor.organization_id,
        distinct_confirmed=confirm_distinct,
        is_demo=is_demo,
    )
    db.session.add(promise)
    db.session.flush()
    _event("promise.created", promise, actor)
    return promise


def add_source_to_promise(
    actor: User | None,
    promise_id: int,
    *,
    url: str,
    quotation: str | None = None,
    note: str | None = None,
) -> PromiseSource:
    """Add a source to an existing promise (the merge offered instead of recording a duplicate)."""
    actor = _require_monitor(actor, _("add sources"))
    promise = _promise_for_update(promise_id)
    url = clean_url(url, "source_url")
    quotation = _text(quotation, "quotation", _("Quotation"), required=False)
    note = _text(note, "note", _("Note"), required=False, limit=500)
    if url == promise.source_url or any(s.url == url for s in promise.sources):
        raise Conflict(_("This promise already cites that source."), field="source_url")
    source = PromiseSource(
        promise=promise, url=url, quotation=quotation, note=note, added_by_id=actor.id
    )
    db.session.add(source)
    db.session.flush()
    return source


def merge_promises(actor: User | None, duplicate_id: int, target_id: int, reason: str) -> Promise:
    """Fold ``duplicate`` into ``target`` (same deputy): its sources move over, it leaves the lists.

    Its history, revisions and disputes stay on it (its page says where it went), and the merge
    is written to the corrections log. Returns the target.
    """
    actor = _require_monitor(actor, _("merge promises"))
    reason = _text(reason, "reason", _("Reason"))
    if duplicate_id == target_id:
        raise Invalid(_("A promise cannot be merged into itself."), field="target")
    duplicate = _promise_for_update(duplicate_id)
    target = _promise_for_update(target_id)
    if duplicate.deputy_id != target.deputy_id:
        raise Invalid(_("Only promises of the same deputy can be merged."), field="target")
    known = {target.source_url, *(s.url for s in target.sources)}
    for url, quotation in [
        (duplicate.source_url, duplicate.quotation),
        *((s.url, s.quotation) for s in duplicate.sources),
    ]:
        if url not in known:
            known.add(url)
            db.session.add(
                PromiseSource(
                    promise=target,
                    url=url,
                    quotation=quotation,
                    added_by_id=actor.id,
                    note=_("from merged promise #%(id)d", id=duplicate.id),
                )
            )
    duplicate.merged_into_id = target.id
    db.session.add(
        Correction(
            promise_id=duplicate.id,
            kind=CorrectionKind.MERGE,
            made_by_id=actor.id,
            organization_id=actor.organization_id,
            summary=reason,
            details={"merged_into_id": target.id, "title": duplicate.title},
        )
    )
    db.session.flush()
    return target


def edit_promise(
    actor: User | None, promise_id: int, *, title: str, statement: str, reason: str
) -> PromiseRevision:
    """Change a promise's title and/or statement; the old wording is kept as a revision.

    ``reason`` is required and shown in the corrections log. ``Invalid`` when nothing changed.
    """
    actor = _require_monitor(actor, _("edit promises"))
    promise = _promise_for_update(promise_id)
    title = _text(title, "title", _("Title"), limit=MAX_TITLE)
    statement = _text(statement, "statement", _("The promise as stated"))
    reason = _text(reason, "reason", _("Reason for the edit"))
    if title == promise.title and statement == promise.statement:
        raise Invalid(_("Nothing changed: edit the title or the statement."), field="title")
    revision = PromiseRevision(
        promise=promise,
        old_title=promise.title,
        new_title=title,
        old_statement=promise.statement,
        new_statement=statement,
        reason=reason,
        editor_id=actor.id,
        organization_id=actor.organization_id,
    )
    promise.title, promise.statement = title, statement
    db.session.add(revision)
    db.session.flush()
    db.session.add(
        Correction(
            promise_id=promise.id,
            kind=CorrectionKind.WORDING,
            summary=reason,
            revision_id=revision.id,
            made_by_id=actor.id,
            organization_id=actor.organization_id,
        )
    )
    db.session.flush()
    return revision


# --- rating ----------------------------------------------------------------------------------


def current_rating(promise: Promise) -> PromiseStatusChange | None:
    """The latest history entry (the rating now shown), or None while not yet rated."""
    return promise.history[-1] if promise.history else None


def change_status(
    actor: User | None,
    promise_id: int,
    *,
    status: str,
    changed_on: date | None,
    explanation: str,
    evidence: list[str] | str | None,
    broken_reason: str | None = None,
    corrects: bool = False,
) -> PromiseStatusChange:
    """Rate a promise: a new history entry with date, explanation and at least one evidence link.

    ``status`` must be one of ``PROMISE_STATUSES``; ``broken_reason`` is required for ``broken``
    and refused otherwise. ``corrects=True`` marks the entry as replacing the current rating
    because it was wrong (it goes to the corrections log); otherwise it records progress.
    Raises ``Forbidden`` for non-monitors and ``Invalid`` naming the field; nothing is written
    then. Records ``promise.status_changed`` (payload has ``deputy_id``).
    """
    actor = _require_monitor(actor, _("rate promises"))
    promise = _promise_for_update(promise_id)
    return _apply_status(
        actor,
        promise,
        status=status,
        changed_on=changed_on,
        explanation=explanation,
        evidence=evidence,
        broken_reason=broken_reason,
        corrects=corrects,
    )


def _apply_status(
    actor: User,
    promise: Promise,
    *,
    status,
    changed_on,
    explanation,
    evidence,
    broken_reason,
    corrects: bool,
    replaces: PromiseStatusChange | None = None,
) -> PromiseStatusChange:
    status = _enum(PromiseStatus, status, "status", _("status"))
    reason = None
    if status == PromiseStatus.BROKEN:
        if not broken_reason:
            raise Invalid(_("A broken promise needs a reason."), field="broken_reason")
        reason = _enum(BrokenReason, broken_reason, "broken_reason", _("reason"))
    elif broken_reason:
        raise Invalid(
            _("Only a broken promise has a reason for being broken."), field="broken_reason"
        )
    changed_on = _date(changed_on, "changed_on", not_before=promise.made_on)
    explanation = _text(explanation, "explanation", _("Explanation"))
    evidence = clean_evidence(evidence)
    previous = replaces or current_rating(promise)
    if corrects and previous is None:
        raise Invalid(_("There is no earlier rating to correct."), field="corrects")
    if status == promise.status and reason == promise.broken_reason and not corrects:
        raise Invalid(_("The promise already has this status."), field="status")
    change = PromiseStatusChange(
        promise=promise,
        status=status,
        previous_status=promise.status,
        broken_reason=reason,
        changed_on=changed_on,
        explanation=explanation,
        evidence=evidence,
        monitor_id=actor.id,
        organization_id=actor.organization_id,
        corrects_id=previous.id if corrects and previous else None,
    )
    db.session.add(change)
    promise.status, promise.broken_reason, promise.status_changed_at = status, reason, utcnow()
    db.session.flush()
    if corrects:
        db.session.add(
            Correction(
                promise_id=promise.id,
                kind=CorrectionKind.RATING,
                status_change_id=change.id,
                summary=explanation,
                made_by_id=actor.id,
                organization_id=actor.organization_id,
                details={
                    "from": change.previous_status.value,
                    "to": status.value,
                    "corrects_id": previous.id,
                },
            )
        )
        db.session.flush()
    _event(
        "promise.status_changed",
        promise,
        actor,
        status=status.value,
        previous_status=change.previous_status.value,
        broken_reason=reason.value if reason else None,
        status_change_id=change.id,
        correction=corrects,
    )
    return change


# --- disputes --------------------------------------------------------------------------------


def raise_dispute(
    actor: User | None, promise_id: int, *, reason: str, evidence: list[str] | str | None
) -> Dispute:
    """Dispute the promise's current rating with a reason and at least one evidence link.

    Any monitor may dispute (their own organization's rating too). One open dispute per
    organization and rating (``Conflict``). Records ``promise.disputed``.
    """
    actor = _require_monitor(actor, _("dispute ratings"))
    promise = _promise_for_update(promise_id)
    rating = current_rating(promise)
    if rating is None:
        raise Conflict(_("This promise is not rated yet; there is no rating to dispute."))
    reason = _text(reason, "reason", _("Reason"))
    evidence = clean_evidence(evidence)
    already = db.session.scalar(
        sa.select(Dispute).where(
            Dispute.status_change_id == rating.id,
            Dispute.state == DisputeState.OPEN,
            Dispute.raised_by_organization_id == actor.organization_id,
        )
    )
    if already is not None:
        raise Conflict(
            _("Your organization already disputes this rating (dispute #%(id)d).", id=already.id)
        )
    dispute = Dispute(
        promise=promise,
        status_change_id=rating.id,
        reason=reason,
        evidence=evidence,
        raised_by_id=actor.id,
        raised_by_organization_id=actor.organization_id,
    )
    db.session.add(dispute)
    db.session.flush()
    _event("promise.disputed", promise, actor, dispute_id=dispute.id, status=rating.status.value)
    return dispute


def get_dispute(dispute_id: int) -> Dispute:
    dispute = get_or_raise(Dispute, dispute_id, _("No such dispute."))
    return dispute


@dataclass(frozen=True)
class CorrectedRating:
    """The rating that replaces a disputed one when a dispute is resolved as corrected."""

    status: str
    changed_on: date | None
    evidence: list[str] | str | None
    broken_reason: str | None = None


def resolve_dispute(
    actor: User | None,
    dispute_id: int,
    *,
    resolution: str,
    corrected: CorrectedRating | None = None,
) -> Dispute:
    """Close a dispute. Only a monitor of another organization than the one that gave the rating.

    Without ``corrected`` the rating stands (state ``upheld``); with it, a corrected rating is
    added to the history (explained by ``resolution``) and logged as a correction (state
    ``corrected``). Raises ``Forbidden`` (same organization as the rater, not a monitor),
    ``Conflict`` (already resolved), ``Invalid``. Records ``promise.dispute_resolved``.
    """
    actor = _require_monitor(actor, _("resolve disputes"))
    dispute = get_dispute(dispute_id)
    promise = _promise_for_update(dispute.promise_id)
    db.session.refresh(dispute, with_for_update=True)
    if dispute.state != DisputeState.OPEN:
        raise Conflict(_("This dispute is already resolved."))
    rater_org = dispute.status_change.organization_id
    if rater_org is not None and rater_org == actor.organization_id:
        raise Forbidden(
            _(
                "A dispute must be resolved by a monitor of another organization than the one "
                "that gave the rating."
            )
        )
    resolution = _text(resolution, "resolution", _("Resolution"))
    if corrected is not None:
        change = _apply_status(
            actor,
            promise,
            status=corrected.status,
            changed_on=corrected.changed_on,
            explanation=resolution,
            evidence=corrected.evidence,
            broken_reason=corrected.broken_reason,
            corrects=True,
            replaces=dispute.status_change,
        )
        dispute.correction_change_id = change.id
        dispute.state = DisputeState.CORRECTED
    else:
        dispute.state = DisputeState.UPHELD
    dispute.resolution = resolution
    dispute.resolved_by_id = actor.id
    dispute.resolved_by_organization_id = actor.organization_id
    dispute.resolved_at = utcnow()
    db.session.flush()
    _event(
        "promise.dispute_resolved",
        promise,
        actor,
        dispute_id=dispute.id,
        outcome=dispute.state.value,
    )
    return dispute
