"""Configuration comes from the environment only; production refuses to start without secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recall.config import ConfigError, load_config, normalise_database_url


def test_development_generates_secrets_once(tmp_path):
    first = load_config(tmp_path, environ={})
    second = load_config(tmp_path, environ={})
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["IIN_HASH_KEY"] == second["IIN_HASH_KEY"]
    assert first["SECRET_KEY"] != first["IIN_HASH_KEY"]
    stored = json.loads((tmp_path / "secrets.json").read_text())
    assert stored["SECRET_KEY"] == first["SECRET_KEY"]
    assert (tmp_path / "secrets.json").stat().st_mode & 0o777 == 0o600


def test_defaults_are_the_embedded_ones(tmp_path):
    config = load_config(tmp_path, environ={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'recall.db'}"
    assert config["REDIS_URL"] is None
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["MAIL_SERVER"] is None


@pytest.mark.parametrize("missing", ["SECRET_KEY", "IIN_HASH_KEY", "AUDIT_KEY"])
def test_production_without_a_secret_stops_with_a_clear_message(tmp_path, missing):
    environ = {
        "RECALL_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "IIN_HASH_KEY": "i" * 40,
        "AUDIT_KEY": "a" * 40,
    }
    del environ[missing]
    with pytest.raises(ConfigError, match=missing):
        load_config(tmp_path, environ=environ)
    assert not (tmp_path / "secrets.json").exists()


def test_production_refuses_the_same_key_twice(tmp_path):
    with pytest.raises(ConfigError, match="must differ"):
        load_config(
            tmp_path,
            environ={"RECALL_ENV": "production", "SECRET_KEY": "x" * 40, "IIN_HASH_KEY": "x" * 40},
        )


@pytest.mark.parametrize("same_as", ["SECRET_KEY", "IIN_HASH_KEY"])
def test_the_audit_key_is_a_secret_of_its_own(tmp_path, same_as):
    environ = {"SECRET_KEY": "s" * 40, "IIN_HASH_KEY": "i" * 40}
    with pytest.raises(ConfigError, match="AUDIT_KEY must differ"):
        load_config(tmp_path, environ={**environ, "AUDIT_KEY": environ[same_as]})
    generated = load_config(tmp_path, environ=environ)["AUDIT_KEY"]
    assert generated not in environ.values() and len(generated) >= 32


def test_environment_values_are_used(tmp_path):
    config = load_config(
        tmp_path,
        environ={
            "SECRET_KEY": "a" * 40,
            "IIN_HASH_KEY": "b" * 40,
            "DATABASE_URL": "postgres://u@db/recall",
            "REDIS_URL": "redis://r:6379/2",
            "MAIL_SERVER": "smtp.example.org",
            "MAIL_PORT": "2525",
            "MAIL_USE_TLS": "false",
        },
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/recall"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://r:6379/2"
    assert config["MAIL_PORT"] == 2525 and config["MAIL_USE_TLS"] is False


def test_bad_number_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="MAIL_PORT"):
        load_config(tmp_path, environ={"MAIL_PORT": "twenty"})


def test_database_url_normalisation():
    assert normalise_database_url("postgresql://x/y") == "postgresql+psycopg://x/y"
    assert normalise_database_url("sqlite:///a.db") == "sqlite:///a.db"


def test_links_in_mail_follow_the_port_make_run_serves(tmp_path):
    assert load_config(tmp_path, environ={})["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    config = load_config(tmp_path, environ={"PORT": "8123"})
    assert config["PUBLIC_BASE_URL"] == "http://127.0.0.1:8123"
    explicit = load_config(tmp_path, environ={"PORT": "8123", "PUBLIC_BASE_URL": "https://r.kz/"})
    assert explicit["PUBLIC_BASE_URL"] == "https://r.kz"
    assert "--port $(PORT)" in (Path(__file__).parents[2] / "Makefile").read_text()
