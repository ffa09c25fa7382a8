"""`flask deputies import`: CSV and Popolo, idempotent, and a bad row writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import Body, Deputy, District, MandateType, Party

DATA = Path(__file__).parent / "data"


def _counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Body, District, Party, Deputy)
    )


def test_csv_import_then_reimport_changes_nothing(runner):
    first = runner.invoke(args=["deputies", "import", str(DATA / "deputies.csv")])
    assert first.exit_code == 0, first.output
    assert "created: 2 bodies, 4 deputies, 3 districts, 1 parties" in first.output
    assert _counts() == (2, 3, 1, 4)
    aigerim = db.session.scalar(sa.select(Deputy).where(Deputy.external_id == "kz-2"))
    assert aigerim.full_name == "Сәрсенова Әйгерім"
    assert aigerim.district.number == 2 and aigerim.party.name == "Amanat"
    listed = db.session.scalar(sa.select(Deputy).where(Deputy.external_id == "kz-list-1"))
    assert listed.mandate_type == MandateType.PARTY_LIST and listed.district is None
    maslikhat = db.session.scalar(sa.select(Deputy).where(Deputy.external_id == "kz-m-3"))
    assert maslikhat.district.region == "Karaganda Region"  # falls back to the body's region

    second = runner.invoke(args=["deputies", "import", str(DATA / "deputies.csv")])
    assert second.exit_code == 0
    assert "Nothing changed" in second.output
    assert _counts() == (2, 3, 1, 4)


def test_reimport_with_a_change_updates_in_place(runner, tmp_path):
    runner.invoke(args=["deputies", "import", str(DATA / "deputies.csv")])
    changed = (
        (DATA / "deputies.csv").read_text().replace("Karimov Daulet", "Karimov Daulet Serikovich")
    )
    (tmp_path / "changed.csv").write_text(changed)
    result = runner.invoke(args=["deputies", "import", str(tmp_path / "changed.csv")])
    assert "updated: 1 deputies" in result.output
    assert _counts() == (2, 3, 1, 4)


def test_csv_districts_known_by_code_and_multi_member_seats(runner, tmp_path):
    added = runner.invoke(
        args=[
            "deputies",
            "add-kind",
            "ph_council",
            "--name",
            "en=City council",
            "--jurisdiction",
            "Philippines",
        ]
    )
    assert added.exit_code == 0, added.output
    (tmp_path / "council.csv").write_text(
        "body_slug,body_name,body_level,body_seats,district_code,district_name,district_region,"
        "deputy_id,full_name,mandate_type,term_start\n"
        "davao,Davao City Council,ph_council,2,DVO-1,First District,Davao,ph-1,Ana Cruz,"
        "multi_member,2025-06-30\n"
        "davao,Davao City Council,ph_council,2,DVO-1,First District,Davao,ph-2,Ben Reyes,"
        "multi_member,2025-06-30\n"
    )
    result = runner.invoke(args=["deputies", "import", str(tmp_path / "council.csv")])
    assert result.exit_code == 0, result.output
    district = db.session.scalar(sa.select(District))
    assert (district.code, district.number) == ("DVO-1", None)
    members = db.session.scalars(sa.select(Deputy).order_by(Deputy.external_id)).all()
    assert [(d.mandate_type, d.district_id) for d in members] == [
        (MandateType.MULTI_MEMBER, district.id)
    ] * 2
    assert db.session.scalar(sa.select(Body)).jurisdiction == "Philippines"


def test_popolo_import_is_idempotent(runner):
    first = runner.invoke(args=["deputies", "import", str(DATA / "deputies.popolo.json")])
    assert first.exit_code == 0, first.output
    assert _counts() == (1, 1, 1, 2)
    deputy = db.session.scalar(sa.select(Deputy).where(Deputy.external_id == "person/aigerim"))
    assert deputy.mandate_type == MandateType.SINGLE_MANDATE
    assert deputy.district.region == "Almaty" and deputy.district.registered_voters == 470000
    assert (
        db.session.scalar(
            sa.select(Deputy).where(Deputy.external_id == "person/timur")
        ).mandate_type
        == MandateType.PARTY_LIST
    )
    second = runner.invoke(args=["deputies", "import", str(DATA / "deputies.popolo.json")])
    assert "Nothing changed" in second.output
    assert _counts() == (1, 1, 1, 2)


@pytest.mark.parametrize(
    "replace, message",
    [
        (
            ("kz-list-1,Omarov Timur,party_list", "kz-list-1,Omarov Timur,senator"),
            "row 4: mandate_type must be one of",
        ),
        (("2023-04-03,,serving", "2023-04-31,,serving"), "row 5: term_start must be a date"),
        (
            ("470000,2023-03-19,kz-2", "lots,2023-03-19,kz-2"),
            "row 3: registered_voters must be a whole number",
        ),
        ((",,,,,kz-list-1", ",,,,,kz-1"), "row 4: deputy id 'kz-1' appears twice"),
        (("15,0,3,Bukhar", "15,16,3,Bukhar"), "row 5: body_list_seats cannot exceed body_seats"),
    ],
)
def test_a_bad_row_names_its_row_and_writes_nothing(runner, tmp_path, replace, message):
    text = (DATA / "deputies.csv").read_text()
    assert replace[0] in text
    (tmp_path / "bad.csv").write_text(text.replace(replace[0], replace[1]))
    result = runner.invoke(args=["deputies", "import", str(tmp_path / "bad.csv")])
    assert result.exit_code != 0
    assert message in result.output
    assert _counts() == (0, 0, 0, 0)


def test_bad_popolo_membership_writes_nothing(runner, tmp_path):
    data = json.loads((DATA / "deputies.popolo.json").read_text())
    data["memberships"][1]["on_behalf_of_id"] = "party/unknown"
    (tmp_path / "bad.json").write_text(json.dumps(data))
    result = runner.invoke(args=["deputies", "import", str(tmp_path / "bad.json")])
    assert (
        result.exit_code != 0 and "memberships[1].on_behalf_of_id: names no party" in result.output
    )
    assert _counts() == (0, 0, 0, 0)


def test_a_popolo_body_names_a_known_jurisdiction(runner, tmp_path):
    data = json.loads((DATA / "deputies.popolo.json").read_text())
    data["organizations"][0]["jurisdiction"] = "Kazakstan"
    (tmp_path / "typo.json").write_text(json.dumps(data))
    result = runner.invoke(args=["deputies", "import", str(tmp_path / "typo.json")])
    assert result.exit_code != 0
    assert "organizations[0].jurisdiction: unknown jurisdiction 'Kazakstan'" in result.output
    assert _counts() == (0, 0, 0, 0)
    data["organizations"][0]["jurisdiction"] = "kazakhstan"
    (tmp_path / "ok.json").write_text(json.dumps(data))
    assert runner.invoke(args=["deputies", "import", str(tmp_path / "ok.json")]).exit_code == 0
    assert db.session.scalar(sa.select(Body)).jurisdiction == "Kazakhstan"


def test_unknown_file_type_and_missing_columns(runner, tmp_path):
    (tmp_path / "x.txt").write_text("hello")
    assert (
        "expected a .csv or .json"
        in runner.invoke(args=["deputies", "import", str(tmp_path / "x.txt")]).output
    )
    (tmp_path / "x.csv").write_text("full_name\nA\n")
    assert (
        "row 1: missing column(s): body_slug"
        in runner.invoke(args=["deputies", "import", str(tmp_path / "x.csv")]).output
    )
