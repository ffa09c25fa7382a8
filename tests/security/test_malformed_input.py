"""Malformed input never answers 500: huge page numbers, NUL bytes, deep JSON, ragged CSV lines."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from recall.extensions import db
from recall.models import ImportStatus, VoterRollImport
from recall.models.base import utcnow
from recall.models.user import Role
from recall.services.signing import counting, paper
from tests import factories
from tests.signing.conftest import payload, sign_url, total_rows
from tests.verification.conftest import world  # noqa: F401  (a fixture)

HUGE = "99999999999999999999"

PAGINATED = [
    "/deputies",
    "/promises",
    "/promises/corrections",
    "/petitions",
    "/api/v1/deputies",
    "/api/v1/promises",
    "/api/v1/petitions",
]
ADMIN_PAGINATED = ["/admin/users", "/notifications/admin/deliveries"]


@pytest.mark.parametrize("path", PAGINATED + ADMIN_PAGINATED)
@pytest.mark.parametrize(
    "query", [f"page={HUGE}", f"page=-{HUGE}", f"per_page={HUGE}", f"page={HUGE}&per_page={HUGE}"]
)
def test_a_huge_page_number_is_no_server_error(client, login, make, path, query):
    if path in ADMIN_PAGINATED:
        login(make.user(role=Role.ADMIN))
        db.session.commit()
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def test_a_huge_page_of_a_deputys_promises_is_no_server_error(client, make):
    deputy = make.deputy()
    db.session.commit()
    response = client.get(f"/api/v1/deputies/{deputy.id}/promises?page={HUGE}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/deputies?q=a%00b",
        "/promises?q=%00",
        "/petitions?q=%00",
        "/api/v1/deputies?q=%00",
        "/api/v1/deputies?party=x%00",
        "/api/v1/promises?q=%00",
        "/receipts?code=AAAA%00",
        "/api/v1/receipts/AAAA%00BBBB",
        "/deputies?page=1%00",
    ],
)
def test_a_nul_byte_in_the_url_is_a_clear_400(client, url):
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert "NUL" in response.json["error"]["message"]


def test_a_nul_byte_in_a_json_body_is_refused_and_writes_nothing(client, collecting_petition):
    petition = collecting_petition()
    before = total_rows()
    for field in ("full_name", "email", "iin"):
        body = payload(petition, **{field: "abc\u0000def"})
        response = client.post(sign_url(petition), json=body)
        assert response.status_code == 400, (field, response.json)
    assert total_rows() == before


def test_a_nul_byte_in_a_form_is_refused(client, collecting_petition):
    petition = collecting_petition()
    response = client.post(
        f"/petitions/{petition.id}/sign",
        data={"full_name": "A\x00B", "iin": factories.iin(), "consent": "y"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize("depth", [2_000, 30_000])
def test_deeply_nested_json_is_refused_not_a_crash(client, collecting_petition, depth):
    petition = collecting_petition()
    before = total_rows()
    body = "[" * depth + "]" * depth
    response = client.post(sign_url(petition), data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json["error"]["status"] == 422
    nested = '{"a":' * depth + "1" + "}" * depth
    response = client.post(sign_url(petition), data=nested, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert total_rows() == before


def _paper_csv(petition, *lines: str) -> bytes:
    """A paper CSV whose lines are each dated today (a line without a date is refused)."""
    today = counting.local_day(utcnow()).isoformat()
    body = "\n".join(f"{line},{today}" for line in lines)
    return f"sheet,line,full_name,iin,district_number,signed_on\n{body}\n".encode()


def test_a_paper_csv_line_with_extra_columns_is_a_clear_line_error(make, collecting_petition):
    petition = collecting_petition()
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=petition.body)
    number = petition.district.number
    data = _paper_csv(
        petition,
        f"1,1,Aliya Kasymova,{factories.iin()},{number}",
        f"1,2,Berik Sadykov,{factories.iin()},{number},surplus",
    )
    with pytest.raises(paper.PaperBatchInvalid) as refused:
        paper.import_paper_csv(commissioner, petition.id, data)
    assert [(p.row, p.field) for p in refused.value.problems] == [(3, "row")]
    assert "7 values" in refused.value.problems[0].message
    report = paper.import_paper_csv(commissioner, petition.id, data, skip_invalid=True)
    assert report.added == 1 and [p.row for p in report.skipped] == [3]


def test_a_nul_byte_in_a_paper_csv_is_a_line_error(make, collecting_petition):
    petition = collecting_petition()
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=petition.body)
    number = petition.district.number
    data = _paper_csv(
        petition,
        f"1,1,Aliya\x00Kasymova,{factories.iin()},{number}",
        f"1,2,Berik Sadykov,{factories.iin()},{number}",
    )
    report = paper.import_paper_csv(commissioner, petition.id, data, skip_invalid=True)
    db.session.flush()
    assert report.added == 1
    assert [(p.row, p.field) for p in report.skipped] == [(2, "row")]
    assert "NUL" in report.skipped[0].message


def test_a_nul_byte_in_a_voter_roll_fails_the_import_with_its_line(world, runner, tmp_path):
    from datetime import date

    rows = [(factories.iin(date(1970 + i, 1, 1)), f"Voter {i}", 1, f"Street {i}") for i in range(3)]
    rows[1] = (rows[1][0], "Vo\x00ter", 1, "Street")
    path = factories.write_roll(tmp_path / "nul.csv", rows)
    result = runner.invoke(
        args=["voters", "import", str(path), "--body", world.body.slug, "--as-of", "2026-02-01"]
    )
    assert result.exit_code == 1, result.output
    assert "line 3: row:" in result.output and "NUL" in result.output, result.output
    imp = db.session.scalars(sa.select(VoterRollImport)).one()
    assert imp.status == ImportStatus.FAILED
    assert [e["line"] for e in imp.errors] == [3]


@pytest.mark.parametrize(
    "url",
    [
        f"/petitions/{HUGE}",
        f"/deputies/{HUGE}",
        f"/api/v1/petitions/{HUGE}",
        "/api/v1/deputies/2147483648",
        f"/api/v1/receipts/{HUGE}",
    ],
)
def test_an_id_past_the_integer_range_is_404(client, url):
    assert client.get(url).status_code == 404


def test_signing_a_petition_id_past_the_integer_range_is_404(client, collecting_petition):
    petition = collecting_petition()
    response = client.post(f"/api/v1/petitions/{HUGE}/signatures", json=payload(petition))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/deputies?body=2200000000", 200),
        ("/api/v1/deputies?district=99999999999999999999&party=3000000000", 200),
        ("/api/v1/petitions?body=2200000000", 422),
        ("/api/v1/petitions?deputy=%C2%B2", 422),  # "²" is a digit to str.isdigit, not to int()
        ("/api/v1/promises?deputy=2200000000", 422),
        ("/api/v1/promises?district=%D9%A3", 422),  # Arabic-Indic three
    ],
)
def test_an_id_filter_out_of_range_or_not_ascii_is_no_server_error(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        assert response.json["items"] == []
