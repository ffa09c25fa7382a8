"""The commission's CSV export of a petition's signatures: content, access, CLI and page."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from recall.errors import Forbidden
from recall.extensions import db
from recall.models import SignatureSource
from recall.services.verification import export
from tests import factories


@pytest.fixture
def exported(reviewed):
    """``reviewed`` (one valid, one name in review) plus a paper signature not on the roll."""
    w = reviewed
    w.paper = factories.signature(
        w.petition,
        factories.iin(date(1975, 5, 5)),
        "Paper Person",
        source=SignatureSource.PAPER,
        sheet=7,
        line=12,
    )
    db.session.commit()
    return w


def _by_id(rows):
    return {int(row["signature_id"]): row for row in rows}


def test_one_row_per_signature_with_verdict_channel_and_roll_match(exported):
    w = exported
    rows = _by_id(
        dict(zip(export.EXPORT_HEADER, row, strict=True))
        for row in export.export_signatures(w.commissioner, w.petition.id)
    )
    assert set(rows) == {w.ok.id, w.odd.id, w.paper.id}
    ok, odd, paper = rows[w.ok.id], rows[w.odd.id], rows[w.paper.id]
    assert (ok["check_status"], ok["reason_code"], ok["roll_match"], ok["channel"]) == (
        "valid",
        None,
        "in_district",
        "online",
    )
    assert (odd["check_status"], odd["reason_code"]) == ("review", "name_mismatch")
    assert (odd["full_name"], odd["roll_full_name"], odd["roll_line"]) == (
        "Marat Umarov",
        "Marat Omarov",
        3,
    )
    assert (paper["channel"], paper["paper_sheet"], paper["paper_line"]) == ("paper", 7, 12)
    assert (paper["roll_match"], paper["roll_line"], paper["check_status"]) == (
        "not_on_roll",
        None,
        "unchecked",
    )


def test_only_the_bodys_commissioners(exported):
    with pytest.raises(Forbidden):
        export.export_signatures(exported.outsider, exported.petition.id)


def test_cli_writes_the_csv(exported, runner):
    result = runner.invoke(args=["verification", "export", str(exported.petition.id)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [int(r["signature_id"]) for r in rows] == sorted(
        [exported.ok.id, exported.odd.id, exported.paper.id]
    )
    assert rows[0].keys() == set(export.EXPORT_HEADER)
    missing = runner.invoke(args=["verification", "export", "999999"])
    assert missing.exit_code == 1 and "No such petition" in missing.output


def test_page_streams_csv_to_commissioners_only(exported, client, login):
    w = exported
    url = f"/commission/petitions/{w.petition.id}/signatures.csv"
    login(w.outsider)
    assert client.get(url).status_code == 403
    login(w.commissioner)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["full_name"] for r in rows} == {"Aigerim Bekova", "Marat Umarov", "Paper Person"}


def test_the_copy_csv_says_what_the_rows_say(exported):
    """On PostgreSQL the CSV comes from COPY: line for line the rows the service reads."""
    w = exported
    w.other = factories.signature(w.petition, factories.iin(date(1980, 1, 2)), 'Quote "Comma", Ё')
    db.session.commit()
    text = "".join(export.export_csv(None, w.petition.id))
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == list(export.EXPORT_HEADER)
    expected = [
        ["" if v is None else str(v) for v in row]
        for row in export.export_signatures(None, w.petition.id)
    ]
    assert parsed[1:] == expected and len(expected) == 4
    assert 'Quote "Comma", Ё' in {row[13] for row in parsed[1:]}
    with pytest.raises(Forbidden):
        export.export_csv(w.outsider, w.petition.id)
