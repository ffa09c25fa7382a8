"""Signing appeals: the recall signing's fields and answers, constituents and supporters, counts
per district, and the threshold crossing exactly once under concurrent confirmations."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.jobs.periodic import run_due
from recall.models import Event
from recall.models.appeal import (
    Appeal,
    AppealCountShard,
    AppealDistrictCount,
    AppealSignature,
    AppealSignatureClaim,
    AppealState,
)
from recall.models.base import utcnow
from recall.models.signature import SignatureStatus
from recall.services.appeals import signing as appeal_signing
from recall.services.sealing import open_payload
from tests import factories

S = AppealState
WORKERS = 12


def _body(make, district, **kwargs):
    values = {
        "full_name": "Aigerim Bekova",
        "iin": factories.iin(),
        "email": "aigerim@example.org",
        "district_id": district.id,
        "consent": True,
    }
    values.update(kwargs)
    return values


def _token(signature_id: int) -> str:
    event = db.session.scalar(
        sa.select(Event).where(
            Event.kind == "appeal_signature.confirmation_requested",
            Event.subject_id == signature_id,
        )
    )
    return open_payload(event.payload)["confirm_url"].rsplit("/", 1)[1]


def _sign_new(appeal_id: int, email: str, district_id: int):
    """A signature by a new signer (a fresh IIN), pending its e-mailed confirmation."""
    return appeal_signing.sign_appeal(
        appeal_id=appeal_id,
        full_name="Aigerim Bekova",
        iin=factories.iin(),
        email=email,
        district_id=district_id,
        consent=True,
    )


def _live(appeal) -> appeal_signing.Counts:
    """The appeal's counts as pages read them: the sums over its shards."""
    return appeal_signing.appeal_counts([appeal.id])[appeal.id]


def _written():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (AppealSignature, AppealSignatureClaim, Event)
    )


def test_sign_confirm_and_count_a_constituent_and_a_supporter(app, client, make):
    appeal = make.appeal(threshold=5)
    elsewhere = make.district()
    db.session.commit()
    first = client.post(
        f"/api/v1/appeals/{appeal.id}/signatures", json=_body(make, appeal.district)
    )
    assert first.status_code == 202 and set(first.json) == {"receipt"}
    other = client.post(
        f"/api/v1/appeals/{appeal.id}/signatures",
        json=_body(make, elsewhere, email="b@example.org"),
    )
    assert other.status_code == 202
    signatures = db.session.scalars(sa.select(AppealSignature).order_by(AppealSignature.id)).all()
    assert [s.is_constituent for s in signatures] == [True, False]
    assert all(s.status == SignatureStatus.PENDING for s in signatures)
    assert all(len(s.iin_hash) == 64 for s in signatures)  # never the IIN itself
    db.session.expire_all()
    assert _live(appeal).constituents == 0  # pending does not count
    for signature in signatures:
        page = client.get(f"/appeals/signatures/confirm/{_token(signature.id)}")
        assert page.status_code == 200
        assert client.post(f"/appeals/signatures/confirm/{_token(signature.id)}").status_code == 303
    db.session.expire_all()
    assert _live(appeal) == appeal_signing.Counts(constituents=1, supporters=1)
    counts = {
        row[0]: row[1]
        for row in db.session.execute(
            sa.select(AppealDistrictCount.district_id, AppealDistrictCount.confirmed)
        )
    }
    assert counts == {appeal.district_id: 1, elsewhere.id: 1}
    receipt = client.get(f"/api/v1/appeals/receipts/{first.json['receipt']}").json
    assert receipt["status"] == "confirmed" and receipt["appeal_id"] == appeal.id
    # Confirming again changes nothing.
    client.post(f"/appeals/signatures/confirm/{_token(signatures[0].id)}")
    db.session.expire_all()
    assert _live(appeal).constituents == 1


