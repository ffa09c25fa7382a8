"""Pattern data of a signing request: canonical e-mail, address block, user-agent family."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recall.rules.sources import (
    IPV4_BLOCK_BITS,
    IPV6_BLOCK_BITS,
    address_block,
    canonical_email,
    email_domain,
    normal_address,
    user_agent_family,
)


@pytest.mark.parametrize(
    ("email", "canonical"),
    [
        ("John.Smith+petition@GMAIL.com", "johnsmith@gmail.com"),
        ("j.o.h.n.smith@googlemail.com", "johnsmith@gmail.com"),
        ("johnsmith@gmail.com", "johnsmith@gmail.com"),
        ("Aliya+x@outlook.com", "aliya@outlook.com"),
        # Dots matter at Outlook and everywhere else: only case and (where known) tags fold.
        ("a.liya@outlook.com", "a.liya@outlook.com"),
        ("A.Liya+tag@Mail.KZ", "a.liya+tag@mail.kz"),
        ("bob-news@yahoo.com", "bob@yahoo.com"),
        ("ivan+1@ya.ru", "ivan@yandex.ru"),
        ("+only@gmail.com", None),
        ("no-at-sign", None),
        (None, None),
        ("", None),
    ],
)
def test_canonical_email(email, canonical):
    assert canonical_email(email) == canonical


def test_email_domain():
    assert email_domain("A@Mail.KZ.") == "mail.kz"
    assert email_domain("x@") is None
    assert email_domain("nothing") is None


@pytest.mark.parametrize(
    ("address", "block"),
    [
        ("203.0.113.7", "203.0.113.0/24"),
        ("203.0.113.250", "203.0.113.0/24"),
        ("::ffff:203.0.113.9", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("2001:db8:abcd:ffff:1:2:3:4", "2001:db8:abcd::/48"),
        ("not an address", None),
        ("", None),
        (None, None),
    ],
)
def test_address_block(address, block):
    assert address_block(address) == block


@given(st.ip_addresses())
def test_the_block_is_the_network_ipaddress_finds(address):
    """address_parts masks the address instead of asking ip_network: the same block, always."""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # what parse_address unwraps
    bits = IPV4_BLOCK_BITS if address.version == 4 else IPV6_BLOCK_BITS
    expected = str(ipaddress.ip_network(f"{address}/{bits}", strict=False))
    assert address_block(str(address)) == expected
    assert address_block(address.exploded) == expected


def test_normal_address():
    assert normal_address("::ffff:10.0.0.1") == "10.0.0.1"
    assert normal_address("2001:DB8::0001") == "2001:db8::1"
    assert normal_address("10.0.0.300") is None


CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
HEADLESS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/131.0.0.0 Safari/537.36"
)
YANDEX = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/128.0.0.0 YaBrowser/24.10.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("header", "family"),
    [
        (CHROME_ANDROID, "chrome/android"),
        (SAFARI_IPHONE, "safari/ios"),
        (EDGE_WINDOWS, "edge/windows"),
        (FIREFOX_LINUX, "firefox/linux"),
        (HEADLESS, "headless"),
        (YANDEX, "yandex/windows"),
        ("curl/8.5.0", "curl"),
        ("python-requests/2.32.3", "python"),
        ("Go-http-client/1.1", "go"),
        ("Googlebot/2.1 (+http://www.google.com/bot.html)", "bot"),
        ("something odd", "other"),
        ("", "none"),
        (None, "none"),
    ],
)
def test_user_agent_family(header, family):
    assert user_agent_family(header) == family
