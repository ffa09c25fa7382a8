"""Logs the app writes carry no signer's secret or address (issue 19).

The purge cannot reach a line already shipped to a log collector, so nothing it would have to
purge is written there in the first place:

* the app's own log lines name deliveries by id and recipient kind, never by address, and
  errors that quote an address (an SMTP refusal) are logged through ``redact``;
* request logs (the development server's ``werkzeug`` logger and gunicorn's ``gunicorn.access``)
  would record the links and codes signers open: ``/signatures/confirm/<token>``,
  ``/receipts?code=...``, ``/api/v1/receipts/<code>``. ``init_app`` puts ``RedactingFilter`` on
  those loggers, which replaces the secret part of such paths before the line is formatted.

The mail folder (``MAIL_FOLDER``, used without ``MAIL_SERVER``) holds whole messages: the purge
deletes the files of the deliveries it purges.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

REDACTED = "[redacted]"
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# A path segment after one of these is a token or a code for one person.
_SECRET_SEGMENT = re.compile(r"(/(?:confirm|report|unsubscribe|receipts)/)[^/?\s\"']+")
_SECRET_QUERY = re.compile(r"([?&](?:code|token|receipt)=)[^&\s\"']*")
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")


def redact(text: str) -> str:
    """``text`` without e-mail addresses and without the secret part of signers' links."""
    text = _ADDRESS.sub(REDACTED, text)
    text = _SECRET_SEGMENT.sub(lambda m: m.group(1) + REDACTED, text)
    return _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message through ``redact`` before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):
            return True  # a malformed record is the logging module's to report
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()


def init_app(app: Flask) -> None:
    """Install the filter on the request loggers (once per process; idempotent)."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
