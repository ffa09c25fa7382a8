"""Helpers shared by the commands: one transaction per command, domain errors as clean exits."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click

from recall.errors import DomainError
from recall.extensions import db


@contextlib.contextmanager
def transaction() -> Iterator[None]:
    """Commit once if the block succeeds; roll back and exit non-zero with the message if not."""
    try:
        yield
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    except BaseException:
        db.session.rollback()
        raise
