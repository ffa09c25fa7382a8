"""``flask promises``: the managed topic list of the promise tracker."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from recall.cli.common import transaction
from recall.services.promises import recording as promises


@click.group("promises", help="Promise tracker maintenance.")
def promises_cli() -> None:
    pass


@promises_cli.command("seed-topics")
@with_appcontext
def seed_topics() -> None:
    """Create the default topics (budget, housing, roads, ...) that are missing; safe to run again."""
    with transaction():
        topics = promises.ensure_default_topics()
    click.echo("Topics: " + ", ".join(t.slug for t in topics))
