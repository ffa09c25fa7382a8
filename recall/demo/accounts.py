"""The demo's sign-in accounts, and what `flask demo load` prints instead of its e-mails.

A demo account is one at the demo domain that holds a role beyond citizen, or the demo citizen
(the many demo signers and initiative members are citizens at the same domain and are not
listed). Passwords are stored hashed only, so listing the accounts again sets new ones.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator

import sqlalchemy as sa

from recall.extensions import db
from recall.models import Appeal, Body, Deputy, Petition, Promise, Role, Signature, User
from recall.models.notifications import Channel, Delivery, DeliveryStatus

DEMO_EMAIL_DOMAIN = "demo.recall.kz"
DEMO_CITIZEN_EMAIL = f"{Role.CITIZEN.value}@{DEMO_EMAIL_DOMAIN}"


def demo_users() -> list[User]:
    """The demo accounts a person signs in with, oldest first."""
    users = db.session.scalars(
        sa.select(User).where(User.email.like(f"%@{DEMO_EMAIL_DOMAIN}")).order_by(User.id)
    )
    return [u for u in users if u.email == DEMO_CITIZEN_EMAIL or u.roles != {Role.CITIZEN}]


def renew_passwords() -> list[tuple[str, str, str]]:
    """Give every demo account a new password (ending its sessions): (label, e-mail, password).

    Flushes; the caller commits.
    """
    renewed = []
    for user in demo_users():
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.end_sessions()
        renewed.append((_label(user), user.email, password))
    db.session.flush()
    return renewed


def with_labels(passwords: dict[str, str]) -> list[tuple[str, str, str]]:
    """(label, e-mail, password) of the demo accounts whose password is in ``passwords`` (by e-mail)."""
    return [(_label(u), u.email, passwords[u.email]) for u in demo_users() if u.email in passwords]


def _label(user: User) -> str:
    roles = sorted(r.value for r in user.roles if r != Role.CITIZEN)
    return "+".join(roles) or Role.CITIZEN.value


def account_lines(accounts: list[tuple[str, str, str]]) -> list[str]:
    return [f"  {label:<13} {email:<32} {password}" for label, email, password in accounts]


def summary() -> str:
    """One line on what the demo holds, counted from the database."""
    counts = {
        label: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for label, model in (
            ("bodies", Body),
            ("deputies", Deputy),
            ("promises", Promise),
            ("petitions", Petition),
            ("signatures", Signature),
            ("appeals", Appeal),
        )
    }
    return ", ".join(f"{n:,} {label}" for label, n in counts.items())


def mail_counts() -> tuple[int, int]:
    """The demo's e-mails: (sent, still waiting for a worker). Demo data fills an empty database."""
    rows = dict(
        db.session.execute(
            sa.select(Delivery.status, sa.func.count())
            .where(Delivery.channel == Channel.EMAIL)
            .group_by(Delivery.status)
        ).all()
    )
    sent = rows.pop(DeliveryStatus.SENT, 0)
    return sent, sum(rows.values())


@contextlib.contextmanager
def quiet_mail() -> Iterator[None]:
    """Keep mail off the console for the block (it still goes to the folder or the server).

    The demo sends a few hundred notifications; printed in full they bury the accounts.
    """
    mail_logger = logging.getLogger("recall.notifications.mail")
    level = mail_logger.level
    mail_logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        mail_logger.setLevel(level)
