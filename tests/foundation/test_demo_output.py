"""`flask demo load` prints a summary and the accounts, not its mail; `flask demo accounts` again."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from recall.extensions import db
from recall.models import Role, User
from recall.models.notifications import Delivery
from tests.demo_db import demo, pg_database  # noqa: F401 (fixtures)

MAIL_LOGGER = "recall.notifications.mail"


def _passwords(output: str) -> dict[str, str]:
    """E-mail -> password from the account lines of a command's output."""
    return {
        words[1]: words[2]
        for words in (line.split() for line in output.splitlines())
        if len(words) == 3 and words[1].endswith("@demo.recall.kz")
    }


def test_demo_load_writes_mail_to_the_folder_and_prints_a_short_summary(runner, caplog):
    caplog.set_level(logging.INFO, logger=MAIL_LOGGER)  # as `make run` has it: mail on the console
    folder = Path(current_app.config["MAIL_FOLDER"])
    started = time.time()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    sent = db.session.scalars(
        sa.select(Delivery.id).where(Delivery.channel == "email", Delivery.status == "sent")
    ).all()
    assert len(sent) > 100  # the demo does send its notifications, into the folder...
    for delivery_id in sent:
        assert (folder / f"delivery-{delivery_id}.eml").stat().st_mtime >= started - 1
    assert not [r for r in caplog.records if r.name == MAIL_LOGGER]  # ...not to the console
    lines = result.output.splitlines()
    assert lines[0].startswith("Demo data loaded: 3 bodies, 145 deputies")
    assert f"{len(sent):,} e-mails sent to {folder}" in lines
    printed = _passwords(result.output)
    assert len(lines) <= 12 and len(printed) >= 7
    for role in Role:  # an account per role, and the password printed for it works
        user = db.session.scalar(
            sa.select(User).where(User.email == f"{role.value}@demo.recall.kz")
        )
        assert user.has_role(role) and user.check_password(printed[user.email])
    assert logging.getLogger(MAIL_LOGGER).level == logging.INFO  # restored afterwards


def test_demo_accounts_sets_and_prints_new_passwords(demo, runner):
    from recall.services.accounts.users import authenticate

    loaded = dict(demo.accounts.values())  # what `flask demo load` printed (e-mail -> password)
    again = runner.invoke(args=["demo", "accounts"])
    assert again.exit_code == 0, again.output
    renewed = _passwords(again.output)
    assert set(renewed) == set(loaded)  # the same accounts, no demo signers among them
    assert "commissioner@demo.recall.kz" in renewed and "signer-1@demo.recall.kz" not in renewed
    for email, password in renewed.items():
        assert password != loaded[email]
        assert authenticate(email, password) is not None
        assert authenticate(email, loaded[email]) is None


def test_demo_accounts_without_a_demo_says_so(runner):
    result = runner.invoke(args=["demo", "accounts"])
    assert result.exit_code != 0 and "flask demo load" in result.output
