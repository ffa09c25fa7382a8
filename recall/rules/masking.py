"""Masking personal data for people who may know that it exists but not what it is.

An administrator sees failed deliveries to signers (to send them again) but is not the commission:
the address shows only its shape, ``a•••@e•••.kz``, enough to tell two apart at a glance and not
enough to read who signed. Pure: no database, no Flask.
"""

from __future__ import annotations

import re
from typing import Final

MASK: Final = "•••"
# Anything that looks like an address inside free text (SMTP errors quote the recipient).
_EMAIL_IN_TEXT: Final = re.compile(r"[^\s<>\"'(),;:\[\]]+@[^\s<>\"'(),;:\[\]]+")


def _mask_part(part: str) -> str:
    return f"{part[:1]}{MASK}" if part else MASK


def mask_email(address: str) -> str:
    """``aigerim.n@example.kz`` -> ``a•••@e•••.kz``: first letters and the top-level domain only.

    A string without ``@`` is masked whole (its first letter kept).
    """
    local, at, domain = (address or "").strip().rpartition("@")
    if not at:
        return _mask_part(address.strip())
    name, dot, tld = domain.rpartition(".")
    masked_domain = f"{_mask_part(name)}.{tld}" if dot and name else _mask_part(domain)
    return f"{_mask_part(local)}@{masked_domain}"


def mask_emails_in(text: str | None) -> str | None:
    """``text`` with every e-mail address in it masked (None stays None)."""
    if text is None:
        return None
    return _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), text)
