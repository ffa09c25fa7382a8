"""Petitions as data: counts where the rule allows, days left, certified results; the CSVs."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from recall.extensions import db
from recall.models import PetitionState
from recall.models.base import utcnow
from recall.services.signing import counting


def _petition(make, *, public: bool, signatures: int = 0, **kwargs):
    rule = make.rule_version(running_count_public=public)
    petition = make.petition(rule_version=rule, **kwargs)
    for _ in range(signatures):
        make.signature(petition)
    counting.recount(petition.id)
    return petition


def _items(client, **params):
    response = client.get("/api/v1/petitions", query_string=params)
    assert response.status_code == 200
    return {item["id"]: item for item in response.get_json()["items"]}


def test_list_items_carry_public_counts_and_days_left(app, client, make):
    now = utcnow()
    open_count = _petition(make, public=True, signatures=3, closes_at=now + timedelta(days=9.5))
    sealed = _petition(make, public=False, signatures=2)
    submitted = make.petition(state=PetitionState.SUBMITTED)
    db.session.commit()
    items = _items(client)
    assert items[open_count.id]["signatures_confirmed"] == 3
    assert items[open_count.id]["count_public"] is True
    assert items[open_count.id]["days_left"] == 10
    assert items[sealed.id]["count_public"] is False
    assert items[sealed.id]["signatures_confirmed"] is None  # the rule seals it while open
    assert items[submitted.id]["signatures_confirmed"] is None
    assert items[submitted.id]["days_left"] is None
    assert all(item["result"] is None for item in items.values())


def test_a_closed_sealed_petition_publishes_its_count(app, client, make):
    closed = _petition(make, public=False, signatures=2, state=PetitionState.CLOSED)
    db.session.commit()
    item = _items(client)[closed.id]
    assert item["signatures_confirmed"] == 2 and item["days_left"] is None


def test_certified_petitions_carry_their_result(app, client, make):
    full = _petition(make, public=False, signatures=1, state=PetitionState.QUALIFIED)
    make.certification(full)
    sampled = _petition(make, public=False, state=PetitionState.FAILED)
    draw = {"seed": "abc", "raw": 5000, "n": 500, "v": 400, "d": 2, "projected": 3960.0}
    make.certification(
        sampled,
        outcome="failed",
        numbers={
            "method": "sample",
            "required": 4000,
            "raw": 5000,
            "valid": 400,
            "invalid": 100,
            "invalid_by_reason": {"not_registered": 100},
            "draw": {**draw, "required": 4000, "formula": "f", "outcome": "failed", "id": 9},
        },
    )
    pending = _petition(make, public=False, state=PetitionState.UNDER_VERIFICATION)
    make.certification(pending, confirmed=False)  # one commissioner is not a result
    db.session.commit()
    items = _items(client)
    result = items[full.id]["result"]
    assert result["outcome"] == "qualified" and result["method"] == "full_count"
    assert (result["filed"], result["valid"], result["invalid"]) == (120, 110, 10)
    assert result["invalid_by_reason"] == {"not_registered": 7, "duplicate": 3}
    assert result["sample"] is None
    sample = items[sampled.id]["result"]["sample"]
    assert sample["n"] == 500 and sample["projected"] == 3960.0 and "id" not in sample
    assert items[pending.id]["result"] is None
    detail = client.get(f"/api/v1/petitions/{full.id}").get_json()
    assert detail["result"] == result


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_petitions_csv_one_row_each_with_count_and_result(app, client, make):
    sealed = _petition(make, public=False, signatures=2)
    certified = _petition(make, public=False, signatures=1, state=PetitionState.QUALIFIED)
    make.certification(certified)
    sealed.deputy.full_name = "=Омаров Ерлан"  # a formula-looking name is neutralised
    db.session.commit()
    rows = {int(r["petition_id"]): r for r in _csv(client.get("/api/v1/petitions.csv"))}
    assert set(rows) == {sealed.id, certified.id}
    assert (
        rows[sealed.id]["signatures_confirmed"] == "" and rows[sealed.id]["count_public"] == "false"
    )
    assert rows[sealed.id]["deputy_name"] == "'=Омаров Ерлан"
    assert rows[certified.id]["signatures_confirmed"] == "1"
    assert rows[certified.id]["invalid_by_reason"] == "duplicate:3;not_registered:7"
    assert rows[certified.id]["outcome"] == "qualified"
    opened = rows[certified.id]["opens_at"]
    assert opened[:4].isdigit() and opened[10] == "T"  # ISO 8601
    filtered = _csv(client.get("/api/v1/petitions.csv?state=qualified"))
    assert [int(r["petition_id"]) for r in filtered] == [certified.id]
    assert client.get("/api/v1/petitions.csv?state=nope").status_code == 422


def test_daily_counts_csv_leaves_sealed_counts_out(app, client, make):
    now = utcnow()
    public = _petition(make, public=True, opens_at=now - timedelta(days=3))
    for day in (1, 1, 2):
        make.signature(public, at=public.opens_at + timedelta(days=day, hours=1))
    counting.recount(public.id)
    sealed = _petition(make, public=False, signatures=2)
    db.session.commit()
    rows = _csv(client.get("/api/v1/petitions/daily-counts.csv"))
    assert {int(r["petition_id"]) for r in rows} == {public.id}
    assert [int(r["confirmed"]) for r in rows] == [2, 1]
    assert all(r["district_id"] == str(public.district_id) for r in rows)
    assert rows[0]["date"] < rows[1]["date"] and len(rows[0]["date"]) == 10
    assert sealed.id


def test_bom_on_request(app, client, make):
    _petition(make, public=True, signatures=1)
    db.session.commit()
    plain = client.get("/api/v1/petitions.csv").data
    marked = client.get("/api/v1/petitions.csv?bom=1").data
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert marked == b"\xef\xbb\xbf" + plain
    promises = client.get("/api/v1/promises.csv?bom=1").data
    assert promises.startswith(b"\xef\xbb\xbf")
