"""Commission pages and API: access for another body's commissioner, the review flow, misuse reports."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import CheckStatus, MisuseReport, Signature, VoterRollEntry, VoterRollImport
from recall.services.signing import counting
from recall.services.verification import roll_lookup
from tests import factories

PREFIXES = ("commission.", "api.commission_")


def _csrf(client) -> str:
    """The session's CSRF token, read from a page (API calls with a session cookie need it)."""
    html = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _my_endpoints(app):
    return sorted(
        (rule.endpoint, rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(PREFIXES)
    )


def _fill(rule, world):
    """URL of a rule with ids that exist, so a 403 is about the body, not a missing row."""
    values = {}
    for arg in rule.arguments:
        values[arg] = {
            "petition_id": world.petition.id,
            "signature_id": world.odd.id,
            "import_id": world.import_id,
            "proposal_id": world.proposal_id,
            "report_id": world.report_id,
        }[arg]
    return _build(rule, values)


def _build(rule, values):
    from flask import url_for

    return url_for(rule.endpoint, **values)


def test_other_body_gets_403_everywhere(app, client, login, reviewed, make):
    w = reviewed
    from recall.services.verification import certification, review

    w.import_id = db.session.scalar(sa.select(VoterRollImport.id))
    misuse = review.report_misuse(w.petition.id, w.iins[0], "x@example.org", "not me")
    proposal = certification.CertificationProposal(
        petition_id=w.petition.id, outcome="qualified", numbers={}, proposed_by_id=w.commissioner.id
    )
    db.session.add(proposal)
    db.session.commit()
    w.proposal_id, w.report_id = proposal.id, misuse.id
    login(w.outsider)
    endpoints = _my_endpoints(app)
    assert len(endpoints) >= 25
    checked = []
    token = _csrf(client)
    with app.test_request_context():
        urls = [(endpoint, rule, _fill(rule, w)) for endpoint, rule in endpoints]
    for endpoint, rule, url in urls:
        if endpoint in (
            "commission.index",
            "commission.upload_roll",
            "commission.misuse_reports",
            "commission.audit_log",
        ):
            continue  # body-scoped lists: they show the outsider's own (empty) body, checked below
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(
                url,
                method=method,
                json={} if url.startswith("/api/") else None,
                data=None if url.startswith("/api/") else {"note": "x"},
                headers={"X-CSRFToken": token},
            )
            assert response.status_code == 403, (endpoint, method, url, response.status_code)
            checked.append(endpoint)
    assert len(set(checked)) == len(endpoints) - 4
    # The lists show only the outsider's body: none of this body's data.
    for endpoint in (
        "commission.index",
        "commission.upload_roll",
        "commission.misuse_reports",
        "commission.audit_log",
    ):
        with app.test_request_context():
            from flask import url_for

            url = url_for(endpoint)
        page = client.get(url)
        assert page.status_code == 200
        assert "Marat" not in page.text and "x@example.org" not in page.text
    # Nothing changed.
    db.session.expire_all()
    assert db.session.get(Signature, w.odd.id).check_status == CheckStatus.REVIEW


def test_citizen_gets_403_and_anonymous_login(client, login, reviewed, make):
    response = client.get(f"/commission/petitions/{reviewed.petition.id}")
    assert response.status_code == 302
    assert (
        client.get(f"/api/v1/commission/petitions/{reviewed.petition.id}/report").status_code == 401
    )
    citizen = make.user()
    db.session.commit()
    login(citizen)
    assert client.get(f"/commission/petitions/{reviewed.petition.id}").status_code == 403


def test_review_flow_on_the_page(client, login, reviewed):
    w = reviewed
    login(w.commissioner)
    page = client.get(f"/commission/petitions/{w.petition.id}/review/next")
    assert page.status_code == 200
    assert (
        "Marat Umarov" in page.text and "Marat Omarov" in page.text
    )  # signature beside the roll entry
    assert 'accesskey="a"' in page.text and 'accesskey="r"' in page.text
    # Rejecting without a reason: refused, nothing written.
    bad = client.post(
        f"/commission/signatures/{w.odd.id}/decision", data={"reject": "Reject", "reason_code": ""}
    )
    assert bad.status_code == 422 and "Choose the reason for the rejection." in bad.text
    db.session.expire_all()
    assert db.session.get(Signature, w.odd.id).check_status == CheckStatus.REVIEW
    done = client.post(
        f"/commission/signatures/{w.odd.id}/decision",
        data={"reject": "Reject", "reason_code": "signature_mismatch", "note": "Different person"},
    )
    assert done.status_code == 303
    db.session.expire_all()
    sig = db.session.get(Signature, w.odd.id)
    assert (sig.check_status, sig.reason_code, sig.decided_by_id, sig.decision_note) == (
        CheckStatus.INVALID,
        "signature_mismatch",
        w.commissioner.id,
        "Different person",
    )
    assert counting.confirmed_count(w.petition.id) == 1


def test_claims_keep_two_commissioners_apart(app, client, login, reviewed):
    w = reviewed
    from recall.errors import Conflict
    from recall.services.verification import review

    review.claim(w.commissioner, w.odd.id)
    db.session.commit()
    with pytest.raises(Conflict):
        review.claim(w.commissioner2, w.odd.id)
    db.session.rollback()
    assert review.claim_next(w.commissioner2, w.petition.id) is None
    login(w.commissioner2)
    headers = {"X-CSRFToken": _csrf(client)}
    response = client.post(
        f"/api/v1/commission/signatures/{w.odd.id}/decision",
        json={"decision": "accept"},
        headers=headers,
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    # An expired claim can be taken over.
    from datetime import timedelta

    from recall.models import ReviewClaim
    from recall.models.base import utcnow

    db.session.execute(sa.update(ReviewClaim).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = client.post(
        f"/api/v1/commission/signatures/{w.odd.id}/decision",
        json={"decision": "accept"},
        headers=headers,
    )
    assert response.status_code == 200 and response.json["check_status"] == "valid"


def test_api_report_and_checks(client, login, reviewed):
    w = reviewed
    login(w.commissioner)
    report = client.get(f"/api/v1/commission/petitions/{w.petition.id}/report")
    assert report.status_code == 200
    assert (
        report.json["raw"],
        report.json["valid"],
        report.json["review"],
        report.json["outcome"],
    ) == (2, 1, 1, "pending")
    headers = {"X-CSRFToken": _csrf(client)}
    run = client.post(f"/api/v1/commission/petitions/{w.petition.id}/checks", headers=headers)
    assert run.status_code == 200 and run.json["by_status"] == {"valid": 1, "review": 1}
    bad = client.post(
        f"/api/v1/commission/petitions/{w.petition.id}/vote",
        json={"registered": "ten"},
        headers=headers,
    )
    assert bad.status_code == 422 and bad.json["error"]["field"] == "registered"


def test_report_csv_and_print(client, login, reviewed):
    login(reviewed.commissioner)
    csv_text = client.get(f"/commission/petitions/{reviewed.petition.id}/report.csv").text
    assert "raw,2\r\n" in csv_text and "valid,1\r\n" in csv_text and "outcome,pending" in csv_text
    printable = client.get(f"/commission/petitions/{reviewed.petition.id}/report/print")
    assert printable.status_code == 200 and "/static/print.css" in printable.text
    page = client.get(f"/commission/petitions/{reviewed.petition.id}")
    assert page.status_code == 200 and "checks run against the roll" in page.text


def test_misuse_form_is_public_and_does_not_reveal(client, reviewed):
    from recall.notifications.rules import ensure_default_rules

    ensure_default_rules()  # the notification rules as a deployment seeds them
    db.session.commit()
    w = reviewed
    form = client.get(f"/report-misuse?petition={w.petition.id}")
    assert form.status_code == 200
    found = client.post(
        "/report-misuse",
        data={
            "petition": w.petition.id,
            "iin": w.iins[0],
            "email": "Voter@Example.org",
            "message": "I never signed",
        },
    )
    other = factories.iin(date(1990, 1, 1))
    not_found = client.post(
        "/report-misuse",
        data={"petition": w.petition.id, "iin": other, "email": "v2@example.org", "message": ""},
    )
    assert found.status_code == not_found.status_code == 200
    assert found.text.replace("voter@example.org", "") == not_found.text.replace(
        "v2@example.org", ""
    )
    reports = list(db.session.scalars(sa.select(MisuseReport).order_by(MisuseReport.id)))
    assert [(r.signature_id, r.email) for r in reports] == [
        (w.ok.id, "voter@example.org"),
        (None, "v2@example.org"),
    ]
    assert db.session.get(Signature, w.ok.id).check_status == CheckStatus.REVIEW
    bad = client.post(
        "/report-misuse",
        data={"petition": w.petition.id, "iin": "123456789012", "email": "v3@example.org"},
    )
    assert bad.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MisuseReport)) == 2
    assert "iin" in re.sub(r"\s+", " ", bad.text).lower()
    # The reporter is answered by e-mail (the notifications outbox picks up misuse_report.received).
    from recall.models.notifications import Delivery

    recipients = set(db.session.scalars(sa.select(Delivery.recipient)))
    assert {"voter@example.org", "v2@example.org"} <= recipients


def test_upload_page_processes_in_request(client, login, world, tmp_path):
    """Without REDIS_URL the upload is loaded inside the request; the import page shows the result."""
    rows = [
        (factories.iin(date(1975, 1, 1)), "Upload One", 1, "Street"),
        (factories.iin(date(1976, 1, 1)), "Upload Two", 2, "Street"),
    ]
    content = factories.write_roll(tmp_path / "up.csv", rows).read_bytes()
    login(world.commissioner)
    missing = client.post(
        "/commission/roll", data={"as_of": "2026-02-01"}, content_type="multipart/form-data"
    )
    assert missing.status_code == 422 and "Choose the CSV file." in missing.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoterRollImport)) == 0
    response = client.post(
        "/commission/roll",
        data={"as_of": "2026-02-01", "file": (io.BytesIO(content), "up.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    # Loaded, previewed, not in use until confirmed.
    assert page.status_code == 200 and "2 voters loaded" in page.text
    assert (
        "waiting for confirmation" in page.text
        and "Nothing of this roll is in use yet" in page.text
    )
    assert roll_lookup.active_import_id(world.body.id) is None
    confirm = response.headers["Location"] + "/confirm"
    done = client.post(confirm, follow_redirects=True)
    assert "The voter roll is in use." in done.text and "accepted" in done.text
    assert roll_lookup.active_import_id(world.body.id) is not None
    assert client.post(confirm).status_code == 422  # no longer waiting: nothing happens twice


def test_a_previewed_upload_can_be_discarded(client, login, world, tmp_path):
    """Discarding a preview deletes its entries and leaves the roll in use as it was."""
    rows = [(factories.iin(date(1970, 1, 1)), "Kept Out", 1, "Street")]
    content = factories.write_roll(tmp_path / "no.csv", rows).read_bytes()
    login(world.commissioner)
    response = client.post(
        "/commission/roll",
        data={"as_of": "2026-02-01", "mode": "partial", "file": (io.BytesIO(content), "no.csv")},
        content_type="multipart/form-data",
    )
    imp = db.session.scalars(sa.select(VoterRollImport)).one()
    before = [d.registered_voters for d in world.body.districts]
    gone = client.post(f"/commission/roll/{imp.id}/discard", follow_redirects=True)
    assert "The upload was discarded" in gone.text and "discarded" in gone.text
    db.session.expire_all()
    assert roll_lookup.active_import_id(world.body.id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoterRollEntry)) == 0
    assert [d.registered_voters for d in world.body.districts] == before
    assert client.post(response.headers["Location"] + "/confirm").status_code == 422
