"""Signing channels as rule data: a channel the rule does not allow is refused everywhere, saying
how to sign instead; the commission enters in-person, postal and proxy signatures with the
channel recorded; under the UK preset no online form is offered (page and API)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.errors import Invalid
from recall.extensions import db
from recall.models import Role, Signature, SignatureSource, SignatureStatus
from recall.models.base import utcnow
from recall.services.signing import channels, counting, paper
from recall.services.signing import online as signing
from tests import factories
from tests.signing.conftest import payload, sign_url, total_rows

UK = "uk_recall_of_mps_2015"


def _line(petition, row, **changes):
    values = {
        "row": row,
        "sheet": None,
        "line": None,
        "full_name": "John Smith",
        "iin": factories.iin(),
        "district_number": petition.district.number,
        "signed_on": counting.local_day(utcnow()).isoformat(),
    }
    values.update(changes)
    return paper.PaperLine(**values)


@pytest.fixture
def uk(make, collecting_petition):
    petition = collecting_petition(rule=UK, required=10)
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=petition.body)
    db.session.commit()
    return petition, commissioner


def test_online_signing_under_the_uk_rule_is_refused_with_how_to_sign(client, uk):
    petition, _ = uk
    before = total_rows()
    response = client.post(sign_url(petition), json=payload(petition))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == "channel"
    assert "does not allow signing online (e-mail confirmation)" in error["message"]
    assert "in person at a signing place of the election commission" in error["message"]
    assert "by post" in error["message"] and "by proxy" in error["message"]
    assert total_rows() == before


def test_the_uk_petition_offers_no_online_form(client, uk):
    petition, _ = uk
    for url in (f"/petitions/{petition.id}", f"/petitions/{petition.id}/sign"):
        html = client.get(url).get_data(as_text=True)
        assert "This petition cannot be signed online." in html, url
        assert 'name="iin"' not in html and "Sign the petition</a>" not in html, url
    # A form posted anyway (an old page) is refused and writes nothing.
    before = total_rows()
    response = client.post(f"/petitions/{petition.id}/sign", data=payload(petition))
    assert response.status_code in (400, 422)
    assert total_rows() == before
    data = client.get(f"/api/v1/petitions/{petition.id}").get_json()
    assert data["rule"]["signing_channels"] == ["in_person", "post", "proxy"]
    assert data["signing"]["online"] is False
    assert "by proxy" in data["signing"]["how_to_sign"]


def test_a_kazakh_petition_still_offers_the_online_form(client, collecting_petition):
    petition = collecting_petition()
    html = client.get(f"/petitions/{petition.id}/sign").get_data(as_text=True)
    assert 'name="iin"' in html
    data = client.get(f"/api/v1/petitions/{petition.id}").get_json()
    assert data["signing"]["online"] is True
    assert data["rule"]["signing_channels"] == ["online_email", "online_strong", "paper"]
    assert client.post(sign_url(petition), json=payload(petition)).status_code == 202
    assert db.session.scalar(sa.select(Signature.source)) == SignatureSource.ONLINE


@pytest.mark.parametrize("channel", ["in_person", "post", "proxy"])
def test_commission_enters_uk_signatures_with_the_channel_recorded(uk, channel):
    petition, commissioner = uk
    report = paper.add_paper_signatures(
        commissioner, petition.id, [_line(petition, 1), _line(petition, 2)], channel=channel
    )
    assert report.added == 2
    rows = db.session.scalars(sa.select(Signature).order_by(Signature.id)).all()
    assert [r.source for r in rows] == [SignatureSource(channel)] * 2
    assert all(r.status == SignatureStatus.CONFIRMED and r.paper_sheet is None for r in rows)
    assert channels.channel_of(rows[0].source, rows[0].identity_provider) == channel
    assert counting.confirmed_count(petition) == 2


def test_paper_sheets_are_refused_under_the_uk_rule(uk):
    petition, commissioner = uk
    before = total_rows()
    with pytest.raises(paper.PaperBatchInvalid) as exc:
        paper.add_paper_signatures(
            commissioner, petition.id, [_line(petition, 1, sheet=1, line=1)], channel="paper"
        )
    [problem] = exc.value.problems
    assert problem.field == "channel"
    assert "does not allow signing paper sheet" in problem.message
    assert "in person" in problem.message
    assert total_rows() == before


def test_a_line_names_its_own_channel_and_bad_ones_are_refused(uk):
    petition, commissioner = uk
    lines = [
        _line(petition, 1, channel="post"),
        _line(petition, 2, channel="online_email"),  # never entered by the commission
        _line(petition, 3, channel="fax"),
        _line(petition, 4, channel="proxy", sheet="3", line="4"),  # sheets are for paper
    ]
    report = paper.add_paper_signatures(
        commissioner, petition.id, lines, channel="in_person", skip_invalid=True
    )
    assert report.added == 1
    assert [(p.row, p.field) for p in report.skipped] == [
        (2, "channel"),
        (3, "channel"),
        (4, "sheet"),
    ]
    assert db.session.scalar(sa.select(Signature.source)) == SignatureSource.POST


def test_csv_channel_column(uk):
    petition, commissioner = uk
    day = counting.local_day(utcnow()).isoformat()
    number = petition.district.number
    csv = (
        "sheet,line,full_name,iin,district_number,signed_on,channel\n"
        f",,John Smith,{factories.iin()},{number},{day},proxy\n"
        f",,Mary Jones,{factories.iin()},{number},{day},\n"
    )
    report = paper.import_paper_csv(commissioner, petition.id, csv, channel="post")
    assert report.added == 2
    sources = db.session.scalars(sa.select(Signature.source).order_by(Signature.id)).all()
    assert sources == [SignatureSource.PROXY, SignatureSource.POST]


def test_entry_page_takes_the_channel(client, login, uk):
    petition, commissioner = uk
    login(commissioner)
    page = client.get(f"/petitions/{petition.id}/paper").get_data(as_text=True)
    assert 'value="in_person"' in page and "cannot" not in page
    day = counting.local_day(utcnow()).isoformat()
    form = {
        "batch-channel": "post",
        "batch-lines-0-full_name": "John Smith",
        "batch-lines-0-iin": factories.iin(),
        "batch-lines-0-district_number": str(petition.district.number),
        "batch-lines-0-signed_on": day,
    }
    response = client.post(f"/petitions/{petition.id}/paper", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Signature.source)) == SignatureSource.POST


def test_older_rule_data_keeps_online_and_paper(client, make, collecting_petition):
    # A rule version stored before channels existed (schema 2) still signs online and on paper.
    petition = collecting_petition()
    data = dict(petition.rule_version.data, schema_version=2)
    for name in ("signing_channels", "deputy_answer_max_words", "deputy_answer_days"):
        data.pop(name)
    petition.rule_version.data = data
    db.session.commit()
    assert channels.allowed_channels(petition) == ("online_email", "paper")
    assert client.post(sign_url(petition), json=payload(petition)).status_code == 202


def test_require_channel_names_the_ways(app):
    with pytest.raises(Invalid) as exc:
        channels.require_channel(("paper",), "online_strong")
    assert exc.value.field == "channel"
    assert "digital signature" in exc.value.message and "paper signature sheet" in exc.value.message
    with pytest.raises(Invalid):
        channels.require_channel(("paper",), "carrier_pigeon")
    channels.require_channel(("paper", "post"), "post")
    with pytest.raises(ValueError):
        signing.sign_petition(
            petition_id=1,
            full_name="x",
            iin="x",
            email="x",
            district_id=1,
            consent=True,
            channel="paper",
        )


STRONG_ONLY = ["online_strong", "paper"]
EMAIL_ONLY = ["online_email", "paper"]


def _strong_attempts(client, petition):
    """Both ways into digital-signature signing: the challenge and the signature itself."""
    url = f"/api/v1/petitions/{petition.id}"
    body = payload(petition) | {"challenge": "x", "signature": "x", "certificate": "x"}
    return [client.post(f"{url}/challenge"), client.post(f"{url}/signatures/strong", json=body)]


@pytest.mark.parametrize(
    ("allowed", "refused", "how"),
    [
        (STRONG_ONLY, "online (e-mail confirmation)", "online on this site with your digital"),
        (EMAIL_ONLY, "online (digital signature)", "confirmed by a link sent to your e-mail"),
    ],
)
def test_the_other_online_way_is_refused_saying_how_to_sign(
    client, collecting_petition, uk, allowed, refused, how
):
    petition = collecting_petition(rule_changes={"signing_channels": allowed})
    if allowed == STRONG_ONLY:
        responses = [client.post(sign_url(petition), json=payload(petition))]
    else:
        responses = _strong_attempts(client, petition)
    # The error of every channel refusal (the UK rule refusing online signing is one).
    uk_refusal = client.post(sign_url(uk[0]), json=payload(uk[0])).get_json()
    for response in responses:
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error.keys() == uk_refusal["error"].keys() and error["field"] == "channel"
        assert f"does not allow signing {refused}. This petition can be signed" in error["message"]
        assert how in error["message"] and "paper signature sheet" in error["message"]
    assert total_rows() == (0, 0)


def test_a_rule_version_stored_with_identity_providers_signs_as_it_did(client, collecting_petition):
    # A schema-3 row not yet rewritten by migration 0040: online_email, online_strong and paper
    # with only the digital signature as provider allowed online_strong and paper.
    petition = collecting_petition()
    data = dict(petition.rule_version.data, schema_version=3, identity_providers=["online_strong"])
    petition.rule_version.data = data
    db.session.commit()
    assert channels.allowed_channels(petition) == ("online_strong", "paper")
    # The API lists the merged channels; no field ever carried the providers.
    rule = client.get(f"/api/v1/petitions/{petition.id}").get_json()["rule"]
    assert rule["signing_channels"] == ["online_strong", "paper"]
    assert "identity_providers" not in rule
    response = client.post(sign_url(petition), json=payload(petition))
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "channel"
    challenge, strong = _strong_attempts(client, petition)
    assert challenge.status_code == 201  # the digital signature stays allowed
    assert strong.status_code == 422 and strong.get_json()["error"]["field"] != "channel"


def test_a_digital_signature_only_rule_offers_no_e_mail_form(client, collecting_petition):
    petition = collecting_petition(rule_changes={"signing_channels": STRONG_ONLY})
    certificate_page = f"/petitions/{petition.id}/sign/certificate"
    for url in (f"/petitions/{petition.id}", f"/petitions/{petition.id}/sign"):
        html = client.get(url).get_data(as_text=True)
        assert 'name="email"' not in html and certificate_page in html
    posted = client.post(f"/petitions/{petition.id}/sign", data=payload(petition, consent="y"))
    assert posted.status_code == 422
    assert "does not allow signing online (e-mail confirmation)" in posted.get_data(as_text=True)
    assert total_rows() == (0, 0)
    # With e-mail allowed too, the form is there and the digital signature is offered beside it.
    both = collecting_petition()
    html = client.get(f"/petitions/{both.id}/sign").get_data(as_text=True)
    assert 'name="email"' in html and f"/petitions/{both.id}/sign/certificate" in html
