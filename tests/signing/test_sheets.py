"""Printed signature sheets (issue 14): A4 pages with the sheet's number, numbered lines and a QR
code to the petition; the commission's paper entry finds a sheet again by that number."""

from __future__ import annotations

import re

from recall.extensions import db
from recall.models import Role
from recall.models.base import utcnow
from recall.services.signing import counting, paper
from tests import factories


def test_sheets_print_one_a4_page_each_with_number_lines_and_qr(client, setup):
    petition, _commissioner = setup
    html = client.get(f"/petitions/{petition.id}/sheet?from=3&count=2").get_data(as_text=True)
    pages = html.split('<section class="sheet-page"')[1:]
    assert len(pages) == 2
    for number, page in zip((3, 4), pages, strict=True):
        assert f"Sheet No. {petition.id}-{number}" in page
        assert "Broken promises" in page  # the grounds on every sheet
        # Ten numbered lines, each with the columns paper entry reads and a signature box.
        assert re.findall(r'<th scope="row">(\d+)</th>', page) == [str(n) for n in range(1, 11)]
        for column in ("Full name", "IIN (12 digits)", "District No.", "Date signed", "Signature"):
            assert column in page
        # A QR code to the petition online, with its address written beside it.
        assert '<svg viewBox="0 0' in page and 'class="qr"' in page
        assert f"http://recall.test/petitions/{petition.id}" in page
    assert "<script" not in html.replace('<script src="/static/print.js" defer></script>', "")


def test_one_sheet_by_default_and_a_clear_refusal_of_bad_ranges(client, setup):
    petition, _commissioner = setup
    html = client.get(f"/petitions/{petition.id}/sheet").get_data(as_text=True)
    assert html.count('<section class="sheet-page"') == 1 and f"{petition.id}-1" in html
    for query, message in (
        ("count=51", "Print from 1 to 50 sheets at once."),
        ("from=x", "The first sheet must be a whole number"),
    ):
        response = client.get(f"/petitions/{petition.id}/sheet?{query}")
        assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_the_commission_finds_a_sheet_by_its_number_and_goes_on_from_the_first_free_line(
    client, login, setup
):
    petition, commissioner = setup
    today = counting.local_day(utcnow()).isoformat()
    lines = [
        paper.PaperLine(
            row=n,
            sheet=7,
            line=n,
            full_name="Серік Абенов",
            iin=factories.iin(),
            district_number=petition.district.number,
            signed_on=today,
        )
        for n in (1, 2)
    ]
    paper.add_paper_signatures(commissioner, petition.id, lines)
    db.session.commit()
    login(commissioner)
    found = client.get(f"/sheets/find?code={petition.id}-7")
    assert found.status_code == 302
    assert found.headers["Location"] == f"/petitions/{petition.id}/paper?sheet={petition.id}-7"
    html = client.get(found.headers["Location"]).get_data(as_text=True)
    assert f"Sheet {petition.id}-7: lines 1, 2 are entered already" in html
    assert 'name="batch-lines-0-sheet" type="text" value="7"' in html
    assert 'name="batch-lines-0-line" type="text" value="3"' in html
    # The sheet number alone works on the petition's own page; a typo is told, not guessed.
    assert "lines 1, 2 are entered" in client.get(
        f"/petitions/{petition.id}/paper?sheet=7"
    ).get_data(as_text=True)
    bad = client.get("/sheets/find?code=seven")
    assert bad.status_code == 422 and "such as 12-7" in bad.get_data(as_text=True)


def test_only_the_bodys_commissioners_find_its_sheets(client, login, make, setup):
    petition, _commissioner = setup
    other = make.user(role=Role.COMMISSIONER, commission_body=make.body())
    db.session.commit()
    login(other)
    assert client.get(f"/sheets/find?code={petition.id}-1").status_code == 403
