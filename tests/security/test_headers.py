"""Security headers on every response, no-store on signing pages, and no inline script or style
in the page templates (the Content-Security-Policy forbids them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import factories
from tests.signing.conftest import payload, sign_url

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


def test_every_page_carries_the_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = _directives(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # not in development or tests
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_errors_and_json_carry_them_too(client):
    for response in (client.get("/no-such-page"), client.get("/api/v1/bodies")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("app_config", [{"RECALL_ENV": "production"}], indirect=True)
def test_production_adds_hsts(client):
    response = client.get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_signing_pages_are_not_stored(client, collecting_petition):
    petition = collecting_petition()
    responses = [
        client.get(f"/petitions/{petition.id}/sign"),
        client.post(f"/petitions/{petition.id}/sign", data={}),
        client.post(sign_url(petition), json=payload(petition)),
        client.get("/receipts?code=AAAA-BBBB-CCCC"),
        client.get("/api/v1/receipts/AAAA-BBBB-CCCC"),
        client.get("/signatures/withdraw"),
        client.get("/signatures/confirm/not-a-token"),
    ]
    for response in responses:
        assert response.headers.get("Cache-Control") == "no-store", response.request.path
    assert "no-store" not in client.get(f"/petitions/{petition.id}").headers.get(
        "Cache-Control", ""
    )


def test_the_sign_form_never_echoes_the_iin_after_an_error(client, collecting_petition):
    petition = collecting_petition()
    iin = factories.iin()
    response = client.post(
        f"/petitions/{petition.id}/sign",
        data={
            "full_name": "Aliya Kasymova",
            "iin": iin,
            "email": "aliya@example.org",
            "district_id": str(petition.district_id),
            # no consent: refused
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Aliya Kasymova" in page  # other fields are kept, so the form is not retyped
    assert iin not in page
    assert iin[:6] not in page


_INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style", re.I), "<style> block"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_page_templates_have_no_inline_script_or_style():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if (
            path.relative_to(TEMPLATES).parts[0] == "email"
        ):  # mail clients, not browsers under our CSP
            continue
        text = path.read_text(encoding="utf-8")
        found += [
            f"{path.relative_to(TEMPLATES)}: {what}" for rx, what in _INLINE if rx.search(text)
        ]
    assert found == []
