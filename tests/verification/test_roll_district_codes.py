"""Voter rolls that name districts by code (issue 11): a district known only by its code, as a
real Popolo file imports it (``E14000530``), gets roll coverage and its signatures are checked."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import (
    CheckStatus,
    District,
    ImportStatus,
    Role,
    VoterRollDistrict,
    VoterRollEntry,
    VoterRollImport,
)
from recall.services.signing import counting
from recall.services.verification import checks, export, review, roll_lookup, voter_roll
from tests import factories
from tests.verification.conftest import SIGNED_IN_MARCH

CODE_HEADER = ("iin", "full_name", "district_code", "address")


@pytest.fixture
def coded(app, make):
    """A body with a district known only by its code and one numbered district (code "1")."""
    body = make.body()
    only_code = make.district(body, number=None, code="E14000530", registered_voters=70_000)
    numbered = make.district(body, number=1)
    db.session.commit()
    return body, only_code, numbered


def _import(body, path, lines, header=CODE_HEADER, mode=""):
    factories.write_roll(path, lines, header=header)
    return voter_roll.import_file(None, body.id, date(2026, 2, 1), str(path), mode=mode)


def test_a_roll_by_code_covers_a_district_without_a_number(coded, tmp_path):
    body, only_code, numbered = coded
    a, b, c = (factories.iin(date(1970 + i, 1, 1)) for i in range(3))
    result = _import(
        body,
        tmp_path / "roll.csv",
        [f"{a},Voter A,E14000530,Street 1", f"{b},Voter B,E14000530,Street 2", f"{c},C,1,S 3"],
    )
    assert result.accepted, result.errors
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(District, only_code.id).registered_voters == 2
    assert db.session.get(District, numbered.id).registered_voters == 1
    covered = dict(
        db.session.execute(
            sa.select(VoterRollDistrict.district_number, VoterRollDistrict.voters)
        ).all()
    )
    assert covered == {only_code.roll_key: 2, 1: 1}
    assert only_code.roll_key == -only_code.id and numbered.roll_key == 1
    # The preview names each district as pages do: its number, else its code.
    assert [(p["district"], p["rows"]) for p in result.preview] == [(1, 1), ("E14000530", 2)]
    assert roll_lookup.district_has_roll(body.id, only_code.roll_key, date(2026, 3, 1))


def test_an_unknown_code_refuses_the_file_by_line_and_writes_nothing(coded, runner, tmp_path):
    body, only_code, _numbered = coded
    a, b, c = (factories.iin(date(1970 + i, 1, 1)) for i in range(3))
    path = factories.write_roll(
        tmp_path / "bad.csv",
        [f"{a},Voter A,E14000530,Street 1", f"{b},Voter B,E99999999,Street 2", f"{c},C,,S 3"],
        header=CODE_HEADER,
    )
    out = runner.invoke(
        args=["voters", "import", str(path), "--body", body.slug, "--as-of", "2026-02-01"]
    )
    assert out.exit_code == 1
    assert "line 3: district_code: The body has no district with the code E99999999." in out.output
    assert "line 4: district_code: The district code is empty." in out.output
    imp = db.session.scalars(sa.select(VoterRollImport)).one()
    assert imp.status == ImportStatus.FAILED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoterRollEntry)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoterRollDistrict)) == 0
    db.session.expire_all()
    assert db.session.get(District, only_code.id).registered_voters == 70_000


def test_a_file_names_districts_one_way(coded, tmp_path):
    body, _only_code, _numbered = coded
    both = _import(
        body,
        tmp_path / "both.csv",
        [f"{factories.iin()},A,1,E14000530,Street"],
        header=("iin", "full_name", "district_number", "district_code", "address"),
    )
    assert not both.accepted
    assert "names both district_number and district_code" in both.errors[0].reason
    neither = _import(
        body, tmp_path / "neither.csv", [f"{factories.iin()},A,S"], ("iin", "name", "address")
    )
    assert "district_number/district_code" in neither.errors[0].reason
    # A code-only district has no number to be named by.
    by_number = _import(
        body,
        tmp_path / "number.csv",
        [f"{factories.iin()},A,{-_only_code.id},Street"],
        header=("iin", "full_name", "district_number", "address"),
    )
    assert not by_number.accepted
    assert by_number.errors[0].field == "district_number"


def test_codes_are_read_once_per_import_not_per_line(coded, tmp_path):
    """The importer's speed is benchmarked (issue 17): a code costs a dictionary lookup."""
    body, _only_code, _numbered = coded
    reads = []

    def count(conn, cursor, statement, *args):
        if "FROM districts" in statement:
            reads.append(statement)

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    sizes = {}
    try:
        for n in (3, 300):
            reads.clear()
            lines = [f"{factories.iin()},V {i},E14000530,Street {i}" for i in range(n)]
            assert _import(body, tmp_path / f"{n}.csv", lines, mode="partial").accepted
            sizes[n] = len(reads)
            db.session.rollback()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert sizes[3] == sizes[300] < 10, sizes


