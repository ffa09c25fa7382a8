"""Keyed hash of an IIN, shared by signatures and the voter roll so the two match in SQL.

The IIN is personal data (it encodes birth date and sex) and is never stored. What is stored is
``HMAC-SHA256(IIN_HASH_KEY, iin)`` in hex: stable for one key, useless without it, and separate
from ``SECRET_KEY`` so rotating session secrets never orphans stored hashes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from flask import current_app


def hash_iin(iin: str) -> str:
    """Return the hex HMAC-SHA256 of ``iin`` keyed by ``current_app.config["IIN_HASH_KEY"]``.

    Contract: ``iin`` is already validated and normalised (exactly 12 ASCII digits, e.g. the
    ``iin`` of ``recall.rules.iin.parse_iin``); this function does not check it, and it never
    logs or echoes the number. Needs an application context. Returns 64 lowercase hex characters.
    """
    key = current_app.config["IIN_HASH_KEY"]
    return hmac.new(key.encode("utf-8"), iin.encode("ascii"), hashlib.sha256).hexdigest()


def iin_hasher() -> Callable[[str], str]:
    """``hash_iin`` with the key read once, for hashing many IINs in a loop (the roll import).

    Same contract and output as :func:`hash_iin`; uses the one-shot ``hmac.digest`` (OpenSSL's
    HMAC without building an object per call). Needs an application context when called to make
    it, not when the returned function is called.
    """
    key = current_app.config["IIN_HASH_KEY"].encode("utf-8")
    return lambda iin: hmac.digest(key, iin.encode("ascii"), "sha256").hex()