def _link(event: Event) -> str:
    return (
        "/appeals/signatures/confirm/"
        + open_payload(event.payload)["confirm_url"].rsplit("/", 1)[1]
    )


def _requests() -> list[Event]:
    return db.session.scalars(
        sa.select(Event)
        .where(Event.kind == "appeal_signature.confirmation_requested")
        .order_by(Event.id)
    ).all()


def _receipt(client, code) -> str:
    return client.get(f"/api/v1/appeals/receipts/{code}").json["status"]


def test_whoever_signs_first_does_not_own_the_iin(app, client, make):
    """A squatter signs with someone's IIN first: the real voter gets their own link, the first
    link followed wins, and the squatter's receipt answers the same before and after."""
    appeal = make.appeal()
    db.session.commit()
    body = _body(make, appeal.district, email="squatter@example.org")
    url = f"/api/v1/appeals/{appeal.id}/signatures"
    planted = client.post(url, json=body)
    assert _receipt(client, planted.json["receipt"]) == "pending"
    real = client.post(url, json=body | {"email": "voter@example.org", "full_name": "Real Voter"})
    assert (planted.status_code, real.status_code) == (202, 202)
    assert set(real.json) == {"receipt"} and real.json["receipt"] != planted.json["receipt"]
    squatter_mail, voter_mail = _requests()
    assert voter_mail.subject_type == "appeal_signature_claim"  # its own link, to its own address

    assert client.post(_link(voter_mail)).status_code == 303
    db.session.expire_all()
    signature = db.session.scalars(sa.select(AppealSignature)).one()
    db.session.refresh(signature)
    assert (signature.status, signature.email, signature.full_name) == (
        SignatureStatus.CONFIRMED,
        "voter@example.org",
        "Real Voter",
    )
    assert _live(appeal).constituents == 1
    refused = client.post(_link(squatter_mail))
    assert refused.status_code == 422 and "used first" in refused.text
    assert _receipt(client, planted.json["receipt"]) == "pending"  # the same as before
    assert _receipt(client, real.json["receipt"]) == "confirmed"
    assert _live(appeal).constituents == 1


def test_an_attempt_on_a_confirmed_signature_is_a_contest_and_mails_nobody(app, client, make):
    appeal = make.appeal()
    db.session.commit()
    body = _body(make, appeal.district)
    url = f"/api/v1/appeals/{appeal.id}/signatures"
    first = client.post(url, json=body)
    assert client.post(_link(_requests()[0])).status_code == 303
    before = len(_requests())
    again = client.post(url, json=body | {"email": "x@example.org"})
    assert again.status_code == 202 and set(again.json) == {"receipt"}
    assert len(_requests()) == before  # nobody is mailed
    claim = db.session.scalars(sa.select(AppealSignatureClaim)).one()
    assert claim.state.value == "contest"
    assert _receipt(client, again.json["receipt"]) == "pending"
    assert _receipt(client, first.json["receipt"]) == "confirmed"
    db.session.expire_all()
    assert _live(appeal).constituents == 1
    assert client.get("/api/v1/appeals/receipts/AAAA-BBBB-CCCC-DDDD").status_code == 404


def test_an_expired_signature_starts_afresh_and_its_old_receipt_still_answers(app, make):
    appeal = make.appeal()
    db.session.commit()
    values = _body(make, appeal.district)
    sign = {k: values[k] for k in ("full_name", "iin", "email", "district_id", "consent")}
    now = utcnow()
    old = appeal_signing.sign_appeal(appeal_id=appeal.id, now=now, **sign)
    later = now + timedelta(hours=100)
    new = appeal_signing.sign_appeal(appeal_id=appeal.id, now=later, **sign | {"email": "n@x.org"})
    db.session.commit()
    signature = db.session.scalars(sa.select(AppealSignature)).one()
    assert signature.status == SignatureStatus.PENDING and signature.email == "n@x.org"
    assert appeal_signing.lookup_receipt(old.receipt, now=later).status == "expired"
    assert appeal_signing.lookup_receipt(new.receipt, now=later).status == "pending"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"iin": "123456789012"}, "iin"),
        ({"iin": ""}, "iin"),
        ({"full_name": "X"}, "full_name"),
        ({"email": "not-an-address"}, "email"),
        ({"district_id": None}, "district_id"),
        ({"district_id": 999999}, "district_id"),
        ({"consent": False}, "consent"),
    ],
)
def test_bad_input_is_422_and_writes_nothing(app, client, make, change, field):
    appeal = make.appeal()
    db.session.commit()
    before = _written()
    response = client.post(
        f"/api/v1/appeals/{appeal.id}/signatures", json=_body(make, appeal.district) | change
    )
    assert response.status_code == 422 and response.json["error"]["field"] == field
    assert _written() == before


