"""E-mail addresses of the plain ASCII shape, answered without ``email_validator`` (issue 12).

Why this exists: under a surge every signing request validates the signer's address, and
``email_validator.validate_email`` walks it character by character with a Unicode
normalisation at each step: 6-8% of the request's CPU. Nearly every real address is plain ASCII
``dot.atom@host.tld``, and for that shape one regular expression decides. ``plain_email`` returns
exactly what ``recall.services.accounts.users.normalise_email`` returned through
``validate_email(address, check_deliverability=False)``, the normalised address lower-cased, and
``None`` for anything it is not sure of (non-ASCII, quoted local parts, bracketed IP addresses,
``--`` in the domain, long local parts, any rejection), which the caller hands to
``email_validator``: the fast path never rejects. ``tests/unit/test_email_shape.py`` holds it to
``email_validator`` with a property test, so an upgrade that changes the library's rules fails
there.

What the shape mirrors from email_validator 2.x, with its default options:
- local part: dot-atom of RFC 5322 atext, no leading, trailing or doubled dot. At most 64
  characters: the library takes longer ones unless ``strict``; they go to it.
- domain: at least two labels of letters, digits and hyphens, each 1-63 characters, not starting
  or ending with a hyphen; the last label ends with a letter (``globally_deliverable``); no
  special-use name (``SPECIAL_USE_DOMAIN_NAMES``: ``.test``, ``.local``...). ``--`` anywhere goes
  to the library, which rejects ``ab--`` labels and decodes ``xn--`` (Punycode) ones.
- the whole address at most 254 characters. For ASCII the library's IDNA step only lower-cases
  the domain and its normalised form is the address as given, so the answer is ``address.lower()``.
"""

from __future__ import annotations

import re

from email_validator import SPECIAL_USE_DOMAIN_NAMES

_ATEXT = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~-"
_LOCAL = rf"[{_ATEXT}]+(?:\.[{_ATEXT}]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TOP_LABEL = r"(?:[A-Za-z0-9][A-Za-z0-9-]{0,61})?[A-Za-z]"
# Explicit ASCII classes without IGNORECASE: under re.I, [a-z] would also match the Kelvin sign.
_PLAIN = re.compile(rf"(?:{_LOCAL})@((?:{_LABEL}\.)+{_TOP_LABEL})", re.ASCII)

MAX_ADDRESS = 254
MAX_LOCAL_PART = 64
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_SPECIAL_USE_SUFFIXES = tuple("." + name for name in SPECIAL_USE_DOMAIN_NAMES)


def plain_email(address: str) -> str | None:
    """``address`` (already stripped) lower-cased when it has the plain shape above and is valid,
    else ``None``: email_validator must decide. Never rejects."""
    if len(address) > MAX_ADDRESS:
        return None
    match = _PLAIN.fullmatch(address)
    if match is None or match.start(1) > MAX_LOCAL_PART + 1:
        return None
    lowered = address.lower()
    domain = lowered[match.start(1) :]
    if "--" in domain or domain in _SPECIAL_USE or domain.endswith(_SPECIAL_USE_SUFFIXES):
        return None
    return lowered
