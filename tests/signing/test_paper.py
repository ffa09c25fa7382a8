"""Paper signatures entered by a commissioner: batch form, CSV upload, de-duplication, refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from recall.errors import Forbidden, Invalid
from recall.extensions import db
from recall.i18n import format_day
from recall.models import PetitionState, Role, Signature, SignatureSource, SignatureStatus
from recall.models.base import utcnow
from recall.services.iin_hash import hash_iin
from recall.services.signing import counting, paper
from recall.services.signing import online as signing
from recall.services.verification.reason_codes import rejection_codes
from tests import factories
from tests.signing.conftest import (
    confirm_token,
    events,
    payload,
    sign_url,
    signature_count,
    total_rows,
)


def _line(petition, row, sheet=1, line=None, **changes):
    values = {
        "row": row,
        "sheet": sheet,
        "line": line or row,
        "full_name": "Серік Абенов",
        "iin": factories.iin(),
        "district_number": petition.district.number,
        "signed_on": counting.local_day(utcnow()).isoformat(),
    }
    values.update(changes)
    return paper.PaperLine(**values)


def test_batch_is_confirmed_counted_and_deduplicated(client, setup):
    petition, commissioner = setup
    online_iin = factories.iin()
    client.post(sign_url(petition), json=payload(petition, iin=online_iin))
    [requested] = events("signature.confirmation_requested")
    assert (
        client.post(f"/signatures/confirm/{confirm_token(requested)}").status_code == 200
    )  # counted online
    repeated = factories.iin()
    today = counting.local_day(utcnow())
    lines = [
        _line(petition, 1, iin=repeated, signed_on=today.isoformat()),
        _line(petition, 2, iin=online_iin),
        _line(petition, 3, iin=repeated, full_name="Серік Абенов"),
        _line(petition, 4, sheet=2, line=1, signed_on=today.strftime("%d.%m.%Y")),
    ]
    report = paper.add_paper_signatures(commissioner, petition.id, lines)
    db.session.commit()
    assert (report.added, report.duplicates, report.skipped) == (2, 2, [])
    rows = {
        (s.paper_sheet, s.paper_line): s
        for s in db.session.scalars(
            sa.select(Signature).where(Signature.source == SignatureSource.PAPER)
        )
    }
    online = db.session.scalar(
        sa.select(Signature).where(Signature.source == SignatureSource.ONLINE)
    )
    first = rows[(1, 1)]
    assert first.duplicate_of_id is None and first.status == SignatureStatus.CONFIRMED
    assert first.entered_by_id == commissioner.id and first.email is None
    assert first.iin_hash == hash_iin(repeated)
    assert rows[(1, 2)].duplicate_of_id == online.id  # against the online signature
    assert rows[(1, 3)].duplicate_of_id == first.id  # within the batch
    assert rows[(2, 1)].duplicate_of_id is None
    assert counting.confirmed_count(petition) == 3  # two on paper, one online
    assert counting.counts_per_day(petition) == [(today, 3)]


@pytest.mark.parametrize("online_status", [SignatureStatus.PENDING, SignatureStatus.EXPIRED])
def test_paper_signature_of_a_voter_whose_online_one_never_counted_is_the_one_that_counts(
    client, setup, online_status
):
    petition, commissioner = setup
    iin = factories.iin()
    client.post(sign_url(petition), json=payload(petition, iin=iin))
    [requested] = events("signature.confirmation_requested")
    online = db.session.scalar(sa.select(Signature))
    if online_status == SignatureStatus.EXPIRED:
        signing.expire_unconfirmed(online.expires_at)
        db.session.commit()
    report = paper.add_paper_signatures(commissioner, petition.id, [_line(petition, 1, iin=iin)])
    db.session.commit()
    [entered] = report.signatures
    db.session.refresh(online)
    assert (report.added, report.duplicates) == (1, 0)
    assert entered.duplicate_of_id is None and online.duplicate_of_id == entered.id
    assert counting.confirmed_count(petition) == 1
    # The online link opened later confirms the online signature but does not count the voter twice.
    opened = client.post(f"/signatures/confirm/{confirm_token(requested)}")
    db.session.refresh(online)
    if online_status == SignatureStatus.PENDING:
        assert opened.status_code == 200 and online.status == SignatureStatus.CONFIRMED
    else:
        assert opened.status_code == 422 and online.status == SignatureStatus.EXPIRED
    assert counting.confirmed_count(petition) == 1
    assert counting.recount(petition.id) == 1


MISSING_DATE = (
    "signed_on",
    "Enter the date the line was signed: a line without its date is not counted.",
    "missing_date",
)


@pytest.mark.parametrize("blank", [None, "", "  "])
def test_a_line_without_its_date_is_refused_as_missing_date(setup, blank):
    """During the period too: the day of entry is not the day of signing."""
    petition, commissioner = setup
    with pytest.raises(paper.PaperBatchInvalid) as refused:
        paper.add_paper_signatures(
            commissioner, petition.id, [_line(petition, 1), _line(petition, 2, signed_on=blank)]
        )
    assert [(p.row, p.field, p.message, p.reason_code) for p in refused.value.problems] == [
        (2, *MISSING_DATE)
    ]
    assert total_rows() == (0, 0) and counting.confirmed_count(petition) == 0
    report = paper.add_paper_signatures(
        commissioner,
        petition.id,
        [_line(petition, 1), _line(petition, 2, signed_on=blank)],
        skip_invalid=True,
    )
    assert report.added == 1 and [p.reason_code for p in report.skipped] == ["missing_date"]
    assert counting.confirmed_count(petition) == 1
    assert "missing_date" in {c.code for c in rejection_codes()}


def test_csv_lines_without_a_date_are_refused_as_missing_date(setup):
    petition, commissioner = setup
    number = petition.district.number
    today = counting.local_day(utcnow()).isoformat()
    text = (
        "sheet,line,full_name,iin,district_number,signed_on\n"
        f"1,1,Әлия Қасымова,{factories.iin()},{number},{today}\n"
        f"1,2,Нұрлан Бекұлы,{factories.iin()},{number},\n"
    )
    with pytest.raises(paper.PaperBatchInvalid) as refused:
        paper.import_paper_csv(commissioner, petition.id, text)
    assert [(p.row, p.field, p.message, p.reason_code) for p in refused.value.problems] == [
        (3, *MISSING_DATE)
    ]
    without_column = (
        f"sheet,line,full_name,iin,district_number\n2,1,Марат Бек,{factories.iin()},{number}\n"
    )
    with pytest.raises(paper.PaperBatchInvalid) as refused:
        paper.import_paper_csv(commissioner, petition.id, without_column)
    assert [p.reason_code for p in refused.value.problems] == ["missing_date"]
    assert total_rows() == (0, 0)


def test_lines_entered_after_the_period_need_their_date(make, collecting_petition):
    petition = collecting_petition(
        state=PetitionState.CLOSED, opens_delta=timedelta(days=-31), closes_delta=timedelta(days=-1)
    )
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=petition.body)
    db.session.commit()
    with pytest.raises(paper.PaperBatchInvalid) as refused:
        paper.add_paper_signatures(commissioner, petition.id, [_line(petition, 1, signed_on=None)])
    assert [(p.row, p.field, p.message, p.reason_code) for p in refused.value.problems] == [
        (1, *MISSING_DATE)
    ]
    assert total_rows() == (0, 0)
    signed_on = counting.local_day(petition.opens_at) + timedelta(days=3)
    report = paper.add_paper_signatures(
        commissioner, petition.id, [_line(petition, 1, signed_on=signed_on)]
    )
    assert report.added == 1 and counting.counts_per_day(petition) == [(signed_on, 1)]


def test_one_bad_line_refuses_the_batch_and_lists_every_problem(setup):
    petition, commissioner = setup
    lines = [
        _line(petition, 1),
        _line(petition, 2, iin="123"),
        _line(petition, 3, district_number=petition.district.number + 1),
        _line(petition, 4, line=1),
        _line(petition, 5, full_name="R2D2"),
        _line(petition, 6, sheet="x"),
        _line(petition, 7, signed_on=(petition.closes_at + timedelta(days=3)).date().isoformat()),
        _line(petition, 8, signed_on="31/05/2024"),
    ]
    with pytest.raises(paper.PaperBatchInvalid) as refused:
        paper.add_paper_signatures(commissioner, petition.id, lines)
    assert refused.value.message == (
        "7 of 8 lines have problems; nothing was entered. Correct them and send the batch again."
    )
    problems = [(p.row, p.field, p.message) for p in refused.value.problems]
    assert problems == [
        (2, "iin", "The IIN must be exactly 12 digits."),
        (
            3,
            "district_number",
            f"Only voters of district No. {petition.district.number} may sign this petition.",
        ),
        (4, "line", "Sheet 1, line 1 is already entered."),
        (
            5,
            "full_name",
            "The full name may contain only letters (Kazakh, Russian or Latin), spaces, hyphens and "
            "apostrophes.",
        ),
        (6, "sheet", "The sheet number must be a whole number from 1 to 1000000."),
        (
            7,
            "signed_on",
            "The date of signing must be within the signing period "
            f"({format_day(counting.local_day(petition.opens_at))} to "
            f"{format_day(counting.local_day(petition.closes_at))}).",
        ),
        (8, "signed_on", "The date of signing must look like 2024-05-31 or 31.05.2024."),
    ]
    assert total_rows() == (0, 0)
    report = paper.add_paper_signatures(commissioner, petition.id, lines, skip_invalid=True)
    assert report.added == 1 and [p.row for p in report.skipped] == [2, 3, 4, 5, 6, 7, 8]
    assert signature_count() == 1


def test_positions_already_entered_are_refused(setup):
    petition, commissioner = setup
    paper.add_paper_signatures(commissioner, petition.id, [_line(petition, 1)])
    with pytest.raises(paper.PaperBatchInvalid) as refused:
        paper.add_paper_signatures(commissioner, petition.id, [_line(petition, 1)])
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("line", "Sheet 1, line 1 is already entered.")
    ]
    assert signature_count() == 1


def test_only_a_commissioner_of_the_body_may_enter(make, setup):
    petition, _ = setup
    outsider = make.user(role=Role.COMMISSIONER)
    for actor in (outsider, make.user(), None):
        with pytest.raises(Forbidden) as refused:
            paper.add_paper_signatures(actor, petition.id, [_line(petition, 1)])
        assert (
            refused.value.message
            == "Only a commissioner of this petition's body may enter paper signatures."
        )
    with pytest.raises(Invalid) as empty:
        paper.add_paper_signatures(setup[1], petition.id, [])
    assert empty.value.message == "Enter at least one signature."
    assert signature_count() == 0


def test_csv_upload_with_semicolons_and_bom(setup):
    petition, commissioner = setup
    number = petition.district.number
    text = (
        "\ufeffsheet;line;full_name;iin;district_number;signed_on\n"
        f"3;1;Әлия Қасымова;{factories.iin()};{number};{counting.local_day(utcnow()).isoformat()}\n"
        "\n"
        f"3;2;Нұрлан Бекұлы;{factories.iin()};{number};{counting.local_day(utcnow()).isoformat()}\n"
    )
    report = paper.import_paper_csv(commissioner, petition.id, text.encode("utf-8"))
    assert report.added == 2
    assert counting.confirmed_count(petition) == 2
    today = counting.local_day(utcnow()).isoformat()
    bad = (
        "sheet,line,full_name,iin,district_number,signed_on\n"
        f"1,1,Good Name,{factories.iin()},{number},{today}\n1,2,Bad Name,1,{number},{today}\n"
    )
    with pytest.raises(paper.PaperBatchInvalid) as refused:
        paper.import_paper_csv(commissioner, petition.id, bad)
    assert [(p.row, p.field) for p in refused.value.problems] == [
        (3, "iin")
    ]  # numbered by file line
    with pytest.raises(Invalid) as header:
        paper.import_paper_csv(commissioner, petition.id, "sheet,line,name\n1,1,x\n")
    assert header.value.message == (
        "The first line must name the columns "
        "sheet,line,full_name,iin,district_number[,signed_on][,channel][,collector]; missing: full_name, iin, "
        "district_number."
    )
    with pytest.raises(Invalid) as encoding:
        paper.import_paper_csv(commissioner, petition.id, "sheet,line\n1,Жақып".encode("utf-16"))
    assert (
        encoding.value.message == "The file must be UTF-8 text (save the spreadsheet as CSV UTF-8)."
    )
    assert signature_count() == 2


def test_paper_pages(client, login, setup):
    petition, commissioner = setup
    login(commissioner)
    assert client.get(f"/petitions/{petition.id}/paper").status_code == 200
    form = {
        "batch-lines-0-sheet": "1",
        "batch-lines-0-line": "1",
        "batch-lines-0-full_name": "Дана Омарова",
        "batch-lines-0-iin": factories.iin(),
        "batch-lines-0-district_number": str(petition.district.number),
        "batch-lines-0-signed_on": counting.local_day(utcnow()).isoformat(),
        "batch-lines-1-sheet": "1",
        "batch-lines-1-line": "2",
        "batch-lines-1-full_name": "Дана Омарова",
        "batch-lines-1-iin": "bad",
        "batch-lines-1-district_number": str(petition.district.number),
    }
    refused = client.post(f"/petitions/{petition.id}/paper", data=form)
    assert refused.status_code == 422 and MISSING_DATE[1] in refused.get_data(as_text=True)
    form["batch-lines-1-signed_on"] = form["batch-lines-0-signed_on"]
    refused = client.post(f"/petitions/{petition.id}/paper", data=form)
    assert refused.status_code == 422
    assert "The IIN must be exactly 12 digits." in refused.get_data(as_text=True)
    assert signature_count() == 0
    form["batch-lines-1-iin"] = factories.iin()
    accepted = client.post(f"/petitions/{petition.id}/paper", data=form)
    assert accepted.status_code == 200 and "Entered 2 signatures" in accepted.get_data(as_text=True)
    upload = (
        f"sheet,line,full_name,iin,district_number,signed_on\n2,1,Марат Бек,{factories.iin()},"
        f"{petition.district.number},{form['batch-lines-0-signed_on']}\n"
    ).encode()
    import io

    uploaded = client.post(
        f"/petitions/{petition.id}/paper",
        data={"csv-file": (io.BytesIO(upload), "sheet.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 200 and "Entered 1 signatures" in uploaded.get_data(as_text=True)
    assert counting.confirmed_count(petition) == 3


def test_closed_petition_page_leads_its_commissioners_to_paper_entry(
    client, login, make, collecting_petition
):
    petition = collecting_petition(state=PetitionState.CLOSED)
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=petition.body)
    db.session.commit()
    link = f'href="/petitions/{petition.id}/paper"'
    assert link not in client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    login(commissioner)
    assert link in client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert client.get(f"/petitions/{petition.id}/paper").status_code == 200


def test_paper_page_refuses_other_commissioners(client, login, make, setup):
    petition, _ = setup
    outsider = make.user(role=Role.COMMISSIONER)
    db.session.commit()
    login(outsider)
    assert client.get(f"/petitions/{petition.id}/paper").status_code == 403


@pytest.mark.parametrize("state", [PetitionState.SUBMITTED, PetitionState.UNDER_VERIFICATION])
def test_entry_is_refused_unless_collecting_or_just_closed(make, collecting_petition, state):
    petition = collecting_petition(state=state)
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=petition.body)
    db.session.commit()
    for enter in (
        lambda: paper.add_paper_signatures(commissioner, petition.id, [_line(petition, 1)]),
        lambda: paper.import_paper_csv(
            commissioner, petition.id, "sheet,line,full_name,iin,district_number\n"
        ),
    ):
        with pytest.raises(Invalid) as refused:
            enter()
        assert (refused.value.field, refused.value.message) == (
            "petition",
            "Paper signatures can be entered only while the petition is collecting or just closed.",
        )
    assert total_rows() == (0, 0)


def test_a_batch_over_the_limit_is_refused_whole(setup, monkeypatch):
    petition, commissioner = setup
    monkeypatch.setattr(paper, "MAX_BATCH", 2)
    with pytest.raises(Invalid) as refused:
        paper.add_paper_signatures(
            commissioner, petition.id, [_line(petition, n) for n in (1, 2, 3)]
        )
    assert (refused.value.field, refused.value.message) == (
        "lines",
        "A batch may hold at most 2 signatures; split the file.",
    )
    assert total_rows() == (0, 0)


def test_lines_dated_the_first_or_last_day_stay_inside_the_period(make, collecting_petition):
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    almaty = ZoneInfo("Asia/Almaty")
    petition = collecting_petition(state=PetitionState.CLOSED)
    first_day, last_day = date(2024, 3, 4), date(2024, 4, 3)
    petition.opens_at = datetime.combine(
        first_day, time(17, 30), almaty
    )  # registered in the afternoon
    petition.closes_at = datetime.combine(last_day, time(9, 15), almaty)  # closed in the morning
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=petition.body)
    db.session.commit()
    report = paper.add_paper_signatures(
        commissioner,
        petition.id,
        [
            _line(petition, 1, signed_on=first_day.isoformat()),
            _line(petition, 2, signed_on=last_day.isoformat()),
            _line(petition, 3, signed_on="2024-03-20"),
        ],
        now=petition.closes_at + timedelta(days=2),
    )
    first, last, middle = report.signatures
    # Verification rejects signatures dated before opens_at or after closes_at: noon would be both.
    assert first.created_at == petition.opens_at and last.created_at == petition.closes_at
    assert middle.created_at == datetime(2024, 3, 20, 12, tzinfo=almaty)
    assert counting.counts_per_day(petition) == [
        (first_day, 1),
        (date(2024, 3, 20), 1),
        (last_day, 1),
    ]


def test_a_district_known_by_code_takes_paper_lines_by_its_code(client, login, setup):
    """A district of another country's body has a code and no number: the sheet and the paper
    page name it by code, and a line gives the code (in any case) as the signer's district."""
    petition, commissioner = setup
    petition.district.number, petition.district.code = None, "MZ-1"
    db.session.commit()
    report = paper.add_paper_signatures(
        commissioner, petition.id, [_line(petition, 1, district_number="mz-1")]
    )
    assert report.added == 1
    with pytest.raises(paper.PaperBatchInvalid) as refused:
        paper.add_paper_signatures(
            commissioner, petition.id, [_line(petition, 2, district_number="7")]
        )
    assert [p.message for p in refused.value.problems] == [
        "Only voters of district MZ-1 may sign this petition."
    ]
    login(commissioner)
    for page in ("paper", "sheet"):
        response = client.get(f"/petitions/{petition.id}/{page}")
        assert response.status_code == 200 and "District MZ-1: " in response.get_data(as_text=True)


