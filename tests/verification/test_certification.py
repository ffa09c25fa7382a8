"""Two-person certification, the recall vote, and the privacy purge."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from recall.errors import Conflict, Forbidden, Invalid
from recall.extensions import db
from recall.i18n import format_day
from recall.models import (
    AuditEntry,
    Deputy,
    DeputyStatus,
    Event,
    MisuseReport,
    Petition,
    PetitionState,
    Signature,
)
from recall.models.base import utcnow
from recall.services.verification import certification, checks, privacy, report, review
from tests import factories


@pytest.fixture
def verified(world, tmp_path):
    """A petition with 3 valid signatures (3 required) and one invalid, checks run."""
    people = [(factories.iin(date(1970 + i, 1, 1)), f"Voter {i}") for i in range(4)]
    factories.load_roll(
        world.body,
        tmp_path / "roll.csv",
        [(iin, name, 1 if i < 3 else 2, "Street") for i, (iin, name) in enumerate(people)],
    )
    for iin, name in people:
        factories.signature(world.petition, iin, name)
    from recall.services.signing import counting

    counting.recount(world.petition.id)
    checks.run_checks(world.commissioner, world.petition.id)
    db.session.commit()
    world.people = people
    return world


def _events(kind):
    return list(db.session.scalars(sa.select(Event).where(Event.kind == kind)))


def test_two_person_certification(verified):
    w = verified
    rep = report.report(w.commissioner, w.petition.id)
    assert (rep.raw, rep.valid, rep.invalid, rep.invalid_by_reason, rep.outcome) == (
        4,
        3,
        1,
        {"other_district": 1},
        "qualified",
    )
    with pytest.raises(Invalid) as exc:
        certification.propose_certification(w.commissioner, w.petition.id, "failed")
    assert exc.value.field == "outcome"
    proposal = certification.propose_certification(
        w.commissioner, w.petition.id, "qualified", "All checked"
    )
    db.session.commit()
    with pytest.raises(Conflict):
        certification.confirm_certification(w.commissioner, proposal.id)
    with pytest.raises(Forbidden):
        certification.confirm_certification(w.outsider, proposal.id)
    db.session.rollback()
    assert db.session.get(Petition, w.petition.id).state == PetitionState.UNDER_VERIFICATION
    certification.confirm_certification(w.commissioner2, proposal.id)
    db.session.commit()
    assert db.session.get(Petition, w.petition.id).state == PetitionState.QUALIFIED
    [event] = _events("petition.certified")
    assert event.payload["outcome"] == "qualified"
    actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions[-2:] == ["certification.proposed", "certification.confirmed"]


def test_numbers_changed_after_proposal(verified):
    w = verified
    proposal = certification.propose_certification(w.commissioner, w.petition.id)
    db.session.commit()
    misuse = review.report_misuse(w.petition.id, w.people[0][0], "me@example.org", "Not me")
    db.session.commit()
    sig = db.session.get(Signature, misuse.signature_id)
    assert (sig.full_name, sig.check_status.value, sig.reason_code) == (
        "Voter 0",
        "review",
        "misuse_reported",
    )
    assert [e.subject_id for e in _events("misuse_report.received")] == [misuse.id]
    with pytest.raises(Conflict):
        certification.confirm_certification(w.commissioner2, proposal.id)


def _certify(w, outcome="qualified"):
    proposal = certification.propose_certification(w.commissioner, w.petition.id, outcome)
    certification.confirm_certification(w.commissioner2, proposal.id)
    db.session.commit()


@pytest.mark.parametrize(
    "turnout,yes,recalled,reason",
    [
        (4, 3, True, "recalled"),  # 4 of 10 took part (>= 1/3), 3 of 4 for recall
        (4, 2, False, "yes_not_above_share_of_turnout"),
        (3, 3, False, "turnout_below_quorum"),  # 3 < 10/3
    ],
)
def test_recall_vote(verified, turnout, yes, recalled, reason):
    w = verified
    _certify(w)
    with pytest.raises(Invalid) as exc:
        certification.record_vote(
            w.commissioner, w.petition.id, registered=10, turnout=11, yes=1, no=1
        )
    assert exc.value.field == "turnout"
    result = certification.record_vote(
        w.commissioner, w.petition.id, registered=10, turnout=turnout, yes=yes, no=turnout - yes
    )
    db.session.commit()
    assert (result.recalled, result.reason) == (recalled, reason)
    petition = db.session.get(Petition, w.petition.id)
    assert petition.state == (PetitionState.RECALLED if recalled else PetitionState.NOT_RECALLED)
    assert db.session.get(Deputy, w.deputy.id).status == (
        DeputyStatus.RECALLED if recalled else DeputyStatus.SERVING
    )
    from recall.services.signing.counting import local_day

    ended = db.session.get(Deputy, w.deputy.id).term_end == local_day(utcnow())
    assert ended is recalled
    [event] = _events("petition.vote_recorded")
    assert event.payload["recalled"] is recalled
    assert event.payload["failed_conditions"] == ([] if recalled else [reason])


def test_purge(verified, app):
    w = verified
    _certify(w)
    certification.record_vote(w.commissioner, w.petition.id, registered=10, turnout=4, yes=3, no=1)
    db.session.commit()
    report = MisuseReport(
        petition_id=w.petition.id,
        iin_hash="x" * 64,
        email="r@example.org",
        message="not me",
    )
    db.session.add(report)
    db.session.commit()
    days = app.config["PRIVACY_PURGE_DAYS"]
    assert privacy.petitions_due(utcnow() + timedelta(days=days - 1)) == []
    result = privacy.purge_personal_data(None, utcnow() + timedelta(days=days + 1))
    db.session.commit()
    assert (result.petition_ids, result.signatures, result.misuse_reports) == (
        [w.petition.id],
        4,
        1,
    )
    sigs = list(db.session.scalars(sa.select(Signature)))
    assert {(s.full_name, s.email, s.birth_date) for s in sigs} == {("(purged)", None, None)}
    assert all(s.purged_at is not None for s in sigs)
    assert sorted(s.check_status.value for s in sigs) == ["invalid", "valid", "valid", "valid"]
    assert db.session.get(MisuseReport, report.id).email is None
    assert (
        db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.seq.desc())).first()
        == "privacy.purge"
    )
    assert privacy.petitions_due(utcnow() + timedelta(days=days + 2)) == []


def test_two_confirmations_at_once_certify_once(verified, app, make):
    """This session read the proposal unconfirmed; another commissioner then confirmed it: refused here."""
    import threading

    from recall.models import CertificationProposal, Role, User

    w = verified
    third = make.user(role=Role.COMMISSIONER, commission_body=w.body)
    proposal = certification.propose_certification(w.commissioner, w.petition.id)
    db.session.commit()
    assert (
        db.session.get(CertificationProposal, proposal.id).confirmed_at is None
    )  # now in this session
    assert db.session.get(Petition, w.petition.id).state == PetitionState.UNDER_VERIFICATION
    errors = []

    def confirm_elsewhere():
        try:
            with app.app_context():
                certification.confirm_certification(
                    db.session.get(User, w.commissioner2.id), proposal.id
                )
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=confirm_elsewhere)
    thread.start()
    thread.join()
    assert errors == []
    with pytest.raises(Conflict):
        certification.confirm_certification(third, proposal.id)
    db.session.rollback()
    assert len(_events("petition.certified")) == 1
    assert db.session.get(CertificationProposal, proposal.id).confirmed_by_id == w.commissioner2.id


def test_privacy_purge_command(verified, app, runner):
    """`flask privacy purge` purges only petitions final for longer than PRIVACY_PURGE_DAYS; --dry-run writes nothing."""
    w = verified
    _certify(w, "qualified")
    certification.record_vote(w.commissioner, w.petition.id, registered=10, turnout=2, yes=2, no=0)
    db.session.commit()
    assert db.session.get(Petition, w.petition.id).state == PetitionState.NOT_RECALLED
    early = runner.invoke(args=["privacy", "purge"])
    assert early.exit_code == 0 and "Purged 0 signature(s) in 0 petition(s)" in early.output
    days = app.config["PRIVACY_PURGE_DAYS"]
    db.session.execute(
        sa.update(Petition)
        .where(Petition.id == w.petition.id)
        .values(final_state_at=utcnow() - timedelta(days=days, minutes=1))
    )
    db.session.commit()
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0 and f"1 petition(s) due: {w.petition.id}" in dry.output
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(Signature.purged_at.is_not(None))
        )
        == 0
    )
    done = runner.invoke(args=["privacy", "purge"])
    assert done.exit_code == 0 and "Purged 4 signature(s) in 1 petition(s)" in done.output
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(Signature.full_name))) == {"(purged)"}
    assert report.report(w.commissioner, w.petition.id).valid == 3  # counts and verdicts kept


def test_certification_reaches_initiators_deputy_and_followers(verified, make):
    """Confirming sends the outcome to the initiator, the deputy and the petition's followers (the outbox)."""
    from recall.models.notifications import Delivery
    from recall.notifications.rules import ensure_default_rules
    from recall.services.notifications.follows import follow

    w = verified
    ensure_default_rules()
    petition = db.session.get(Petition, w.petition.id)
    db.session.get(Deputy, w.deputy.id).contact_email = "deputy@example.org"
    follower = make.user()
    follow(follower, "petition", petition.id)
    db.session.commit()
    _certify(w)
    event = _events("petition.certified")[0]
    recipients = set(
        db.session.scalars(sa.select(Delivery.recipient).where(Delivery.event_id == event.id))
    )
    assert {petition.initiator.email, "deputy@example.org", follower.email} <= recipients


