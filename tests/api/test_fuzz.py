"""Schemathesis, driven by our own OpenAPI description, against the app on the test PostgreSQL.

Every operation gets generated requests (valid and invalid: path ids of real demo rows, query
strings, JSON bodies, anonymous callers). Each response must not be a 5xx, must use a documented
status and content type, and must match its documented schema (the Error shape for errors).
Examples per operation are kept low so the whole run stays around a minute on two cores.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from recall import create_app
from recall.api.openapi import build_spec
from recall.models import (
    Body,
    CertificationProposal,
    Deputy,
    District,
    Petition,
    Promise,
    SampleDraw,
    Signature,
    VoterRollImport,
)
from tests.api.conftest import first_id
from tests.conftest import base_config

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MAX_EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(demo_app):
    sampled = first_id(SampleDraw)
    petition_id = (
        demo_app.extensions["demo_result"].petitions["closed"].id if sampled is None else None
    )
    # Path ids name real rows, so the 200 answers are generated and checked too.
    parameters = {
        "path.petition_id": petition_id or _sampled_petition(sampled),
        "path.deputy_id": first_id(Deputy),
        "path.district_id": first_id(District),
        "path.promise_id": first_id(Promise),
        "path.signature_id": first_id(Signature),
        "path.proposal_id": first_id(CertificationProposal) or 1,
        "path.import_id": first_id(VoterRollImport) or 1,
    }
    assert first_id(Body) is not None
    config = SchemathesisConfig.from_dict(
        {
            "parameters": parameters,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
        }
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app, config=config)


def _sampled_petition(draw_id: int) -> int:
    from recall.extensions import db

    return db.session.get(SampleDraw, draw_id).petition_id


def _operations() -> list[tuple[str, str]]:
    """``(method, path)`` of every described operation (read from an app on in-memory SQLite:
    collection needs no database)."""
    app = create_app(base_config(SQLALCHEMY_DATABASE_URI="sqlite://"))
    return [(method, path) for path, ops in build_spec(app)["paths"].items() for method in ops]


# schemathesis' own pytest integration (``from_fixture``) does not run under pytest 9, so each
# operation's strategy is drawn here with Hypothesis directly.
@pytest.mark.parametrize(("method", "path"), _operations())
def test_api_answers_as_described(api_schema, method, path):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(checks=CHECKS)

    run()


def test_the_fuzzer_reaches_real_rows(demo_app):
    """The fixed path ids above must name rows, or every call would only see a 404."""
    client = demo_app.test_client()
    assert client.get(f"/api/v1/deputies/{first_id(Deputy)}").status_code == 200
    assert client.get(f"/api/v1/promises/{first_id(Promise)}").status_code == 200
    assert client.get(f"/api/v1/petitions/{first_id(Petition)}").status_code == 200
