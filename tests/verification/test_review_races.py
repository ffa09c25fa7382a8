"""Review decisions: never two verdicts on one signature, misuse reports that survive a rerun of the checks."""

from __future__ import annotations

import threading

import pytest

from recall.errors import Conflict
from recall.extensions import db
from recall.models import AuditEntry, CheckStatus, MisuseReport, Signature, User
from recall.services.signing import counting
from recall.services.verification import checks, review
from tests import factories


def _decide_elsewhere(app, user_id: int, signature_id: int, **kwargs) -> list:
    """Decide in another thread (its own session and connection) and commit there."""
    errors = []

    def work():
        try:
            with app.app_context():
                review.decide(db.session.get(User, user_id), signature_id, **kwargs)
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported by the caller's assert
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return errors


def test_a_decision_committed_meanwhile_is_not_overwritten(app, reviewed):
    """This session read the signature while it was in review; another commissioner then decided it.

    Deciding again on the stale state must be refused, not silently replace the first verdict.
    """
    w = reviewed
    stale = db.session.get(Signature, w.odd.id)
    assert stale.check_status == CheckStatus.REVIEW  # in this session's identity map from now on
    assert (
        _decide_elsewhere(
            app, w.commissioner2.id, w.odd.id, accept=False, reason_code="signature_mismatch"
        )
        == []
    )
    with pytest.raises(Conflict):
        review.decide(w.commissioner, w.odd.id, accept=True)
    db.session.rollback()
    sig = db.session.get(Signature, w.odd.id)
    assert (sig.check_status, sig.reason_code, sig.decided_by_id) == (
        CheckStatus.INVALID,
        "signature_mismatch",
        w.commissioner2.id,
    )
    assert db.session.query(AuditEntry).filter_by(action="verification.decision").count() == 1


def test_misuse_report_stays_reviewed_after_a_rerun(reviewed):
    """A report on a valid signature sends it to review; running the checks again must not clear that."""
    w = reviewed
    report = review.report_misuse(w.petition.id, w.iins[0], "voter@example.org", "I never signed")
    db.session.commit()
    assert db.session.get(Signature, w.ok.id).check_status == CheckStatus.REVIEW
    checks.run_checks(w.commissioner, w.petition.id)
    db.session.commit()
    sig = db.session.get(Signature, w.ok.id)
    assert (sig.check_status, sig.reason_code) == (CheckStatus.REVIEW, "misuse_reported")
    assert [i.signature.id for i in review.review_queue(w.commissioner, w.petition.id)] == [
        w.ok.id,
        w.odd.id,
    ]
    # The commission invalidates it: the report is resolved, the count drops, a rerun keeps the verdict.
    review.decide(
        w.commissioner,
        w.ok.id,
        accept=False,
        reason_code="misuse_reported",
        note="Confirmed by phone",
    )
    db.session.commit()
    checks.run_checks(w.commissioner, w.petition.id)
    db.session.commit()
    sig = db.session.get(Signature, w.ok.id)
    assert (sig.check_status, sig.reason_code) == (CheckStatus.INVALID, "misuse_reported")
    assert db.session.get(MisuseReport, report.id).resolution == "signature_invalidated"
    assert (
        counting.confirmed_count(w.petition.id) == 1
    )  # only the one still in review (name differs)


def test_closed_report_does_not_hold_the_signature(reviewed):
    """Once a report is closed without a decision, a rerun judges the signature on the roll alone."""
    w = reviewed
    report = review.report_misuse(w.petition.id, w.iins[0], "voter@example.org", "")
    db.session.commit()
    review.close_misuse_report(
        w.commissioner, report.id, "Signed in person at the desk; the voter remembered."
    )
    db.session.commit()
    checks.run_checks(w.commissioner, w.petition.id)
    db.session.commit()
    assert db.session.get(Signature, w.ok.id).check_status == CheckStatus.VALID


def test_after_certification_verdicts_are_final(reviewed):
    """A misuse report on a certified petition reaches the commission but changes no verdict."""
    from recall.models import Petition, PetitionState
    from recall.services.verification import certification

    w = reviewed
    review.decide(w.commissioner, w.odd.id, accept=True, note="Same person")
    db.session.commit()
    proposal = certification.propose_certification(w.commissioner, w.petition.id)
    db.session.commit()
    certification.confirm_certification(w.commissioner2, proposal.id)
    db.session.commit()
    assert (
        db.session.get(Petition, w.petition.id).state == PetitionState.FAILED
    )  # 2 valid of 3 required
    report = review.report_misuse(w.petition.id, w.iins[0], "voter@example.org", "Not me")
    db.session.commit()
    assert (report.signature_id, db.session.get(Signature, w.ok.id).check_status) == (
        w.ok.id,
        CheckStatus.VALID,
    )
    assert [r.id for r in review.list_misuse_reports(w.commissioner)] == [report.id]
    # Even a signature put back in review by hand cannot be decided any more.
    db.session.get(Signature, w.ok.id).check_status = CheckStatus.REVIEW
    db.session.flush()
    with pytest.raises(Conflict):
        review.decide(w.commissioner, w.ok.id, accept=False, reason_code="misuse_reported")


def test_a_contested_iin_stays_in_review_after_a_rerun_until_decided(reviewed):
    """A later attempt on a confirmed signature (a contest claim) sends it to review; the checks keep
    it there (step 8) until a commissioner decides, and the decision resolves the contest."""
    w = reviewed
    assert db.session.get(Signature, w.ok.id).check_status == CheckStatus.VALID
    factories.signature_claim(w.ok, email="voter@example.org")
    db.session.commit()
    checks.run_checks(w.commissioner, w.petition.id)
    db.session.commit()
    sig = db.session.get(Signature, w.ok.id)
    assert (sig.check_status, sig.reason_code) == (CheckStatus.REVIEW, "contested_iin")
    [contest] = review.item_for(w.commissioner, w.ok.id).contests
    assert contest.email == "voter@example.org"
    review.decide(w.commissioner, w.ok.id, accept=True)
    db.session.commit()
    assert contest.resolved_at is not None
    checks.run_checks(w.commissioner, w.petition.id)
    db.session.commit()
    assert db.session.get(Signature, w.ok.id).check_status == CheckStatus.VALID
