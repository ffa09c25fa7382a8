"""With BENCHMARK_ENDPOINTS the plain-INSERT baseline exists and writes exactly one row."""

from __future__ import annotations

import pytest

from recall.security import access_of
from tests import factories
from tests.signing.conftest import total_rows

ROUTE = "/api/v1/bench/plain-signature"


@pytest.fixture
def app_config():
    return {"BENCHMARK_ENDPOINTS": True}


def test_plain_insert_endpoint(app, client, collecting_petition):
    petition = collecting_petition()
    assert access_of(app, "api.bench_plain_signature").public
    response = client.post(
        ROUTE,
        json={
            "petition_id": petition.id,
            "district_id": petition.district_id,
            "iin": factories.iin(),
            "full_name": "Bench Mark",
            "email": "b@example.org",
        },
    )
    assert response.status_code == 202
    assert total_rows() == (1, 0)  # one signature row, nothing else
