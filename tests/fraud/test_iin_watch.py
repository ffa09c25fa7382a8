"""Voters watching over their own IIN (issue 18): proven by a digital signature, told whenever
the IIN appears on a petition online or on paper, with a one-click misuse report."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Event, IinWatch, MisuseReport, Role
from recall.notifications.recipients import resolve
from recall.services.sealing import open_payload
from recall.services.signing import counting, paper
from tests import factories
from tests.signing.conftest import payload, sign_url


def _watch(client, iin, key, cert, **changes):
    challenge = client.post("/api/v1/iin-watch/challenge").json["challenge"]
    body = {
        "iin": iin,
        "email": "voter@mail.kz",
        "challenge": challenge,
        "signature": factories.sign_challenge(key, challenge),
        "certificate": factories.certificate_pem(cert),
    } | changes
    return client.post("/api/v1/iin-watch", json=body)


def _appeared():
    return db.session.scalars(
        sa.select(Event).where(Event.kind == "iin_watch.appeared").order_by(Event.id)
    ).all()


def test_a_watched_iin_is_reported_online_and_on_paper_with_a_one_click_report(
    client, collecting_petition, ca
):
    iin = factories.iin(date(1980, 7, 7))
    key, cert = ca.issue(iin)
    assert _watch(client, iin, key, cert).status_code == 201
    watch = db.session.scalar(sa.select(IinWatch))
    assert watch.email == "voter@mail.kz" and iin not in watch.iin_hash

    # Someone signs online with the voter's IIN: the voter is told, and only about this IIN.
    petition = collecting_petition()
    client.post(sign_url(petition), json=payload(petition, email="other@mail.kz"))
    assert _appeared() == []
    assert client.post(sign_url(petition), json=payload(petition, iin=iin)).status_code == 202
    [event] = _appeared()
    assert event.payload["petition_id"] == petition.id and event.payload["channel"] == "online"
    assert [t.address for t in resolve("misuse_reporter", "email", event, watch)] == [
        "voter@mail.kz"
    ]

    # The link shows a button; pressing it files a misuse report and sends the signature to review.
    link = "/iin-watch/report/" + open_payload(event.payload)["report_url"].rsplit("/", 1)[1]
    assert client.get(link).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MisuseReport)) == 0
    assert client.post(link).status_code == 200
    report = db.session.scalar(sa.select(MisuseReport))
    assert (report.petition_id, report.email, report.iin_hash) == (
        petition.id,
        "voter@mail.kz",
        watch.iin_hash,
    )
    assert client.get("/iin-watch/report/forged").status_code == 422

    # On paper too.
    commissioner = factories.user(role=Role.COMMISSIONER, commission_body=petition.district.body)
    db.session.commit()
    line = paper.PaperLine(
        row=1,
        sheet=1,
        line=1,
        full_name="Aliya Kasymova",
        iin=iin,
        district_number=petition.district.number,
        # The local day (Asia/Almaty): the UTC date of opens_at is a day earlier after 19:00 UTC.
        signed_on=counting.local_day(petition.opens_at).isoformat(),
    )
    paper.add_paper_signatures(commissioner, petition.id, [line])
    db.session.commit()
    assert [e.payload["channel"] for e in _appeared()] == ["online", "paper"]


def test_only_a_proven_iin_can_be_watched(client, ca):
    iin, other = factories.iin(date(1981, 1, 1)), factories.iin(date(1982, 2, 2))
    key, cert = ca.issue(other)
    refused = _watch(client, iin, key, cert)
    assert refused.status_code == 422 and refused.json["error"]["field"] == "iin"
    bad_email = _watch(client, other, key, cert, email="nope")
    assert bad_email.status_code == 422 and bad_email.json["error"]["field"] == "email"
    # A petition's challenge cannot start a watch.
    forged = _watch(client, other, key, cert, challenge="recall petition signature\npetition: 1")
    assert forged.status_code == 422 and forged.json["error"]["field"] == "challenge"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IinWatch)) == 0
