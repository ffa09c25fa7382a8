"""How a channel reports a failed send: worth retrying, or not."""

from __future__ import annotations


class DeliveryError(Exception):
    """A send failed; ``str(exc)`` is stored as the delivery's ``last_error``."""


class TemporaryDeliveryError(DeliveryError):
    """Try again later (SMTP 4xx, connection refused, timeout, webhook 5xx/429)."""


class PermanentDeliveryError(DeliveryError):
    """Retrying will not help (SMTP 5xx, webhook 4xx, a template error); mark failed at once."""