def test_signatures_in_a_code_only_district_are_checked_against_its_roll(
    coded, make, client, login, tmp_path
):
    body, only_code, numbered = coded
    petition = make.petition(make.deputy(only_code), **SIGNED_IN_MARCH)
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=body)
    voter, elsewhere, misspelt = (factories.iin(date(1980 + i, 1, 1)) for i in range(3))
    assert _import(
        body,
        tmp_path / "roll.csv",
        [
            f"{voter},Anna Voter,E14000530,Street 1",
            f"{elsewhere},Ivan Other,1,Street 2",
            f"{misspelt},Marat Omarov,E14000530,Street 3",
        ],
    ).accepted
    ok = factories.signature(petition, voter, "Anna Voter")
    other = factories.signature(petition, elsewhere, "Ivan Other")
    odd = factories.signature(petition, misspelt, "Marat Umarov")
    counting.recount(petition.id)
    db.session.commit()
    checks.run_checks(commissioner, petition.id)
    db.session.commit()
    assert db.session.get(type(ok), ok.id).check_status == CheckStatus.VALID
    rejected = db.session.get(type(other), other.id)
    assert (rejected.check_status, rejected.reason_code) == (CheckStatus.INVALID, "other_district")
    assert numbered.roll_key == 1
    # The export, the review page and the API name the roll's district as pages do.
    rows = {row[0]: row for row in export.export_signatures(commissioner, petition.id)}
    column = export.EXPORT_HEADER.index("roll_district")
    assert (rows[ok.id][column], rows[other.id][column]) == ("E14000530", "1")
    csv_text = "".join(export.export_csv(commissioner, petition.id))
    assert f"{ok.id}," in csv_text and ",E14000530," in csv_text
    item = review.item_for(commissioner, odd.id)
    assert item.roll_district == "E14000530"
    login(commissioner)
    page = client.get(f"/commission/petitions/{petition.id}/review/next").get_data(as_text=True)
    assert "<td>E14000530</td><td>E14000530</td>" in page
    api = client.get(f"/api/v1/commission/petitions/{petition.id}/review")
    entry = api.get_json()["items"][0]["roll_entry"]
    assert (entry["district"], entry["district_number"]) == ("E14000530", None)


def test_the_commission_uploads_a_roll_by_code_on_its_page(coded, make, client, login, tmp_path):
    body, only_code, _numbered = coded
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=body)
    db.session.commit()
    lines = [f"{factories.iin(date(1975, 1, 1))},Upload One,E14000530,Street"]
    content = factories.write_roll(tmp_path / "up.csv", lines, header=CODE_HEADER).read_bytes()
    login(commissioner)
    assert "district_code" in client.get("/commission/roll").text
    bad = factories.write_roll(tmp_path / "bad.csv", [lines[0].replace("E14", "X14")], CODE_HEADER)
    refused = client.post(
        "/commission/roll",
        data={"as_of": "2026-02-01", "file": (io.BytesIO(bad.read_bytes()), "bad.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "The body has no district with the code X14000530." in refused.text
    uploaded = client.post(
        "/commission/roll",
        data={"as_of": "2026-02-01", "mode": "partial", "file": (io.BytesIO(content), "up.csv")},
        content_type="multipart/form-data",
    )
    assert client.post(uploaded.headers["Location"] + "/confirm").status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(District, only_code.id).registered_voters == 1
