"""Notifications transport: the outbox handed over after commit, delivered by e-mail and webhooks.

Transport, not services: nothing here takes an acting user or checks a permission (following
and webhook endpoints are services, in ``recall.services.notifications``). ``create_app`` calls
``init_app``, which installs the session hooks that dispatch committed events (``dispatch``).
``recall.services.outbox.record_event`` writes an event in the caller's transaction. Fan-out
(``fanout``) turns an event into deliveries by the rules table (``rules``, ``recipients``);
``delivery`` sends one, through ``mail`` or ``webhooks``; ``queue`` is the one RQ queue every
job goes through. RQ entry points live in ``recall.jobs``. See docs/notifications.md.
"""

from __future__ import annotations

import logging

from flask import Flask


def init_app(app: Flask) -> None:
    """Install the after-commit dispatch (once per process) and the console mail log."""
    from recall.notifications.dispatch import install_session_hooks

    install_session_hooks()
    if not app.config.get("MAIL_SERVER") and not app.testing:
        # Without SMTP the console is where a developer reads confirmation links.
        mail_logger = logging.getLogger("recall.notifications.mail")
        if not mail_logger.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(message)s"))
            mail_logger.addHandler(handler)
        if mail_logger.level == logging.NOTSET:
            mail_logger.setLevel(logging.INFO)