@pytest.mark.parametrize(
    "state, status",
    [
        (S.DRAFT, 404),
        (S.IN_MODERATION, 404),
        (S.REJECTED, 404),
        (S.ANSWERED, 409),
        (S.CLOSED, 409),
    ],
)
def test_appeals_not_open_refuse_signatures(app, client, make, state, status):
    appeal = make.appeal(state=state)
    district = appeal.district
    db.session.commit()
    before = _written()
    response = client.post(f"/api/v1/appeals/{appeal.id}/signatures", json=_body(make, district))
    assert response.status_code == status
    assert _written() == before


def test_reaching_the_threshold_makes_a_response_due_once(app, make):
    appeal = make.appeal(threshold=2)
    tokens = []
    for n in range(3):
        _sign_new(appeal.id, f"s{n}@example.org", appeal.district_id)
    for signature in db.session.scalars(sa.select(AppealSignature).order_by(AppealSignature.id)):
        tokens.append(_token(signature.id))
    appeal_signing.confirm_appeal_signature(tokens[0])
    assert appeal.state == S.OPEN
    appeal_signing.confirm_appeal_signature(tokens[1])
    assert appeal.state == S.RESPONSE_DUE and appeal.response_due_at is not None
    assert (appeal.response_due_at - appeal.threshold_reached_at).days == 30
    appeal_signing.confirm_appeal_signature(tokens[2])
    kinds = db.session.scalars(
        sa.select(Event.kind).where(Event.kind == "appeal.threshold_reached")
    ).all()
    assert kinds == ["appeal.threshold_reached"] and _live(appeal).constituents == 3


@pytest.fixture
def app_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": WORKERS + 4, "max_overflow": 0}}


def test_concurrent_confirmations_cross_the_threshold_exactly_once(app, make):
    appeal = make.appeal(threshold=WORKERS // 2)
    for n in range(WORKERS):
        _sign_new(appeal.id, f"c{n}@example.org", appeal.district_id)
    tokens = [_token(s.id) for s in db.session.scalars(sa.select(AppealSignature))]
    appeal_id = appeal.id
    db.session.commit()
    barrier = threading.Barrier(WORKERS)

    def confirm(token):
        with app.app_context():
            barrier.wait(timeout=30)
            appeal_signing.confirm_appeal_signature(token)
            db.session.commit()
            db.session.remove()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(confirm, tokens))
    db.session.expire_all()
    fresh = db.session.get(Appeal, appeal_id)
    # Every confirmation counted once, each on a shard of its own choosing (no lost update).
    assert _live(fresh).constituents == WORKERS
    # Two commits at the same instant may both miss the crossing; the minute's sync catches up,
    # and the crossing still happens exactly once (a second sync changes nothing).
    assert appeal_signing.sync_counts() == 1 and appeal_signing.sync_counts() == 0
    db.session.commit()
    db.session.expire_all()
    fresh = db.session.get(Appeal, appeal_id)
    assert fresh.constituent_count == WORKERS and fresh.state == S.RESPONSE_DUE
    shards = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AppealCountShard)
        .where(AppealCountShard.appeal_id == appeal_id)
    )
    assert shards > 1  # the confirmations were spread over several rows
    crossings = db.session.scalars(
        sa.select(Event).where(Event.kind == "appeal.threshold_reached")
    ).all()
    assert len(crossings) == 1
    history = [h.to_state for h in fresh.history]
    assert history.count("response_due") == 1


