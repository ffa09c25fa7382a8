"""The benchmark's plain-INSERT endpoint exists only when asked for, and never in production."""

from __future__ import annotations

from recall.config import load_config

ROUTE = "/api/v1/bench/plain-signature"


def test_absent_by_default(client):
    assert ROUTE not in {rule.rule for rule in client.application.url_map.iter_rules()}
    assert client.post(ROUTE, json={}).status_code == 404


def test_never_in_production(tmp_path):
    secrets = {
        "SECRET_KEY": "a" * 40,
        "IIN_HASH_KEY": "b" * 40,
        "AUDIT_KEY": "c" * 40,
        "RECALL_BENCHMARK_ENDPOINTS": "1",
    }
    assert (
        load_config(tmp_path, {**secrets, "RECALL_ENV": "development"})["BENCHMARK_ENDPOINTS"]
        is True
    )
    assert (
        load_config(tmp_path, {**secrets, "RECALL_ENV": "production"})["BENCHMARK_ENDPOINTS"]
        is False
    )
    assert (
        load_config(tmp_path, {"SECRET_KEY": "a" * 40, "IIN_HASH_KEY": "b" * 40})[
            "BENCHMARK_ENDPOINTS"
        ]
        is False
    )
