"""Behind the reverse proxy each client has its own rate-limit budget; request bodies are small
except on the two upload routes."""

from __future__ import annotations

import io
import itertools
import json

import pytest

from recall.extensions import db
from recall.models.user import Role
from recall.web.request_guard import UPLOAD_ENDPOINTS
from tests.signing.conftest import payload, sign_url, total_rows

# The limiter's memory outlives an app: every test uses addresses of its own.
_hosts = itertools.count(10)


def _addresses() -> tuple[str, str, str]:
    n = next(_hosts)
    return f"10.200.{n}.1", f"203.0.{n}.7", f"203.0.{n}.8"


LIMITED = {"RATELIMIT_ENABLED": True, "SIGNING_RATE_LIMIT": "2 per minute"}


def _sign(client, petition, proxy: str, forwarded_for: str) -> int:
    return client.post(
        sign_url(petition),
        json=payload(petition),
        environ_base={"REMOTE_ADDR": proxy},
        headers={"X-Forwarded-For": forwarded_for},
    ).status_code


@pytest.mark.parametrize("app_config", [{**LIMITED, "PROXY_FIX": 1}], indirect=True)
def test_behind_the_proxy_each_forwarded_address_has_its_own_signing_budget(
    client, collecting_petition
):
    petition = collecting_petition()
    proxy, first, second = _addresses()
    assert [_sign(client, petition, proxy, first) for _ in range(3)] == [202, 202, 429]
    assert [_sign(client, petition, proxy, second) for _ in range(2)] == [202, 202]
    # Only the hop the proxy appended is trusted: a client-supplied earlier hop changes nothing.
    assert _sign(client, petition, proxy, f"198.51.100.1, {first}") == 429


@pytest.mark.parametrize("app_config", [LIMITED], indirect=True)
def test_without_proxy_fix_the_forwarded_header_is_ignored(client, collecting_petition):
    petition = collecting_petition()
    proxy, first, second = _addresses()
    assert [_sign(client, petition, proxy, first) for _ in range(2)] == [202, 202]
    # A client cannot buy a fresh budget by sending the header itself.
    assert _sign(client, petition, proxy, second) == 429


def test_a_large_json_body_is_refused_with_413_before_it_is_read(client, collecting_petition):
    petition = collecting_petition()
    before = total_rows()
    body = json.dumps(payload(petition, full_name="x" * (65 * 1024)))
    response = client.post(sign_url(petition), data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"]["status"] == 413
    assert response.json["error"]["code"] == "request_entity_too_large"
    assert total_rows() == before


def test_a_body_just_under_the_limit_is_read(client, collecting_petition):
    petition = collecting_petition()
    body = json.dumps(payload(petition, full_name="x" * (60 * 1024)))
    response = client.post(sign_url(petition), data=body, content_type="application/json")
    assert response.status_code == 422  # read and refused by the service: the name is too long


def test_a_large_form_post_is_refused_with_413(client, collecting_petition):
    petition = collecting_petition()
    response = client.post(
        f"/petitions/{petition.id}/sign",
        data={"full_name": "x" * (100 * 1024), "iin": "1"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 413
    assert b"The upload is too large" in response.data


def test_a_body_without_content_length_is_still_limited(client, collecting_petition):
    petition = collecting_petition()
    body = json.dumps(payload(petition, full_name="x" * (100 * 1024))).encode()
    response = client.post(
        sign_url(petition),
        input_stream=io.BytesIO(body),
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
        headers={"Content-Length": ""},
    )
    assert response.status_code == 413


@pytest.mark.parametrize("app_config", [{"MAX_UPLOAD_BYTES": 256 * 1024}], indirect=True)
def test_the_paper_csv_upload_takes_large_files_up_to_its_own_limit(
    client, login, make, collecting_petition
):
    petition = collecting_petition()
    commissioner = make.user(role=Role.COMMISSIONER, commission_body=petition.body)
    db.session.commit()
    login(commissioner)
    header = b"sheet,line,full_name,iin,district_number\n"
    big = header + b"\n" * (200 * 1024)  # 200 KiB of blank lines: over the form limit
    response = client.post(
        f"/petitions/{petition.id}/paper",
        data={"csv-file": (io.BytesIO(big), "paper.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code != 413
    assert response.status_code == 422  # read: no signature lines in it
    too_big = header + b"\n" * (300 * 1024)  # (below the test client's spooling size)
    response = client.post(
        f"/petitions/{petition.id}/paper",
        data={"csv-file": (io.BytesIO(too_big), "paper.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_the_upload_allow_list_names_real_endpoints(app):
    assert set(app.view_functions) >= UPLOAD_ENDPOINTS
    assert {"commission.upload_roll", "signing.enter_paper_signatures"} == UPLOAD_ENDPOINTS
