"""The deputy's answer to a petition's grounds, where the rule provides one.

California EC 11023: the officer may file an answer of up to 200 words within 7 days of the
notice of intention, and it is printed with the petition. Here the rule says how many words
(``deputy_answer_max_words``) and how many days after the petition's submission to the commission
(``deputy_answer_days``); a commissioner of the petition's body records the answer the deputy
filed (deputies have no accounts). Recording is audited; the answer shows beside the grounds on
the petition page, in the API and on the printed sheets.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask_babel import gettext as _

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.i18n import format_day
from recall.models import Petition, User
from recall.models.base import utcnow
from recall.models.petition import FINAL_STATES
from recall.services.audit import append_audit
from recall.services.outbox import record_event
from recall.services.petitions.lifecycle import lock_petition

_WORD = re.compile(r"\S+")


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of non-space characters."""
    return len(_WORD.findall(text or ""))


def answer_deadline(petition: Petition) -> datetime | None:
    """The last moment an answer may be recorded, or None (no answer under the rule, or the
    petition not yet submitted)."""
    rule = petition.rule_version.to_rule()
    if not rule.deputy_may_answer or petition.submitted_at is None:
        return None
    return petition.submitted_at + timedelta(days=rule.deputy_answer_days)


def may_record_answer(actor: User | None, petition: Petition) -> bool:
    """The answer is the deputy's (California EC 11023): filed through their own deputy account,
    or recorded from their written answer by a commissioner of the petition's body."""
    if actor is None:
        return False
    own = actor.deputy_id is not None and actor.deputy_id == petition.deputy_id
    return own or actor.is_commissioner_of(petition.body_id)


def answer_filed_by_deputy(petition: Petition) -> bool:
    """Was the recorded answer filed by the deputy's own account (not entered by the commission)?"""
    recorder = petition.deputy_answer_by_id and db.session.get(User, petition.deputy_answer_by_id)
    return bool(recorder) and recorder.deputy_id == petition.deputy_id


def record_deputy_answer(
    actor: User, petition_id: int, text: str | None, *, now: datetime | None = None
) -> Petition:
    """Record (or, within the time limit, correct) the deputy's answer to ``petition_id``'s grounds.

    Raises ``NotFound``; ``Forbidden`` unless :func:`may_record_answer`;
    ``Conflict`` when the rule provides no answer, the petition is not submitted yet or is final,
    or the time limit (``deputy_answer_days`` after submission) has passed; ``Invalid`` (field
    ``answer``) for an empty answer or one over ``deputy_answer_max_words`` words. Appends an
    audit entry and records ``petition.deputy_answered``. Flushes.
    """
    now = now or utcnow()
    petition = lock_petition(petition_id)
    if not may_record_answer(actor, petition):
        raise Forbidden(
            _(
                "Only the deputy's own account or a commissioner of %(body)s may record the "
                "deputy's answer.",
                body=petition.body.name,
            )
        )
    rule = petition.rule_version.to_rule()
    if not rule.deputy_may_answer:
        raise Conflict(
            _("The rule of this petition does not provide for an answer by the deputy."),
            field="answer",
        )
    deadline = answer_deadline(petition)
    if deadline is None or petition.state in FINAL_STATES:
        raise Conflict(
            _("An answer can be recorded once the petition is submitted, until it is decided."),
            field="answer",
        )
    if now > deadline:
        raise Conflict(
            _(
                "The time for the deputy's answer ended on %(date)s (%(days)d days after the "
                "petition was submitted).",
                date=format_day(deadline),
                days=rule.deputy_answer_days,
            ),
            field="answer",
        )
    text = (text or "").strip()
    if not text:
        raise Invalid(_("Enter the deputy's answer."), field="answer")
    words = count_words(text)
    if words > rule.deputy_answer_max_words:
        raise Invalid(
            _(
                "The answer may have at most %(max)d words; this one has %(n)d.",
                max=rule.deputy_answer_max_words,
                n=words,
            ),
            field="answer",
        )
    corrected = petition.deputy_answer is not None
    petition.deputy_answer = text
    petition.deputy_answer_at = now
    petition.deputy_answer_by_id = actor.id
    db.session.flush()
    append_audit(
        "petition.deputy_answer",
        actor.id,
        "petition",
        petition.id,
        body_id=petition.body_id,
        payload={"words": words, "corrected": corrected},
    )
    record_event(
        "petition.deputy_answered",
        "petition",
        petition.id,
        {"petition_id": petition.id, "words": words},
        actor.id,
    )
    return petition
