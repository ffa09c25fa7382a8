"""Confirmation links are made by a serializer that does itsdangerous' per-token set-up once
(recall.services.signing.identity._LinkSerializer): its tokens must be itsdangerous' own, byte
for byte, or links mailed before and after the change would not both confirm."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer

from recall.services.signing.identity import EmailLinkConfirmation, _LinkSerializer

SALT = EmailLinkConfirmation.salt


@settings(max_examples=300, deadline=None)
@given(
    key=st.text(min_size=1, max_size=64),
    data=st.lists(st.text(max_size=300), max_size=4),  # short (kept) and long (compressed)
)
def test_tokens_are_itsdangerous_tokens(key, data):
    ours = _LinkSerializer(key, SALT)
    theirs = URLSafeSerializer(key, salt=SALT)
    token = ours.dumps(data)
    assert token == theirs.dumps(data)
    assert theirs.loads(token) == data


def test_a_link_token_has_the_usual_shape():
    nonce, fingerprint = "0" * 32, "a" * 16
    key = "k" * 32
    token = _LinkSerializer(key, SALT).dumps([nonce, fingerprint])
    assert token == URLSafeSerializer(key, salt=SALT).dumps([nonce, fingerprint])
    assert _LinkSerializer(key, SALT).loads(token) == [nonce, fingerprint]
    compressible = ["x" * 200]
    assert _LinkSerializer(key, SALT).dumps(compressible).startswith(".")