def test_paper_grid_marks_bad_rows_in_place(client, login, setup):
    """Issue 14: the error is under the row it belongs to, in words; "line" is the sheet's."""
    petition, commissioner = setup
    login(commissioner)
    page = client.get(f"/petitions/{petition.id}/paper").text
    assert "Line on the sheet" in page and "Sheet No." in page and ">#<" not in page
    assert 'class="iin"' in page
    day = counting.local_day(utcnow()).isoformat()
    form = {
        "batch-lines-0-sheet": "1",
        "batch-lines-0-line": "1",
        "batch-lines-0-full_name": "Дана Омарова",
        "batch-lines-0-iin": factories.iin(),
        "batch-lines-0-district_number": str(petition.district.number),
        "batch-lines-0-signed_on": day,
        # A browser posts every row of the grid; row 2 is left blank.
        **{f"batch-lines-1-{k}": "" for k in ("sheet", "line", "full_name", "iin")},
        "batch-lines-2-sheet": "1",
        "batch-lines-2-line": "3",
        "batch-lines-2-full_name": "Марат Бек",
        "batch-lines-2-iin": "12345",
        "batch-lines-2-district_number": str(petition.district.number),
        "batch-lines-2-signed_on": day,
    }
    refused = client.post(f"/petitions/{petition.id}/paper", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and signature_count() == 0
    assert html.count('class="bad-row"') == 1
    bad_row = html.split('class="bad-row"')[1].split("</tr>")[0]
    assert "<td>3</td>" in bad_row and 'aria-invalid="true"' in bad_row
    assert 'aria-describedby="row-error-3"' in bad_row
    assert 'aria-label="Row 3: IIN"' in bad_row  # every cell of the grid is named
    error = html.split('id="row-error-3"')[1].split("</td>")[0]
    assert "IIN: The IIN must be exactly 12 digits." in error
    assert "Rows of the grid with a problem: 1." in html


def test_a_csv_names_a_code_only_district_in_a_district_code_column(setup):
    petition, commissioner = setup
    petition.district.number, petition.district.code = None, "E14000530"
    db.session.commit()
    today = counting.local_day(utcnow()).isoformat()
    header = "sheet,line,full_name,iin,district_code,signed_on\n"
    wrong = header + f"1,1,Әлия Қасымова,{factories.iin()},E14000999,{today}\n"
    before = total_rows()
    with pytest.raises(paper.PaperBatchInvalid) as refused:
        paper.import_paper_csv(commissioner, petition.id, wrong)
    assert [(p.row, p.field) for p in refused.value.problems] == [(2, "district_number")]
    assert total_rows() == before
    right = header + f"1,1,Әлия Қасымова,{factories.iin()},e14000530,{today}\n"
    assert paper.import_paper_csv(commissioner, petition.id, right).added == 1
