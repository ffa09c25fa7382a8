"""Duplicates merged in moderation (issue 15's moderation rules): a moderator merges an appeal in
moderation into the open appeal on the same addressee it repeats; the duplicate is closed
unpublished with a link to the original, its author is told, and every refusal writes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid, NotFound
from recall.extensions import db
from recall.models import Event, Role
from recall.models.appeal import Appeal, AppealHistory, AppealState
from recall.models.audit import AuditEntry
from recall.notifications.rules import ensure_default_rules
from recall.services.appeals import lifecycle as appeals
from recall.services.appeals import queries
from tests.notifications.conftest import mail_config, smtp_server  # noqa: F401 (a fixture)

S = AppealState


@pytest.fixture
def app_config(smtp_server):
    return mail_config(smtp_server)


def _written():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (AppealHistory, Event, AuditEntry)
    ) + tuple(
        db.session.execute(
            sa.select(Appeal.id, Appeal.state, Appeal.merged_into_id).order_by(Appeal.id)
        ).all()
    )


def test_a_duplicate_in_moderation_is_merged_and_its_author_told(
    app,
    make,
    smtp_server,
):
    ensure_default_rules()
    moderator = make.user(role=Role.MODERATOR)
    original = make.appeal(threshold=5)
    duplicate = make.appeal(original.deputy, state=S.IN_MODERATION)
    assert appeals.merge_candidates(duplicate) == [original]
    appeals.merge_appeal(moderator, duplicate.id, str(original.id), "Same road, same school.")
    db.session.commit()

    assert (duplicate.state, duplicate.merged_into_id) == (S.CLOSED, original.id)
    assert duplicate.moderated_by_id == moderator.id and duplicate.opens_at is None
    [history] = duplicate.history
    assert (history.from_state, history.to_state, history.actor_id, history.reason) == (
        "in_moderation",
        "closed",
        moderator.id,
        "Same road, same school.",
    )
    event = db.session.scalar(sa.select(Event).where(Event.subject_id == duplicate.id))
    assert event.kind == "appeal.merged" and event.payload["merged_into_id"] == original.id
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "appeal.merged"))
    assert audit.payload == {"merged_into_id": original.id}
    # The duplicate was never published: its author and moderators see it, nobody else.
    assert queries.can_see(duplicate, duplicate.author)
    assert not queries.can_see(duplicate, None) and not queries.can_see(duplicate, make.user())
    listed = queries.list_appeals(queries.AppealFilters()).items
    assert [a.id for a in listed] == [original.id]
    assert appeals.merge_candidates(duplicate) == []  # no longer in moderation

    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == [duplicate.author.email]
    assert mail.message["Subject"].endswith(
        "Your appeal repeats an open one and was merged into it"
    )
    text = mail.message.get_payload()[0].get_payload(decode=True).decode()
    assert f"http://recall.test/appeals/{original.id}" in text and original.title in text


def test_the_page_of_a_merged_duplicate_links_to_the_original(app, client, make, login):
    moderator = make.user(role=Role.MODERATOR)
    original = make.appeal()
    duplicate = make.appeal(original.deputy, state=S.IN_MODERATION)
    db.session.commit()
    login(moderator)
    form = client.get(f"/appeals/{duplicate.id}").text
    assert f'action="/appeals/{duplicate.id}/merge"' in form and original.title in form
    answer = client.post(f"/appeals/{duplicate.id}/merge", data={"original_id": original.id})
    assert answer.status_code == 303
    page = client.get(f"/appeals/{duplicate.id}").text
    assert f'href="/appeals/{original.id}"' in page
    assert app.test_client().get(f"/appeals/{duplicate.id}").status_code == 404


def test_a_body_wide_duplicate_merges_only_into_a_body_wide_appeal(app, make):
    moderator = make.user(role=Role.MODERATOR)
    deputy = make.deputy()
    to_body = make.appeal(body=deputy.body)
    to_deputy = make.appeal(deputy)
    duplicate = make.appeal(body=deputy.body, state=S.IN_MODERATION)
    assert appeals.merge_candidates(duplicate) == [to_body]
    with pytest.raises(Invalid):
        appeals.merge_appeal(moderator, duplicate.id, to_deputy.id)
    appeals.merge_appeal(moderator, duplicate.id, to_body.id)
    assert duplicate.merged_into_id == to_body.id


def _refusal_cases():
    def other_addressee(make, duplicate):
        return make.appeal().id  # open, to another deputy

    def same_body_other_deputy(make, duplicate):
        return make.appeal(make.deputy(body=duplicate.body)).id

    def not_open(state):
        return lambda make, duplicate: make.appeal(duplicate.deputy, state=state).id

    def itself(make, duplicate):
        return duplicate.id

    return [
        pytest.param(other_addressee, S.IN_MODERATION, Invalid, id="different-addressee"),
        pytest.param(same_body_other_deputy, S.IN_MODERATION, Invalid, id="same-body-other"),
        pytest.param(not_open(S.CLOSED), S.IN_MODERATION, Conflict, id="original-closed"),
        pytest.param(not_open(S.ANSWERED), S.IN_MODERATION, Conflict, id="original-answered"),
        pytest.param(not_open(S.REJECTED), S.IN_MODERATION, Invalid, id="original-rejected"),
        pytest.param(not_open(S.IN_MODERATION), S.IN_MODERATION, Invalid, id="orig-unpublished"),
        pytest.param(itself, S.IN_MODERATION, Invalid, id="same-appeal"),
        pytest.param(lambda m, d: 10**9, S.IN_MODERATION, Invalid, id="no-such-original"),
        pytest.param(lambda m, d: "x", S.IN_MODERATION, Invalid, id="not-a-number"),
        pytest.param(not_open(S.OPEN), S.OPEN, Conflict, id="duplicate-already-open"),
        pytest.param(not_open(S.OPEN), S.DRAFT, Conflict, id="duplicate-a-draft"),
    ]


@pytest.mark.parametrize(("original_of", "state", "error"), _refusal_cases())
def test_refusals_write_nothing(app, make, original_of, state, error):
    moderator = make.user(role=Role.MODERATOR)
    duplicate = make.appeal(state=state)
    original_id = original_of(make, duplicate)
    db.session.commit()
    before = _written()
    with pytest.raises(error) as refused:
        appeals.merge_appeal(moderator, duplicate.id, original_id)
    assert refused.value.field == "original_id"
    db.session.rollback()
    assert _written() == before


def test_only_moderators_merge_and_a_missing_duplicate_is_not_found(app, make):
    original = make.appeal()
    duplicate = make.appeal(original.deputy, state=S.IN_MODERATION)
    db.session.commit()
    before = _written()
    for actor in (duplicate.author, make.user(role=Role.DEPUTY, deputy_id=original.deputy_id)):
        with pytest.raises(Forbidden):
            appeals.merge_appeal(actor, duplicate.id, original.id)
    with pytest.raises(NotFound):
        appeals.merge_appeal(make.user(role=Role.MODERATOR), 10**9, original.id)
    db.session.rollback()
    assert _written() == before
