"""Signing appeals: the recall signing's fields and answers, constituents and supporters, counts
per district, and the threshold crossing exactly once under concurrent confirmations."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import Event
from recall.models.appeal import (
    Appeal,
    AppealDistrictCount,
    AppealReceiptDecoy,
    AppealSignature,
    AppealState,
)
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


def _written():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (AppealSignature, AppealReceiptDecoy, Event)
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
    assert db.session.get(Appeal, appeal.id).constituent_count == 0  # pending does not count
    for signature in signatures:
        page = client.get(f"/appeals/signatures/confirm/{_token(signature.id)}")
        assert page.status_code == 200
        assert client.post(f"/appeals/signatures/confirm/{_token(signature.id)}").status_code == 303
    db.session.expire_all()
    fresh = db.session.get(Appeal, appeal.id)
    assert (fresh.constituent_count, fresh.supporter_count) == (1, 1)
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
    assert db.session.get(Appeal, appeal.id).constituent_count == 1


def test_a_repeated_iin_answers_like_a_first_signature_with_a_decoy(app, client, make):
    appeal = make.appeal()
    db.session.commit()
    body = _body(make, appeal.district)
    first = client.post(f"/api/v1/appeals/{appeal.id}/signatures", json=body)
    again = client.post(
        f"/api/v1/appeals/{appeal.id}/signatures", json=body | {"email": "x@example.org"}
    )
    assert (first.status_code, again.status_code) == (202, 202)
    assert set(again.json) == {"receipt"} and again.json["receipt"] != first.json["receipt"]
    assert _written()[:2] == (1, 1)
    looked_up = client.get(f"/api/v1/appeals/receipts/{again.json['receipt']}").json
    assert looked_up["status"] == "pending"
    assert client.get("/api/v1/appeals/receipts/AAAA-BBBB-CCCC-DDDD").status_code == 404


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
        appeal_signing.sign_appeal(
            appeal_id=appeal.id,
            full_name="Aigerim Bekova",
            iin=factories.iin(),
            email=f"s{n}@example.org",
            district_id=appeal.district_id,
            consent=True,
        )
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
    assert kinds == ["appeal.threshold_reached"] and appeal.constituent_count == 3


@pytest.fixture
def app_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": WORKERS + 4, "max_overflow": 0}}


def test_concurrent_confirmations_cross_the_threshold_exactly_once(app, make):
    appeal = make.appeal(threshold=WORKERS // 2)
    for n in range(WORKERS):
        appeal_signing.sign_appeal(
            appeal_id=appeal.id,
            full_name="Aigerim Bekova",
            iin=factories.iin(),
            email=f"c{n}@example.org",
            district_id=appeal.district_id,
            consent=True,
        )
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
    assert fresh.constituent_count == WORKERS and fresh.state == S.RESPONSE_DUE
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
            appeal_signing.sign_appeal(
                appeal_id=appeal.id,
                full_name="Aigerim Bekova",
                iin=factories.iin(),
                email=f"d{district.id}-{i}@example.org",
                district_id=district.id,
                consent=True,
            )
    for signature in db.session.scalars(sa.select(AppealSignature)).all():
        appeal_signing.confirm_appeal_signature(_token(signature.id))
    db.session.commit()
    assert (appeal.constituent_count, appeal.supporter_count) == (4, 2)
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
