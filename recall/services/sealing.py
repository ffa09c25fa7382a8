"""Secrets an outbox event carries for its one delivery, kept encrypted (issue 19).

A confirmation link, a receipt code or an unsubscribe link is for one person's eyes: the mail
that carries it needs it once, and nothing else ever does. Stored as plain JSON in
``events.payload`` it would sit in the database, its backups and replicas until the purge, next
to the signer's address in ``deliveries``. So ``record_event`` moves those keys into one
``sealed`` value: AES-256-GCM under a key derived from ``SECRET_KEY`` (HKDF, a label of its own),
opened only by the mail renderer. ``SECRET_KEY`` is the right key to lean on: whoever has it can
already mint any confirmation link. The purge drops ``sealed`` with the other secrets.
"""

from __future__ import annotations

import base64
import json
import os
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

#: Payload keys that are links or codes for one person: sealed when an event is recorded.
SECRET_PAYLOAD_KEYS = frozenset(
    {"confirm_url", "receipt", "token", "unsubscribe_url", "report_url", "stop_url"}
)
#: Where the sealed secrets sit in a payload.
SEALED_KEY = "sealed"
_LABEL = b"recall.outbox.sealed-payload"
# json.dumps with these options makes an encoder per call; one does.
_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


class SealedPayloadError(ValueError):
    """The sealed part of a payload cannot be opened (``SECRET_KEY`` changed, or it was altered)."""


@lru_cache(maxsize=4)
def _cipher(secret_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
        secret_key.encode("utf-8")
    )
    return AESGCM(key)


def seal_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with its secret keys replaced by one encrypted ``sealed`` value."""
    secrets = {k: payload[k] for k in SECRET_PAYLOAD_KEYS if k in payload}
    if not secrets:
        return payload
    nonce = os.urandom(12)
    data = _JSON.encode(secrets).encode("utf-8")
    box = nonce + _cipher(current_app.config["SECRET_KEY"]).encrypt(nonce, data, _LABEL)
    kept = {k: v for k, v in payload.items() if k not in SECRET_PAYLOAD_KEYS}
    kept[SEALED_KEY] = base64.urlsafe_b64encode(box).decode("ascii")
    return kept


def open_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    """The payload as recorded, the sealed secrets back in place (for the mail renderer only)."""
    opened = dict(payload or {})
    box = opened.pop(SEALED_KEY, None)
    if not box:
        return opened
    try:
        raw = base64.urlsafe_b64decode(box.encode("ascii"))
        data = _cipher(current_app.config["SECRET_KEY"]).decrypt(raw[:12], raw[12:], _LABEL)
    except (InvalidTag, ValueError, TypeError, AttributeError) as exc:
        raise SealedPayloadError("the sealed part of the payload cannot be opened") from exc
    opened.update(json.loads(data))
    return opened


def public_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    """The payload without its secrets, sealed or not (webhooks, listings)."""
    return {
        k: v for k, v in (payload or {}).items() if k not in SECRET_PAYLOAD_KEYS and k != SEALED_KEY
    }
