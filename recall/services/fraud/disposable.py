"""Disposable e-mail domains, refused or flagged as the administrator sets.

The list is the ``disposable-email-domains`` package (the community-kept list, about 10,000
domains); ``pip install -U disposable-email-domains`` updates it.
"""

from __future__ import annotations

import functools

from flask_babel import gettext as _

from recall.errors import Invalid
from recall.services.fraud.settings import current_settings


@functools.cache
def disposable_domains() -> frozenset[str]:
    """The disposable e-mail domains of the installed ``disposable-email-domains`` list."""
    from disposable_email_domains import blocklist

    return frozenset(domain.lower() for domain in blocklist)


def is_disposable(domain: str | None) -> bool:
    """True for a domain on the list, or a subdomain of one (``x.mailinator.com``)."""
    if not domain:
        return False
    parts = domain.lower().split(".")
    names = disposable_domains()
    return any(".".join(parts[i:]) in names for i in range(len(parts) - 1))


def check_email_domain(domain: str | None) -> None:
    """Refuse a disposable e-mail domain when the administrator set ``refuse`` (``Invalid`` on
    ``email``); otherwise nothing (a flagged one shows in the hourly report)."""
    if is_disposable(domain) and current_settings().disposable_email == "refuse":
        raise Invalid(
            _("Addresses of disposable e-mail services are not accepted. Use your own address."),
            field="email",
        )
