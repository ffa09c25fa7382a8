"""Updates from the initiators of an appeal or a recall petition: moderated, one a week, sent
to the followers in their digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.models import Event, PetitionState, Role
from recall.models.appeal import AppealState, InitiatorUpdate, UpdateState
from recall.models.base import utcnow
from recall.models.notifications import Recipient
from recall.notifications.rules import ensure_default_rules, rules_for
from recall.services.appeals import updates

TEXT = "Paper sheets can be signed at the school on Saturday from 10 to 14."


def _count():
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(InitiatorUpdate)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Event)),
    )


def test_post_moderate_and_announce(app, make):
    appeal = make.appeal()
    moderator = make.user(role=Role.MODERATOR)
    ensure_default_rules()
    update = updates.post_update(appeal.author, "appeal", appeal.id, TEXT)
    assert update.state == UpdateState.PENDING
    assert updates.published_updates("appeal", appeal.id) == []
    assert updates.pending_updates(moderator) == [update]
    updates.publish_update(moderator, update.id)
    assert updates.published_updates("appeal", appeal.id) == [update]
    # The event of each update is for webhooks; followers get it in their digest
    # (test_update_digests.py), not in a mail of its own.
    assert db.session.scalar(sa.select(Event.kind).where(Event.subject_id == appeal.id)) == (
        "appeal.update_published"
    )
    assert [r.recipient for r in rules_for("appeal.update_published")] == [
        Recipient.ORGANIZATION_WEBHOOKS
    ]
    with pytest.raises(Conflict):
        updates.publish_update(moderator, update.id)


def test_one_a_week_and_a_rejected_one_does_not_count(app, make):
    appeal = make.appeal()
    moderator = make.user(role=Role.MODERATOR)
    now = utcnow()
    first = updates.post_update(appeal.author, "appeal", appeal.id, TEXT, now=now)
    db.session.commit()
    before = _count()
    with pytest.raises(Conflict):
        updates.post_update(appeal.author, "appeal", appeal.id, TEXT, now=now + timedelta(days=6))
    db.session.rollback()
    assert _count() == before
    with pytest.raises(Invalid):
        updates.reject_update(moderator, first.id, " ")
    db.session.rollback()
    updates.reject_update(moderator, first.id, "It names a neighbour's address.")
    again = updates.post_update(
        appeal.author, "appeal", appeal.id, TEXT, now=now + timedelta(days=1)
    )
    updates.publish_update(moderator, again.id)
    later = updates.post_update(
        appeal.author, "appeal", appeal.id, TEXT, now=now + timedelta(days=8, minutes=1)
    )
    assert later.state == UpdateState.PENDING


def test_refusals_write_nothing(app, make):
    appeal = make.appeal()
    draft = make.appeal(state=AppealState.DRAFT)
    petition = make.petition(state=PetitionState.COLLECTING)
    gathering = make.petition(state=PetitionState.GATHERING_GROUP)
    stranger, moderator = make.user(), make.user(role=Role.MODERATOR)
    db.session.commit()
    before = _count()
    cases = [
        (stranger, "appeal", appeal.id, TEXT, Forbidden),
        (draft.author, "appeal", draft.id, TEXT, Conflict),
        (appeal.author, "appeal", appeal.id, "short", Invalid),
        (gathering.initiator, "petition", gathering.id, TEXT, Conflict),
        (petition.initiator, "promise", petition.id, TEXT, Exception),
    ]
    for actor, kind, subject_id, text, error in cases:
        with pytest.raises(error):
            updates.post_update(actor, kind, subject_id, text)
        db.session.rollback()
    with pytest.raises(Forbidden):
        updates.pending_updates(stranger)
    assert _count() == before
    update = updates.post_update(petition.initiator, "petition", petition.id, TEXT)
    updates.publish_update(moderator, update.id)
    assert db.session.scalar(sa.select(Event.kind).where(Event.kind.like("%update%"))) == (
        "petition.update_published"
    )


def test_pages(app, client, make, login):
    petition = make.petition(state=PetitionState.COLLECTING)
    moderator = make.user(role=Role.MODERATOR)
    db.session.commit()
    login(petition.initiator)
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert "Post an update to the followers" in page
    posted = client.post(f"/updates/petition/{petition.id}/new", data={"text": TEXT})
    assert posted.status_code == 303
    mod = login(moderator, app.test_client())
    queue = mod.get("/appeals/moderation").get_data(as_text=True)
    assert "Paper sheets can be signed" in queue
    update = db.session.scalar(sa.select(InitiatorUpdate))
    assert mod.post(f"/updates/{update.id}/reject", data={"reason": ""}).status_code == 422
    assert mod.post(f"/updates/{update.id}/publish").status_code == 303
    shown = app.test_client().get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert "Paper sheets can be signed" in shown
