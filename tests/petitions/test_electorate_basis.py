"""The electorate basis of a rule (issue 10): the register at registration, the register on the last
day of signing less those under 18 (UK s. 14(3), provisional until then), or the voters at the
election that elected the deputy (Philippines RA 9244 s. 70); and the "how this number was
computed" panel on the page and under ``threshold.basis``."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from recall.errors import Conflict
from recall.extensions import db
from recall.i18n import format_day
from recall.models import AuditEntry, Petition, PetitionState, Role
from recall.models.base import utcnow
from recall.rules.rule_presets import PRESETS
from recall.services.petitions import lifecycle as petitions
from recall.services.petitions.electorate import last_signing_day
from tests import factories


def test_presets_name_their_basis():
    assert PRESETS["uk_recall_of_mps_2015"].electorate_basis == "last_day"
    assert PRESETS["philippines_ra_9244"].electorate_basis == "election"
    assert PRESETS["kz_mazhilis_single_mandate"].electorate_basis == "registration"
    assert PRESETS["california_local"].electorate_basis == "registration"


def _submitted(rule_key: str):
    body = factories.body()
    district = factories.district(body, number=1, registered_voters=0)
    factories.district(body, number=2)
    deputy = factories.deputy(district)
    commissioner = factories.user(role=Role.COMMISSIONER, commission_body=body)
    petition = factories.petition(
        deputy, state=PetitionState.SUBMITTED, rule_version=factories.rule_version(rule_key)
    )
    return body, district, petition, commissioner


def _voters(n: int, district_number: int = 1):
    return [
        factories.roll_entry(district_number=district_number, born=date(1960, 1, 1))
        for _ in range(n)
    ]


def test_uk_required_number_is_provisional_until_the_last_day(app, client, tmp_path):
    body, _district, petition, commissioner = _submitted("uk_recall_of_mps_2015")
    factories.load_roll(body, tmp_path / "feb.csv", _voters(40), as_of=date(2026, 2, 1))
    petitions.register_petition(commissioner, petition.id)
    db.session.commit()
    petition = db.session.get(Petition, petition.id)
    assert (petition.registered_voters, petition.required_signatures) == (40, 4)
    assert (petition.electorate_basis, petition.required_provisional) == ("last_day", True)
    last_day = last_signing_day(petition).isoformat()  # the local day closes_at falls in
    page = client.get(f"/petitions/{petition.id}")
    assert "How this number was computed" in page.text
    # The page writes the day as the reader's language does (issue 14); the API keeps ISO.
    assert f"provisional until {format_day(last_signing_day(petition))}" in page.text
    basis = client.get(f"/api/v1/petitions/{petition.id}").get_json()["threshold"]["basis"]
    assert (basis["provisional"], basis["provisional_until"], basis["required"]) == (
        True,
        last_day,
        4,
    )
    # A newer roll (in force on the last day of signing): 25 voters more, one under 18 left out.
    rows = [*_voters(65), factories.roll_entry(district_number=1, born=date(2012, 1, 1))]
    today = utcnow().date()
    factories.load_roll(body, tmp_path / "now.csv", rows, as_of=today)
    db.session.commit()
    assert db.session.get(Petition, petition.id).required_signatures == 4  # frozen until closing
    petitions.close_due_petitions(petition.closes_at)
    db.session.commit()
    petition = db.session.get(Petition, petition.id)
    assert (petition.registered_voters, petition.required_signatures) == (65, 7)
    assert (petition.required_provisional, petition.electorate_as_of) == (False, today)
    settled = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "petition.electorate_settled")
    ).one()
    assert settled.payload["required_signatures"] == 7
    basis = client.get(f"/api/v1/petitions/{petition.id}").get_json()["threshold"]["basis"]
    assert (basis["electorate"], basis["provisional"], basis["electorate_as_of"]) == (
        65,
        False,
        today.isoformat(),
    )
    assert basis["formula"] == "ceil(10% x 65) = ceil(6.5) = 7"


def test_philippines_counts_the_voters_at_the_election(app):
    _body, district, petition, commissioner = _submitted("philippines_ra_9244")
    district.registered_voters = 90_000  # today's register: not the basis
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        petitions.register_petition(commissioner, petition.id)
    assert refused.value.field == "voters_at_election"
    db.session.rollback()
    district = db.session.get(type(district), district.id)
    district.voters_at_election, district.election_date = 30_000, date(2025, 5, 12)
    db.session.commit()
    petitions.register_petition(commissioner, petition.id)
    db.session.commit()
    petition = db.session.get(Petition, petition.id)
    # 20,001-75,000 voters: 20%, at least 5,000.
    assert (petition.registered_voters, petition.required_signatures) == (30_000, 6_000)
    assert (petition.electorate_basis, petition.electorate_as_of) == ("election", date(2025, 5, 12))
    assert petition.required_provisional is False


def test_registration_counts_the_roll_in_force_on_that_day(app, tmp_path):
    body, district, petition, commissioner = _submitted("kz_mazhilis_single_mandate")
    district.registered_voters = 5  # the district's recorded figure yields to the roll
    factories.load_roll(body, tmp_path / "r.csv", _voters(20), as_of=date(2026, 2, 1))
    db.session.commit()
    petitions.register_petition(commissioner, petition.id)
    db.session.commit()
    petition = db.session.get(Petition, petition.id)
    assert (petition.registered_voters, petition.required_signatures) == (20, 6)
    assert petition.electorate_as_of == date(2026, 2, 1)


def test_the_panel_shows_the_certified_count(app, client):
    deputy = factories.deputy()
    petition = factories.petition(
        deputy, state=PetitionState.QUALIFIED, registered=1000, required=300
    )
    draw = {"raw": 600, "n": 500, "v": 480, "d": 0, "seed": "abc", "projected": 576}
    factories.certification(
        petition,
        numbers={
            "method": "random_sample",
            "raw": 600,
            "valid": 480,
            "invalid": 20,
            "invalid_by_reason": {"not_registered": 15, "duplicate": 5},
            "draw": {**draw, "formula": "600 x 480/500", "outcome": "qualifies"},
        },
    )
    db.session.commit()
    basis = client.get(f"/api/v1/petitions/{petition.id}").get_json()["threshold"]["basis"]
    certified = basis["certification"]
    assert (certified["filed"], certified["valid"], certified["invalid"]) == (600, 480, 20)
    assert certified["invalid_by_reason"] == {"duplicate": 5, "not_registered": 15}
    assert certified["projection"] == {**draw, "formula": "600 x 480/500", "outcome": "qualifies"}
    page = client.get(f"/petitions/{petition.id}").text
    assert "Certified count" in page and "not_registered 15" in page and "600 x 480/500" in page


def test_deputies_import_records_the_voters_at_the_election(app, runner, tmp_path):
    from recall.models import District

    path = tmp_path / "d.csv"
    path.write_text(
        "body_slug,body_name,body_level,body_seats,district_number,district_name,district_region,"
        "voters_at_election,election_date\n"
        "lgu,Town council,district_maslikhat,5,1,North,Davao,31000,2025-05-12\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["deputies", "import", str(path)])
    assert result.exit_code == 0, result.output
    district = db.session.scalars(sa.select(District).where(District.name == "North")).one()
    assert (district.voters_at_election, district.election_date) == (31_000, date(2025, 5, 12))
