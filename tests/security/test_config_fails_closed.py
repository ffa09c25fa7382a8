"""Configuration fails closed: unknown environments, short production secrets, the proxy setting."""

from __future__ import annotations

import pytest

from recall.config import ConfigError, load_config
from recall.notifications.webhooks import _is_private_address

STRONG = {"SECRET_KEY": "s" * 32, "IIN_HASH_KEY": "i" * 32, "AUDIT_KEY": "a" * 32}


@pytest.mark.parametrize("name", ["prod", "producton", "staging", "dev"])
def test_an_unknown_recall_env_refuses_to_start(tmp_path, name):
    with pytest.raises(ConfigError, match="RECALL_ENV"):
        load_config(tmp_path, environ={"RECALL_ENV": name, **STRONG})
    assert not (tmp_path / "secrets.json").exists()


@pytest.mark.parametrize("name", ["development", "test", "benchmark", "production"])
def test_the_known_environments_start(tmp_path, name):
    assert load_config(tmp_path, environ={"RECALL_ENV": name, **STRONG})["RECALL_ENV"] == name


@pytest.mark.parametrize("short", ["SECRET_KEY", "IIN_HASH_KEY", "AUDIT_KEY"])
def test_production_refuses_a_secret_shorter_than_32_bytes(tmp_path, short):
    environ = {"RECALL_ENV": "production", **STRONG, short: "x" * 31}
    with pytest.raises(ConfigError, match=f"{short}.*32 bytes"):
        load_config(tmp_path, environ=environ)


def test_development_accepts_short_secrets(tmp_path):
    config = load_config(tmp_path, environ={"SECRET_KEY": "a", "IIN_HASH_KEY": "b"})
    assert config["SECRET_KEY"] == "a"


def test_proxy_fix_is_read_as_a_number_of_trusted_proxies(tmp_path):
    assert load_config(tmp_path, environ={})["PROXY_FIX"] == 0
    assert load_config(tmp_path, environ={"PROXY_FIX": "1"})["PROXY_FIX"] == 1
    assert load_config(tmp_path, environ={"PROXY_FIX": "2"})["PROXY_FIX"] == 2
    with pytest.raises(ConfigError, match="PROXY_FIX"):
        load_config(tmp_path, environ={"PROXY_FIX": "yes"})
    with pytest.raises(ConfigError, match="PROXY_FIX"):
        load_config(tmp_path, environ={"PROXY_FIX": "-1"})


def test_request_size_settings(tmp_path):
    config = load_config(tmp_path, environ={})
    assert config["MAX_FORM_BYTES"] == 64 * 1024
    assert config["MAX_UPLOAD_BYTES"] == 200 * 1024 * 1024
    config = load_config(tmp_path, environ={"MAX_FORM_KB": "16", "MAX_UPLOAD_MB": "5"})
    assert (config["MAX_FORM_BYTES"], config["MAX_UPLOAD_BYTES"]) == (16 * 1024, 5 << 20)


@pytest.mark.parametrize(
    "address",
    [
        "100.64.0.1",  # carrier-grade NAT (shared address space): not global, passed before
        "100.127.255.254",
        "192.0.0.8",  # IETF protocol assignments
        "198.18.0.1",  # benchmarking
        "0.0.0.0",
        "10.0.0.1",
        "127.0.0.1",
        "169.254.169.254",  # cloud metadata
        "224.0.0.1",  # multicast
        "::1",
        "fc00::1",
        "fe80::1%eth0",
        "::ffff:127.0.0.1",  # IPv4-mapped IPv6 of a loopback address
        "::ffff:10.1.2.3",
        "::ffff:100.64.0.1",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:a00:1::",  # 6to4 of 10.0.0.1
    ],
)
def test_the_webhook_filter_refuses_every_non_global_address(address):
    assert _is_private_address(address)


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"]
)
def test_the_webhook_filter_lets_global_addresses_through(address):
    assert not _is_private_address(address)