def test_petition_decided_rule_recalls_on_certification(verified, client):
    """UK: no vote; a certified successful petition ends the mandate on the certification day."""
    from recall.services.signing.counting import local_day
    from tests.factories import rule_version as make_rule_version

    w = verified
    w.petition.rule_version_id = make_rule_version("uk_recall_of_mps_2015").id
    db.session.commit()
    _certify(w)
    petition = db.session.get(Petition, w.petition.id)
    deputy = db.session.get(Deputy, w.deputy.id)
    assert petition.state == PetitionState.RECALLED and petition.final_state_at is not None
    assert deputy.status == DeputyStatus.RECALLED
    assert deputy.term_end == local_day(utcnow())
    [event] = _events("petition.certified")
    assert event.payload["recalled"] is True and event.payload["decided_by"] == "petition"
    assert (event.payload["from"], event.payload["to"]) == ("under_verification", "recalled")
    assert _events("petition.vote_recorded") == []
    with pytest.raises(Conflict):
        certification.record_vote(
            w.commissioner, w.petition.id, registered=10, turnout=4, yes=3, no=1
        )
    body = client.get(f"/api/v1/petitions/{w.petition.id}").get_json()
    assert body["state"] == "recalled"
    assert (body["rule"]["decided_by"], body["rule"]["vote_conditions"]) == ("petition", [])
    page = client.get(f"/deputies/{w.deputy.id}").get_data(as_text=True)
    assert "recalled" in page and format_day(deputy.term_end) in page


def test_petition_decided_rule_failing_petition_leaves_the_deputy(verified):
    from tests.factories import rule_version as make_rule_version

    w = verified
    w.petition.rule_version_id = make_rule_version("uk_recall_of_mps_2015").id
    w.petition.required_signatures = 4
    db.session.commit()
    _certify(w, "failed")
    assert db.session.get(Petition, w.petition.id).state == PetitionState.FAILED
    assert db.session.get(Deputy, w.deputy.id).status == DeputyStatus.SERVING