def test_a_body_wide_appeal_counts_per_district_with_a_chart(app, client, make):
    body = make.body()
    first, second, third = (make.district(body) for _ in range(3))
    outside = make.district()
    appeal = make.appeal(body=body, threshold=100)
    for district, n in ((first, 3), (second, 1), (outside, 2)):
        for i in range(n):
            _sign_new(appeal.id, f"d{district.id}-{i}@example.org", district.id)
    for signature in db.session.scalars(sa.select(AppealSignature)).all():
        appeal_signing.confirm_appeal_signature(_token(signature.id))
    db.session.commit()
    assert _live(appeal) == appeal_signing.Counts(constituents=4, supporters=2)
    rows = appeal_signing.district_counts(appeal)
    assert [(r.district_id, r.confirmed, r.constituent) for r in rows] == [
        (first.id, 3, True),
        (second.id, 1, True),
        (third.id, 0, True),
        (outside.id, 2, False),
    ]
    api = client.get(f"/api/v1/appeals/{appeal.id}/districts").json["items"]
    assert [(i["district_id"], i["confirmed"]) for i in api][:3] == [
        (first.id, 3),
        (second.id, 1),
        (third.id, 0),
    ]
    page = client.get(f"/appeals/{appeal.id}").get_data(as_text=True)
    assert "<svg" in page and page.count("<rect") == 3  # the body's districts


def test_sign_page_and_expiry(app, client, make):
    appeal = make.appeal()
    db.session.commit()
    form = client.get(f"/appeals/{appeal.id}/sign")
    assert form.status_code == 200 and appeal.district.name in form.get_data(as_text=True)
    response = client.post(
        f"/appeals/{appeal.id}/sign",
        data={
            "full_name": "Aigerim Bekova",
            "iin": factories.iin(),
            "email": "p@example.org",
            "district_id": str(appeal.district_id),
            "consent": "y",
        },
    )
    assert response.status_code == 202
    from datetime import timedelta

    from recall.models.base import utcnow

    assert appeal_signing.expire_unconfirmed(utcnow() + timedelta(days=4)) == 1
    signature = db.session.scalar(sa.select(AppealSignature))
    assert signature.status == SignatureStatus.EXPIRED
    db.session.commit()
    refused = client.post(f"/appeals/signatures/confirm/{_token(signature.id)}")
    assert refused.status_code == 422
    assert client.get("/appeals/signatures/confirm/garbage").status_code == 422


def test_the_sync_reaches_a_crossing_the_confirmations_missed_and_folds_the_counts(app, make):
    """Two confirmations committing at once may each see only their own shard: the crossing is
    then left to the minute's sync (appeals.sync_counts), which makes it exactly once."""
    appeal = make.appeal(threshold=3)
    db.session.add_all(
        [
            AppealCountShard(appeal_id=appeal.id, shard=1, constituents=2, supporters=1),
            AppealCountShard(appeal_id=appeal.id, shard=9, constituents=1, supporters=0),
        ]
    )
    db.session.flush()
    assert appeal.state == S.OPEN and appeal.constituent_count == 0
    assert run_due(only="appeals.sync_counts", force=True) == {"appeals.sync_counts": "ok"}
    db.session.expire_all()
    fresh = db.session.get(Appeal, appeal.id)
    assert (fresh.constituent_count, fresh.supporter_count, fresh.state) == (3, 1, S.RESPONSE_DUE)
    assert appeal_signing.sync_counts() == 0
    kinds = db.session.scalars(sa.select(Event.kind)).all()
    assert kinds.count("appeal.threshold_reached") == 1
