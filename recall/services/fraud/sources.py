"""The pattern data an online signature keeps: keyed hashes of its client address and address
block, its e-mail domain, a keyed hash of its canonical e-mail and its user-agent family.

Addresses and canonical e-mails are personal data, so they are stored only as HMAC-SHA256 under a
key derived from ``IIN_HASH_KEY`` (a separate purpose string, so these hashes never equal an IIN
hash). Equal sources still compare equal in SQL, which is all a pattern needs. The purge
(``recall.services.verification.privacy``) clears every one of them with the signer's name.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from flask import current_app

from recall.rules.sources import (
    Client,
    address_block,
    address_parts,
    canonical_email,
    email_domain,
    normal_address,
    user_agent_family,
)

# The columns of signatures and claims that hold pattern data (cleared by the purge).
PATTERN_COLUMNS = (
    "source_address_hash",
    "source_block_hash",
    "email_domain",
    "email_canonical_hash",
    "user_agent_family",
)
_PURPOSE = b"recall.fraud.source.v1"


@functools.lru_cache(maxsize=8)
def _derived_key(iin_hash_key: str) -> bytes:
    return hmac.new(iin_hash_key.encode("utf-8"), _PURPOSE, hashlib.sha256).digest()


def hash_source(value: str | None) -> str | None:
    """Hex HMAC-SHA256 of ``value`` under the source key (derived from ``IIN_HASH_KEY``); None
    for None. Needs an application context."""
    if value is None:
        return None
    key = _derived_key(current_app.config["IIN_HASH_KEY"])
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def block_hash_of(text: str) -> str | None:
    """The keyed hash of the block an address (``203.0.113.7``) or a block (``203.0.113.0/24``)
    belongs to, for search criteria; None when ``text`` is neither."""
    text = (text or "").strip()
    address = text.split("/", 1)[0]
    block = address_block(address)
    return hash_source(block) if block else None


def address_hash_of(text: str) -> str | None:
    """The keyed hash of one address as stored, or None when ``text`` is not an address."""
    address = normal_address(text)
    return hash_source(address) if address else None


def pattern_values(client: Client | None, email: str | None) -> dict[str, str | None]:
    """The pattern columns for a signing attempt from ``client`` with ``email`` (already
    normalised). Without a ``client`` (a service called outside a request) the address and
    user-agent columns are None; a request without a User-Agent header gives ``none``."""
    known = client is not None
    client = client or Client()
    address, block = address_parts(client.address)
    canonical = canonical_email(email)
    return {
        "source_address_hash": hash_source(address),
        "source_block_hash": hash_source(block),
        "email_domain": email_domain(email),
        "email_canonical_hash": hash_source(canonical),
        "user_agent_family": user_agent_family(client.user_agent) if known else None,
    }
