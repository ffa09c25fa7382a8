"""Confirmation links are made by a serializer that does itsdangerous' per-token set-up once
and leaves short payloads uncompressed (recall.services.signing.identity._LinkSerializer): its
tokens must load with itsdangerous and its tokens with ours, so that links mailed before and
after the change both confirm, and be itsdangerous' own byte for byte wherever itsdangerous
would not compress (every link's payload)."""

from __future__ import annotations

import json
import secrets
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer

from recall.services.signing.identity import (
    _NEVER_SHORTER,
    EmailLinkConfirmation,
    _LinkSerializer,
)

SALT = EmailLinkConfirmation.salt


@settings(max_examples=300, deadline=None)
@given(
    key=st.text(min_size=1, max_size=64),
    data=st.lists(st.text(max_size=300), max_size=4),  # short (kept) and long (compressed)
)
def test_tokens_are_itsdangerous_tokens(key, data):
    ours = _LinkSerializer(key, SALT)
    theirs = URLSafeSerializer(key, salt=SALT)
    token, their_token = ours.dumps(data), theirs.dumps(data)
    assert theirs.loads(token) == data
    assert ours.loads(their_token) == data
    if not their_token.startswith(".") or _payload_length(data) > _NEVER_SHORTER:
        assert token == their_token


def _payload_length(data) -> int:
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def test_zlib_never_shortens_a_link_payload_enough_to_be_used():
    """What leaving short payloads uncompressed rests on: for two random hex strings as a link
    has them, zlib never saves the two bytes itsdangerous asks for."""
    for _ in range(20_000):
        data = json.dumps([secrets.token_hex(16), secrets.token_hex(8)], separators=(",", ":"))
        raw = data.encode()
        assert len(raw) <= _NEVER_SHORTER
        assert len(zlib.compress(raw)) >= len(raw) - 1


def test_a_short_repetitive_payload_is_left_uncompressed_and_still_loads():
    key = "k" * 32
    data = ["a" * 40]
    token = _LinkSerializer(key, SALT).dumps(data)
    assert not token.startswith(".")
    assert URLSafeSerializer(key, salt=SALT).dumps(data).startswith(".")  # theirs would compress
    assert URLSafeSerializer(key, salt=SALT).loads(token) == data


def test_a_link_token_has_the_usual_shape():
    nonce, fingerprint = "3f9c0b7e5a1d48c2b6e0f1a2c3d4e5f6", "0a1b2c3d4e5f6071"
    key = "k" * 32
    token = _LinkSerializer(key, SALT).dumps([nonce, fingerprint])
    assert token == URLSafeSerializer(key, salt=SALT).dumps([nonce, fingerprint])
    assert _LinkSerializer(key, SALT).loads(token) == [nonce, fingerprint]
    compressible = ["x" * 200]
    assert _LinkSerializer(key, SALT).dumps(compressible).startswith(".")
