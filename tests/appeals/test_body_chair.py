"""An appeal to a whole body notifies the body's chair (issue 15): the chair is data an
administrator sets with the body's appeal terms; the chair hears when the threshold is reached
or the answer is overdue, and the chair's deputy account publishes the answer."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.errors import Forbidden, Invalid
from recall.extensions import db
from recall.models import Event, Role
from recall.models.appeal import AppealState, BodyAppealSettings
from recall.models.audit import AuditEntry
from recall.models.base import utcnow
from recall.models.notifications import Channel, Recipient
from recall.notifications.recipients import resolve
from recall.services.appeals import lifecycle as appeals
from recall.services.appeals import terms
from recall.services.appeals.signing import reach_threshold

S = AppealState
ANSWER = "The council will hold the hearing on the road budget on 12 May in the district hall."
TERMS = {"open_months": "6", "response_days": "30", "threshold_count": "10"}


def _deputy_targets(appeal):
    event = db.session.scalar(
        sa.select(Event).where(
            Event.kind == "appeal.threshold_reached", Event.subject_id == appeal.id
        )
    )
    return [t.address for t in resolve(Recipient.DEPUTY, Channel.EMAIL, event, appeal)]


def test_an_admin_names_the_chair_and_the_chair_hears_and_answers(app, make):
    admin = make.user(role=Role.ADMIN)
    chair = make.deputy(contact_email="chair@maslikhat.kz")
    body = chair.body
    terms.set_body_terms(admin, body.id, **TERMS, chair_deputy_id=str(chair.id))
    assert terms.terms_form_data(body.id)["chair_deputy_id"] == chair.id
    audit = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert audit.payload["chair_deputy_id"] == chair.id

    appeal = make.appeal(body=body, state=S.OPEN, threshold=1)
    account = make.user(role=Role.DEPUTY, deputy_id=chair.id, email="chair-account@mail.kz")
    reach_threshold(appeal, utcnow())
    assert appeal.state == S.RESPONSE_DUE
    assert _deputy_targets(appeal) == ["chair@maslikhat.kz", "chair-account@mail.kz"]

    moderator = make.user(role=Role.MODERATOR)
    assert appeals.may_respond(account, appeal) and not appeals.may_respond(moderator, appeal)
    assert [a.id for a in appeals.appeals_to_answer(account)] == [appeal.id]
    assert appeal.id not in [a.id for a in appeals.appeals_to_answer(moderator)]
    with pytest.raises(Forbidden):
        appeals.respond_to_appeal(moderator, appeal.id, ANSWER, "Letter 1")
    appeals.respond_to_appeal(account, appeal.id, ANSWER)
    assert appeal.state == S.ANSWERED and appeal.responded_by_id == account.id


def test_without_a_chair_nobody_is_told_and_moderators_enter_the_answer(app, make):
    body = make.deputy().body
    appeal = make.appeal(body=body, state=S.OPEN, threshold=1)
    reach_threshold(appeal, utcnow())
    assert _deputy_targets(appeal) == []
    moderator = make.user(role=Role.MODERATOR)
    assert appeals.may_respond(moderator, appeal)
    assert appeal.id in [a.id for a in appeals.appeals_to_answer(moderator)]


def test_the_chair_must_serve_in_that_body_and_a_refusal_writes_nothing(app, make):
    admin = make.user(role=Role.ADMIN)
    member = make.deputy()
    stranger = make.deputy()  # a deputy of another body
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        terms.set_body_terms(admin, member.body_id, **TERMS, chair_deputy_id=stranger.id)
    assert refused.value.field == "chair_deputy_id"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BodyAppealSettings)) == 0


def test_the_terms_page_sets_the_chair(app, client, make, login):
    admin = make.user(role=Role.ADMIN)
    chair = make.deputy()
    db.session.commit()
    login(admin)
    page = client.get(f"/appeals/terms/{chair.body_id}")
    assert chair.full_name in page.text
    saved = client.post(
        f"/appeals/terms/{chair.body_id}", data={**TERMS, "chair_deputy_id": str(chair.id)}
    )
    assert saved.status_code in (302, 303)
    assert terms.body_chair(chair.body_id).id == chair.id


def test_a_single_deputy_hears_like_a_chair_at_the_contact_address_and_the_account(app, make):
    """The answering deputy hears at both addresses whether the appeal is to one deputy or to a
    body (issue 15: "the deputy (or, for a body, its chair) is notified")."""
    deputy = make.deputy(contact_email="Office@Deputy.kz")
    make.user(role=Role.DEPUTY, deputy_id=deputy.id, email="account@deputy.kz", locale="kk")
    appeal = make.appeal(deputy, state=S.OPEN, threshold=1)
    reach_threshold(appeal, utcnow())
    event = db.session.scalar(sa.select(Event).where(Event.kind == "appeal.threshold_reached"))
    targets = resolve(Recipient.DEPUTY, Channel.EMAIL, event, appeal)
    assert [(t.address, t.locale) for t in targets] == [
        ("office@deputy.kz", None),
        ("account@deputy.kz", "kk"),
    ]


@pytest.mark.parametrize(
    ("contact", "account", "heard"),
    [
        (None, "account@deputy.kz", ["account@deputy.kz"]),  # no contact address: the account
        ("same@deputy.kz", "same@deputy.kz", ["same@deputy.kz"]),  # one address, told once
        ("office@deputy.kz", None, ["office@deputy.kz"]),  # no account: the contact address
        (None, None, []),
    ],
)
def test_the_answering_deputy_is_told_once_at_each_address_it_has(
    app, make, contact, account, heard
):
    deputy = make.deputy(contact_email=contact)
    if account:
        make.user(role=Role.DEPUTY, deputy_id=deputy.id, email=account)
    for appeal in (make.appeal(deputy, threshold=1), _chaired_body_appeal(make, deputy)):
        reach_threshold(appeal, utcnow())
        assert _deputy_targets(appeal) == heard


def _chaired_body_appeal(make, chair):
    admin = make.user(role=Role.ADMIN)
    terms.set_body_terms(admin, chair.body_id, **TERMS, chair_deputy_id=str(chair.id))
    return make.appeal(body=chair.body, state=S.OPEN, threshold=1)


def test_a_recall_petitions_deputy_hears_at_the_contact_address_and_the_account(app, make):
    """The deputy account files the answer to a recall petition's grounds, so it hears of the
    petition as the contact address does (once where both are one address)."""
    deputy = make.deputy(contact_email="Office@Deputy.kz")
    make.user(role=Role.DEPUTY, deputy_id=deputy.id, email="account@deputy.kz", locale="ru")
    petition = make.petition(deputy)
    event = Event(kind="petition.submitted", subject_type="petition", subject_id=petition.id)
    targets = resolve(Recipient.DEPUTY, Channel.EMAIL, event, petition)
    assert [(t.address, t.locale) for t in targets] == [
        ("office@deputy.kz", None),
        ("account@deputy.kz", "ru"),
    ]
